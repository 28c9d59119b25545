import type { ReadyRule, Ticket } from '../../domain/ticket.ts';

/**
 * The tracker verbs Baton's jobs use. Two implementations (Linear, Jira), chosen per ticket key
 * prefix by main.ts. Every failure is a TrackerError; no SDK type or error crosses this port.
 */
export interface TicketTracker {
  getTicket(key: string): Promise<Ticket>;
  /** Posts `markdown` as a comment; Jira receives it converted to Atlassian Document Format. */
  comment(key: string, markdown: string): Promise<void>;
  /**
   * Moves the ticket to the state (Linear) or through the transition / to the status (Jira) with
   * this name, case-insensitively. A ticket already there is left alone, so a retried job is harmless.
   */
  moveTo(key: string, stateName: string): Promise<void>;
  /** Tickets matching the rule, oldest first. */
  findReady(rule: ReadyRule): Promise<Ticket[]>;
}

/**
 * `rate_limited` and `unavailable` go away by themselves (src/jobs/errors.ts retries them);
 * `not_found`, `auth` and `invalid` need a person, so the message says what to fix.
 */
export type TrackerErrorCode = 'not_found' | 'rate_limited' | 'unavailable' | 'auth' | 'invalid';

export class TrackerError extends Error {
  override readonly name = 'TrackerError';
  readonly status: number | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly code: TrackerErrorCode,
    message: string,
    details: { status?: number; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.status = details.status;
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}

/** `Retry-After` is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

// Node's fetch and axios report an unreachable host with these codes on the error or its cause.
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
  'ECONNABORTED', 'ERR_SOCKET_CONNECTION_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT',
]);

/** The network code of a transport failure (the service was never answered), else undefined. */
export function networkFailureCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    const name = (e as { name?: unknown }).name;
    if (name === 'TimeoutError' || name === 'AbortError') return name;
  }
  return undefined;
}
