import { AnthropicError, APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';

export type ModelErrorCode = 'connection' | 'overloaded' | 'rate_limited' | 'spend_limit' | 'auth' | 'invalid_request' | 'server';

/**
 * A model call that failed after the SDK's own retries and Baton's fallbacks. `retryable` tells the
 * queue whether the job is worth another try (src/jobs/errors.ts reads it); the message is a
 * reason a person can act on.
 */
export class ModelError extends Error {
  readonly code: ModelErrorCode;
  readonly retryable: boolean;
  /** What the API asked for in Retry-After, when it said. */
  readonly retryAfterSeconds: number | undefined;
  readonly status: number | undefined;
  /** The API's request-id, for a support ticket. */
  readonly requestId: string | undefined;

  constructor(
    code: ModelErrorCode,
    message: string,
    options: { retryable: boolean; retryAfterSeconds?: number; status?: number; requestId?: string; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.name = 'ModelError';
    this.code = code;
    this.retryable = options.retryable;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.status = options.status;
    this.requestId = options.requestId ?? undefined;
  }
}

// The API's codes for an organisation out of money or over a limit it set: waiting does not help.
const SPEND_LIMIT_CODES = new Set([
  'contract_spend_limit_reached',
  'enforced_spend_limit_reached',
  'linked_organization_spend_limit_reached',
  'linked_organization_billing_unavailable',
]);
const SPEND_LIMIT_WORDING = /spend(ing)? limit|credit balance|billing/i;

/** True when the API said the organisation cannot pay (a 429 or 400 that retrying will not fix). */
export function isSpendLimit(error: APIError): boolean {
  if (error.errorCode && SPEND_LIMIT_CODES.has(error.errorCode)) return true;
  if (error.type === 'billing_error' || error.status === 402) return true;
  return (error.status === 429 || error.status === 400) && SPEND_LIMIT_WORDING.test(error.apiMessage ?? error.message);
}

/** Overloaded (529, or an `overloaded_error` event in the middle of a stream): another model may answer. */
export function isOverloaded(error: unknown): boolean {
  return error instanceof APIError && (error.status === 529 || error.type === 'overloaded_error');
}

/** The model id is unknown to this API (404 not_found on /v1/messages): another model may answer. */
export function isUnknownModel(error: unknown): boolean {
  return error instanceof APIError && (error.status === 404 || error.type === 'not_found_error');
}

function retryAfterOf(headers: Headers | undefined): number | undefined {
  const ms = Number(headers?.get('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return Math.ceil(ms / 1000);
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds > 0 ? Math.ceil(seconds) : undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(1, Math.ceil((at - Date.now()) / 1000));
}

/**
 * An SDK error as a ModelError, or undefined for anything that is not one (a programming error is
 * rethrown as it is). An abort is not a failure of the model: callers rethrow it before asking.
 */
export function toModelError(error: unknown, model: string): ModelError | undefined {
  if (error instanceof APIUserAbortError) return undefined;
  if (error instanceof APIConnectionError) {
    const timedOut = error instanceof APIConnectionTimeoutError;
    return new ModelError('connection', `The model API could not be reached${timedOut ? ' (timed out)' : ''}: ${error.message}`, {
      retryable: true, cause: error,
    });
  }
  if (error instanceof APIError) return fromApiError(error, model);
  // The SDK wraps a connection that broke while the stream was read (or a stream that ended before
  // message_stop) in a bare AnthropicError: nothing the request did wrong, so it is worth retrying.
  if (error instanceof AnthropicError) {
    return new ModelError('connection', `The model's stream broke off: ${error.message}`, { retryable: true, cause: error });
  }
  return undefined;
}

function fromApiError(error: APIError, model: string): ModelError {
  const status = typeof error.status === 'number' ? error.status : undefined;
  const base = { status, requestId: error.requestID ?? undefined, cause: error };
  const said = error.apiMessage ?? error.message;
  if (isSpendLimit(error)) {
    return new ModelError('spend_limit', `The model API refused for spend: ${said}`, { ...base, retryable: false });
  }
  if (status === 401 || status === 403 || error.type === 'authentication_error' || error.type === 'permission_error') {
    return new ModelError('auth', `The model API refused Baton's key: ${said}`, { ...base, retryable: false });
  }
  if (isOverloaded(error)) {
    return new ModelError('overloaded', `${model} is overloaded: ${said}`, { ...base, retryable: true });
  }
  if (status === 429 || error.type === 'rate_limit_error') {
    return new ModelError('rate_limited', `The model API is rate-limiting Baton: ${said}`, {
      ...base, retryable: true, retryAfterSeconds: retryAfterOf(error.headers),
    });
  }
  if (isUnknownModel(error)) {
    return new ModelError('invalid_request', `The model API does not know ${model}: ${said}`, { ...base, retryable: false });
  }
  if (status === 408 || status === 409 || (status !== undefined && status >= 500) || error.type === 'api_error' || error.type === 'timeout_error') {
    return new ModelError('server', `The model API failed: ${said}`, { ...base, retryable: true });
  }
  if (status === undefined && error.type === null) {
    return new ModelError('connection', `The model's stream broke off: ${said}`, { ...base, retryable: true });
  }
  return new ModelError('invalid_request', `The model API refused the request: ${said}`, { ...base, retryable: false });
}
