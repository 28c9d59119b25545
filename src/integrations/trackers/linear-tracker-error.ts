import { LinearError, RatelimitedLinearError } from '@linear/sdk';
import { networkFailureCode, parseRetryAfter, TrackerError } from './ticket-tracker.ts';

/*
 * Linear answers most problems with HTTP 200 and a GraphQL error whose `extensions.type` the SDK
 * turns into a class; an unknown id is type "invalid input" with "Entity not found: Issue".
 * Without GraphQL errors the SDK guesses from the status, and calls every other 4xx an
 * AuthenticationError, so the status is checked before the class.
 */

const SERVER_SIDE = new Set(['InternalError', 'NetworkError', 'LockTimeout']);

function retryAfterOf(error: LinearError, now: number): number | undefined {
  if (error instanceof RatelimitedLinearError) {
    if (error.retryAfter !== undefined) return error.retryAfter;
    // Linear's own rate limiter sends the reset time (epoch ms) rather than Retry-After.
    const reset = error.requestsResetAt ?? error.complexityResetAt;
    if (reset !== undefined) return Math.max(0, Math.ceil((reset - now) / 1000));
  }
  return parseRetryAfter(error.raw?.response?.headers?.get('retry-after'), now);
}

function reasonOf(error: LinearError): string {
  return error.errors?.[0]?.message ?? error.message.split('\n')[0] ?? 'no reason given';
}

/**
 * Any failure of a Linear call → TrackerError. `subject` names what was asked for ("ENG-123"),
 * so a missing issue reads "ENG-123 not found in Linear".
 */
export function linearTrackerError(error: unknown, subject: string, now = Date.now()): TrackerError {
  if (error instanceof TrackerError) return error;
  if (!(error instanceof LinearError)) {
    const network = networkFailureCode(error);
    if (network) return new TrackerError('unavailable', `Linear could not be reached (${network})`);
    throw error; // not a Linear failure: a bug here, and better seen as one
  }
  const { status } = error;
  const type = String(error.type ?? '');
  const retryAfterSeconds = retryAfterOf(error, now);
  const details = { status, retryAfterSeconds };
  const raw = (error.raw as { response?: unknown } | undefined)?.response;
  if (error instanceof RatelimitedLinearError || status === 429) {
    const wait = retryAfterSeconds !== undefined ? `; retry in ${retryAfterSeconds} s` : '';
    return new TrackerError('rate_limited', `Linear is rate-limiting Baton${wait}`, details);
  }
  if ((status !== undefined && status >= 500) || SERVER_SIDE.has(type)) {
    const why = status !== undefined && status >= 500 ? `HTTP ${status}` : reasonOf(error);
    return new TrackerError('unavailable', `Linear is unavailable (${why})`, details);
  }
  if (status === undefined && raw === undefined) {
    const network = networkFailureCode(error.raw) ?? 'no answer';
    return new TrackerError('unavailable', `Linear could not be reached (${network})`, details);
  }
  if (status === 404 || /entity not found/i.test(error.message)) {
    return new TrackerError('not_found', `${subject} not found in Linear`, details);
  }
  if (status === 401 || status === 403 || type === 'AuthenticationError' || type === 'Forbidden' || type === 'FeatureNotAccessible') {
    return new TrackerError('auth', `Linear refused Baton's API key (${reasonOf(error)}); check LINEAR_API_KEY and its access to the team`, details);
  }
  return new TrackerError('invalid', `Linear rejected the request for ${subject}: ${reasonOf(error)}`, details);
}
