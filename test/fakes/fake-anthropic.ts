import type Anthropic from '@anthropic-ai/sdk';
import { anthropicStreamEvents } from './anthropic-stream-events.ts';
import { FakeServer, type FakeRequest, type FakeResponse } from './fake-server.ts';

export type AnthropicErrorType =
  | 'invalid_request_error' | 'authentication_error' | 'billing_error' | 'permission_error' | 'not_found_error'
  | 'request_too_large' | 'rate_limit_error' | 'api_error' | 'timeout_error' | 'overloaded_error';

export type ScriptedBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id?: string; name: string; input: unknown };

/** A reply; omitted fields are filled the way the API would (id, model echoed from the request, usage estimates). */
export interface ScriptedMessage {
  content: ScriptedBlock[];
  /** Defaults to `tool_use` when the content has a tool_use block, else `end_turn`. */
  stop_reason?: Anthropic.StopReason;
  stop_sequence?: string | null;
  usage?: Partial<Pick<Anthropic.Usage, 'input_tokens' | 'output_tokens' | 'cache_creation_input_tokens' | 'cache_read_input_tokens'>>;
  model?: string;
  id?: string;
  /** Pause between SSE frames when the request streams (a slow model). */
  chunkDelayMs?: number;
}

export interface ScriptedError {
  error: {
    status: number;
    type: AnthropicErrorType;
    message?: string;
    retryAfterSeconds?: number;
    /** For streaming requests: answer 200 and then send an SSE `error` event, as the API does when overloaded mid-stream. */
    midStream?: boolean;
  };
}

export type ScriptedResponse = ScriptedMessage | ScriptedError;
/** A function is called with the parsed request, e.g. to answer based on the tool_result the client sent. */
export type ScriptedEntry = ScriptedResponse | ((request: Anthropic.MessageCreateParams) => ScriptedResponse);

export interface FakeAnthropicOptions {
  /** The key the client must send (as `x-api-key`, or `Authorization: Bearer` which SDK 1.x uses); default `sk-ant-test`. */
  apiKey?: string;
}

const DEFAULT_ERROR_MESSAGES: Record<AnthropicErrorType, string> = {
  invalid_request_error: 'Invalid request.',
  authentication_error: 'invalid x-api-key',
  billing_error: 'Your credit balance is too low to access the Anthropic API.',
  permission_error: 'Your API key does not have permission to use the specified resource.',
  not_found_error: 'Not found.',
  request_too_large: 'Request exceeds the maximum allowed number of bytes.',
  rate_limit_error: 'Number of request tokens has exceeded your per-minute rate limit.',
  api_error: 'Internal server error',
  timeout_error: 'Request timed out.',
  overloaded_error: 'Overloaded',
};

const estimateTokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4));

/**
 * The Messages API (`POST /v1/messages`) for a real client:
 * `new Anthropic({ apiKey: 'sk-ant-test', baseURL: fake.url, maxRetries: 0 })`.
 * Each request consumes the next scripted response, streamed as SSE when the request asks for `stream: true`.
 */
export class FakeAnthropic extends FakeServer {
  private readonly queue: ScriptedEntry[] = [];
  private readonly apiKey: string;
  private requestSeq = 0;
  private messageSeq = 0;

  constructor(options: FakeAnthropicOptions = {}) {
    super('anthropic');
    this.apiKey = options.apiKey ?? 'sk-ant-test';
    this.route('POST', '/v1/messages', (req) => this.messages(req));
  }

  /** Queues responses, consumed one per request in order. */
  script(...responses: ScriptedEntry[]): this {
    this.queue.push(...responses);
    return this;
  }

  /** Scripted responses not yet consumed; a finished test usually expects 0. */
  remaining(): number {
    return this.queue.length;
  }

  /** Every JSON body POSTed to /v1/messages, in order (rejected ones included), for asserting prompts and tools. */
  requests(): Anthropic.MessageCreateParams[] {
    return this.callsTo('POST', '/v1/messages')
      .map((call) => call.body)
      .filter((body): body is Anthropic.MessageCreateParams => typeof body === 'object' && body !== null);
  }

  override reset(): void {
    super.reset();
    this.queue.length = 0;
  }

