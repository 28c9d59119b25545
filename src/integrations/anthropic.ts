import Anthropic from '@anthropic-ai/sdk';

export interface AnthropicOptions {
  /** ANTHROPIC_BASE_URL: the API, a gateway, or a local server that speaks the Messages API. */
  baseUrl: string;
  apiKey: string;
  /** The SDK's own retries of connection errors, 408, 409, 429 and 5xx/529 (with backoff and Retry-After). */
  maxRetries: number;
  /** Until the response headers arrive; a stream then runs as long as the model writes. */
  timeoutMs: number;
}

/**
 * The Anthropic SDK client. Everything is passed explicitly, so the SDK reads nothing from the
 * environment on its own (it would otherwise fall back to ANTHROPIC_* variables).
 */
export function createAnthropic(options: AnthropicOptions): Anthropic {
  return new Anthropic({
    baseURL: options.baseUrl,
    apiKey: options.apiKey,
    authToken: null,
    maxRetries: options.maxRetries,
    timeout: options.timeoutMs,
  });
}
