import { HttpException } from 'jira.js';
import { networkFailureCode, parseRetryAfter, TrackerError } from './ticket-tracker.ts';

/*
 * jira.js wraps every HTTP error answer in HttpException (status; Jira's body in `response.data`;
 * the axios error, with the response headers, as `cause`). A request that never got an answer
 * comes through as the bare AxiosError. The axios error is not kept: its config holds the
 * Basic-auth header.
 */

interface AxiosLike { isAxiosError?: boolean; code?: string; response?: { status?: number; headers?: Record<string, unknown> } }

/** Jira's error envelope `{ errorMessages: [], errors: { field: message } }`, or the plain-text body of a 401. */
function reasonOf(data: unknown): string {
  if (typeof data === 'string') return data.slice(0, 200) || 'no reason given';
  const body = (data ?? {}) as { errorMessages?: unknown; errors?: unknown };
  const messages = [
    ...(Array.isArray(body.errorMessages) ? body.errorMessages.map(String) : []),
    ...(body.errors && typeof body.errors === 'object' ? Object.entries(body.errors).map(([k, v]) => `${k}: ${String(v)}`) : []),
  ];
  return messages.join('; ') || 'no reason given';
}

export function jiraTrackerError(error: unknown, subject: string, now = Date.now()): TrackerError {
  if (error instanceof TrackerError) return error;
  const axios = (error instanceof HttpException ? error.cause : error) as AxiosLike | undefined;
  if (!(error instanceof HttpException)) {
    if (axios?.isAxiosError || networkFailureCode(error)) {
      return new TrackerError('unavailable', `Jira could not be reached (${networkFailureCode(error) ?? axios?.code ?? 'no answer'})`);
    }
    throw error; // not a Jira failure: a bug here, and better seen as one
  }
  const status = error.status;
  const header = axios?.response?.headers?.['retry-after'];
  const retryAfterSeconds = parseRetryAfter(typeof header === 'string' ? header : undefined, now);
  const details = { status, retryAfterSeconds };
  const reason = reasonOf(typeof error.response === 'object' ? (error.response as { data?: unknown }).data : error.response);
  if (status === 429) {
    const wait = retryAfterSeconds !== undefined ? `; retry in ${retryAfterSeconds} s` : '';
    return new TrackerError('rate_limited', `Jira is rate-limiting Baton${wait}`, details);
  }
  if (status >= 500) return new TrackerError('unavailable', `Jira is unavailable (HTTP ${status})`, details);
  if (status === 404) return new TrackerError('not_found', `${subject} not found in Jira`, details);
  if (status === 401 || status === 403) {
    return new TrackerError('auth', `Jira refused Baton's credentials (HTTP ${status}: ${reason}); check JIRA_EMAIL, JIRA_API_TOKEN and the account's project permissions`, details);
  }
  return new TrackerError('invalid', `Jira rejected the request for ${subject} (HTTP ${status}): ${reason}`, details);
}