  private messages(req: FakeRequest): FakeResponse {
    const requestId = `req_fake_${++this.requestSeq}`;
    const fail = (status: number, type: AnthropicErrorType, message: string, headers: Record<string, string> = {}): FakeResponse => ({
      status,
      headers: { 'request-id': requestId, ...headers },
      body: { type: 'error', error: { type, message }, request_id: requestId },
    });

    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const key = req.headers['x-api-key'] ?? bearer;
    if (!key) return fail(401, 'authentication_error', 'x-api-key header is required');
    if (key !== this.apiKey) return fail(401, 'authentication_error', 'invalid x-api-key');
    if (!req.headers['anthropic-version']) return fail(400, 'invalid_request_error', 'anthropic-version: header is required');

    const body = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return fail(400, 'invalid_request_error', 'There was an error parsing the body of your request');
    }
    const params = body as Anthropic.MessageCreateParams;
    const problem = validate(params);
    if (problem) return fail(400, 'invalid_request_error', problem);

    const entry = this.queue.shift();
    if (!entry) {
      return fail(500, 'api_error',
        `FakeAnthropic: no scripted response left for request #${this.requestSeq} — the test forgot to call fake.script(...) for it.`);
    }
    const scripted = typeof entry === 'function' ? entry(params) : entry;

    if ('error' in scripted) {
      const { status, type, message = DEFAULT_ERROR_MESSAGES[type], retryAfterSeconds, midStream } = scripted.error;
      const retry: Record<string, string> = retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : {};
      if (midStream && params.stream) {
        const event = { type: 'error', error: { type, message }, request_id: requestId };
        return { status: 200, headers: { 'request-id': requestId }, stream: [`event: error\ndata: ${JSON.stringify(event)}\n\n`] };
      }
      return fail(status, type, message, retry);
    }

    const message = this.complete(scripted, params, req.rawBody.length);
    if (params.stream) {
      return {
        status: 200, headers: { 'request-id': requestId },
        stream: anthropicStreamEvents(message), chunkDelayMs: scripted.chunkDelayMs,
      };
    }
    return { status: 200, headers: { 'request-id': requestId }, body: message };
  }

  private complete(scripted: ScriptedMessage, params: Anthropic.MessageCreateParams, requestBytes: number): Anthropic.Message {
    const seq = ++this.messageSeq;
    const content: Anthropic.ContentBlock[] = scripted.content.map((block, i) =>
      block.type === 'text'
        ? { type: 'text', text: block.text, citations: null }
        : { type: 'tool_use', id: block.id ?? `toolu_fake_${seq}_${i}`, name: block.name, input: block.input, caller: { type: 'direct' } });
    const outputText = scripted.content.map((b) => (b.type === 'text' ? b.text : JSON.stringify(b.input))).join('');
    return {
      id: scripted.id ?? `msg_fake_${seq}`,
      type: 'message',
      role: 'assistant',
      model: scripted.model ?? params.model,
      content,
      stop_reason: scripted.stop_reason ?? (content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn'),
      stop_sequence: scripted.stop_sequence ?? null,
      stop_details: null,
      container: null,
      diagnostics: null,
      usage: {
        input_tokens: scripted.usage?.input_tokens ?? Math.max(1, Math.ceil(requestBytes / 4)),
        output_tokens: scripted.usage?.output_tokens ?? estimateTokens(outputText),
        cache_creation_input_tokens: scripted.usage?.cache_creation_input_tokens ?? 0,
        cache_read_input_tokens: scripted.usage?.cache_read_input_tokens ?? 0,
        cache_creation: null,
        inference_geo: null,
        output_tokens_details: null,
        server_tool_use: null,
        service_tier: 'standard',
        speed: null,
      },
    };
  }
}

/** The few checks the real API makes before any model runs, with its wording. */
function validate(params: Anthropic.MessageCreateParams): string | undefined {
  if (typeof params.model !== 'string' || !params.model) return 'model: Field required';
  if (params.max_tokens === undefined) return 'max_tokens: Field required';
  if (!Number.isInteger(params.max_tokens) || params.max_tokens < 1) return 'max_tokens: Input should be greater than or equal to 1';
  if (params.messages === undefined) return 'messages: Field required';
  if (!Array.isArray(params.messages) || params.messages.length === 0) return 'messages: at least one message is required';
  const badRole = params.messages.findIndex((m) => !['user', 'assistant', 'system'].includes(m.role));
  if (badRole !== -1) return `messages.${badRole}.role: Input should be 'user', 'assistant' or 'system'`;
  return undefined;
}
