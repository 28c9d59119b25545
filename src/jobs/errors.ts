import { TrackerError } from '../integrations/trackers/ticket-tracker.ts';
import { GitHubError } from '../integrations/github/github-error.ts';
import { GitError, type GitErrorCode } from '../integrations/git/git-error.ts';
import { ModelError } from '../agents/model-error.ts';

// A slow or busy git (a big fetch, another run holding the repository lock) recovers by itself;
// a conflict, a refused push or a missing branch needs a person.
// A lock lost to a stale-lock break (this holder stalled) is the same: the next attempt retakes it.
const RETRYABLE_GIT: ReadonlySet<GitErrorCode> = new Set(['git_timeout', 'lock_timeout', 'lock_lost']);

/**
 * The one place that decides whether a failure is worth retrying. Retryable errors are rethrown
 * so pg-boss backs off and tries again; permanent ones end the run with a reason a person can act on.
 */

export class PermanentError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class RetryableError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  // @slack/web-api's codes for transport failures and rate limits.
  'slack_webapi_request_error',
  'slack_webapi_http_error',
  'slack_webapi_rate_limited_error',
]);

// Slack answers HTTP 200 {ok:false} for these; they only go away if the service recovers.
const RETRYABLE_SLACK_ERRORS = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

function statusOf(error: Record<string, unknown>): number | undefined {
  const status = error.status ?? error.statusCode ?? (error.response as Record<string, unknown> | undefined)?.status;
  return typeof status === 'number' ? status : undefined;
}

export function isRetryable(error: unknown): boolean {
  if (error instanceof RetryableError) return true;
  if (error instanceof PermanentError) return false;
  // Trackers decide the kind at their edge: Linear rate-limits with HTTP 400 and fails with 200.
  if (error instanceof TrackerError) return error.code === 'rate_limited' || error.code === 'unavailable';
  if (error instanceof GitHubError) return error.code === 'rate_limited' || error.code === 'unavailable';
  if (error instanceof GitError) return RETRYABLE_GIT.has(error.code);
  // The model client decides at its edge: connection, overload, rate limit and 5xx are worth another try.
  if (error instanceof ModelError) return error.retryable;
  if (typeof error !== 'object' || error === null) return false;
  const e = error as Record<string, unknown>;
  if (typeof e.code === 'string' && RETRYABLE_NETWORK_CODES.has(e.code)) {
    // An HTTP error from Slack is retryable only when the status says the service is the problem.
    const status = statusOf(e);
    return e.code !== 'slack_webapi_http_error' || status === undefined || status >= 500 || status === 429;
  }
  if (e.code === 'slack_webapi_platform_error') return RETRYABLE_SLACK_ERRORS.has(slackErrorCode(e) ?? '');
  const status = statusOf(e);
  if (status !== undefined) return status === 408 || status === 425 || status === 429 || status >= 500;
  return false;
}

// A Retry-After beyond this is treated as this: a bogus header must not park a job for days.
const MAX_RETRY_AFTER_SECONDS = 60 * 60;

/**
 * How long the service asked us to wait before trying again (Retry-After, Linear's and Slack's
 * rate-limit answers), or undefined when it did not say; the queue then uses its own backoff.
 */
export function retryAfterSecondsOf(error: unknown): number | undefined {
  let seconds: unknown;
  if (error instanceof TrackerError || error instanceof GitHubError || error instanceof ModelError) seconds = error.retryAfterSeconds;
  else if (typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'slack_webapi_rate_limited_error') {
    seconds = (error as { retryAfter?: unknown }).retryAfter;
  }
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) return undefined;
  return Math.min(Math.ceil(seconds), MAX_RETRY_AFTER_SECONDS);
}

/** A one-line reason for a person: what failed, without stack traces or secrets. */
export function describeError(error: unknown): string {
  if (error instanceof PermanentError || error instanceof RetryableError) return error.message;
  if (typeof error === 'object' && error !== null) {
    const slackError = slackErrorCode(error);
    if (slackError) return `Slack answered “${slackError}”`;
    const message = (error as { message?: unknown }).message;
    if (typeof message === 'string') return message.split('\n')[0]!;
  }
  return String(error);
}

/** Slack's own error code (`not_in_channel`, …) when Slack refused the call. */
export function slackErrorCode(error: unknown): string | undefined {
  const data = (error as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}
