import type Anthropic from '@anthropic-ai/sdk';
import { buildMessage, ScriptMistake } from './anthropic-message.ts';
import { grammarViolation } from './anthropic-output-format.ts';
import { promptLayout, type PromptLayout } from './anthropic-prompt-blocks.ts';
import { PromptCache } from './anthropic-prompt-cache.ts';
import { checkRequest } from './anthropic-request-checks.ts';
import {
  requestInfo, type AnthropicErrorType, type RequestHandler, type RequestInfo, type ScriptedEntry, type ScriptedMessage, type ScriptedResponse,
} from './anthropic-script.ts';
import { anthropicStreamEvents } from './anthropic-stream-events.ts';
import { ThinkingLedger } from './anthropic-thinking-ledger.ts';
import { FakeServer, type FakeRequest, type FakeResponse } from './fake-server.ts';

export type {
  AnthropicErrorType, RequestHandler, RequestInfo, ScriptedBlock, ScriptedDrop, ScriptedEntry, ScriptedError, ScriptedMessage,
  ScriptedResponse,
} from './anthropic-script.ts';

export interface FakeAnthropicOptions {
  /** The key the client must send (as `x-api-key`, or `Authorization: Bearer` which SDK 1.x uses); default `sk-ant-test`. */
  apiKey?: string;
  /** When set, a request for any other model gets 404 not_found_error `model: <id>`, as the API answers. */
  knownModels?: string[];
  /** The shortest prefix the cache writes (the model's minimum cacheable length); default 1024 tokens. */
  minCacheableTokens?: number;
  /** The clock for cache lifetimes (5 min, 1 h), so tests can move time without sleeping; default Date.now. */
  now?: () => number;
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

const DROPPED_REPLY: ScriptedMessage = { content: [{ type: 'text', text: 'This reply never finishes: the connection drops while it streams.' }] };

/**
 * The Messages API (`POST /v1/messages`) for a real client:
 * `new Anthropic({ apiKey: 'sk-ant-test', baseURL: fake.url, maxRetries: 0 })`.
 * A valid request takes the next scripted entry (`script(...)`), or, once the queue is empty, the first
 * answer from the `handle(...)` handlers. Usage is computed by the fake itself, prompt cache included.
 * Structured output (`output_config.format`) is checked as the API checks it, and a forced `tool_choice`
 * is refused for the 5-5 models, as they refuse it.
 */
export class FakeAnthropic extends FakeServer {
  private readonly queue: ScriptedEntry[] = [];
  private readonly handlers: RequestHandler[] = [];
  private readonly options: FakeAnthropicOptions;
  private readonly cache: PromptCache;
  private readonly thinking = new ThinkingLedger();
  private requestSeq = 0;
  private messageSeq = 0;

  constructor(options: FakeAnthropicOptions = {}) {
    super('anthropic');
    this.options = options;
    this.cache = new PromptCache({ now: options.now ?? Date.now, minCacheableTokens: options.minCacheableTokens ?? 1024 });
    this.route('POST', '/v1/messages', (req) => this.messages(req));
  }

  /** Queues responses, consumed one per request in order, before any handler is asked. */
  script(...responses: ScriptedEntry[]): this {
    this.queue.push(...responses);
    return this;
  }

  /**
   * Adds a responder for requests that find the queue empty: handlers are asked in the order added and
   * the first that returns a response answers. For concurrent conversations, each answered by its content.
   * A handler may return a promise: the request stays open until it settles (a barrier, a slow model).
   */
  handle(handler: RequestHandler): this {
    this.handlers.push(handler);
    return this;
  }

  /** Scripted responses not yet consumed; a finished test usually expects 0. */
  remaining(): number {
    return this.queue.length;
  }

  /** The signature this fake gives a thinking text: to build a valid history by hand. */
  signThinking(thinking: string): string {
    return this.thinking.sign(thinking);
  }

  /** Live prompt-cache entries; a test of the fake may look, a client-side benchmark reads usage instead. */
  cachedPrefixes(): number {
    return this.cache.size();
  }

  /** Every JSON body POSTed to /v1/messages, in order (rejected ones included), for asserting prompts and tools. */
  requests(): Anthropic.MessageCreateParams[] {
    return this.callsTo('POST', '/v1/messages')
      .map((call) => call.body)
      .filter((body): body is Anthropic.MessageCreateParams => typeof body === 'object' && body !== null);
  }

  /** Forgets calls, faults, the queue, the handlers, the prompt cache and the thinking issued. */
  override reset(): void {
    super.reset();
    this.queue.length = 0;
    this.handlers.length = 0;
    this.cache.clear();
    this.thinking.clear();
  }

  private async messages(req: FakeRequest): Promise<FakeResponse> {
    const requestId = `req_fake_${++this.requestSeq}`;
    const fail = (status: number, type: AnthropicErrorType, message: string, headers: Record<string, string> = {}): FakeResponse => ({
      status,
      headers: { 'request-id': requestId, ...headers },
      body: { type: 'error', error: { type, message }, request_id: requestId },
    });

    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const key = req.headers['x-api-key'] ?? bearer;
    if (!key) return fail(401, 'authentication_error', 'x-api-key header is required');
    if (key !== (this.options.apiKey ?? 'sk-ant-test')) return fail(401, 'authentication_error', 'invalid x-api-key');
    if (!req.headers['anthropic-version']) return fail(400, 'invalid_request_error', 'anthropic-version: header is required');

    const body = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return fail(400, 'invalid_request_error', 'There was an error parsing the body of your request');
    }
    const params = body as Anthropic.MessageCreateParams;
    let layout: PromptLayout | undefined;
    const layoutOf = (): PromptLayout => (layout ??= promptLayout(params));
    const problem = checkRequest(params, layoutOf) ?? this.thinking.check(params.messages);
    if (problem) return fail(400, 'invalid_request_error', problem);
    if (this.options.knownModels && !this.options.knownModels.includes(params.model)) {
      return fail(404, 'not_found_error', `model: ${params.model}`);
    }

    const info = requestInfo(params, this.requestSeq);
    // What the prompt reads from the cache is decided on arrival; what it writes, once its answer starts.
    const cacheAccount = this.cache.begin(layoutOf());
    const entry = this.queue.shift();
    const scripted: ScriptedResponse | undefined = entry === undefined
      ? await this.ask(params, info)
      : typeof entry === 'function' ? await entry(params, info) : entry;
    if (!scripted) {
      return fail(500, 'api_error', `FakeAnthropic: no scripted response left for request #${this.requestSeq} — ` +
        'the test forgot to call fake.script(...) for it, or no fake.handle(...) handler answered it.');
    }

    if ('error' in scripted) {
      const { status, type, message = DEFAULT_ERROR_MESSAGES[type], retryAfterSeconds, midStream } = scripted.error;
      const retry: Record<string, string> = retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : {};
      if (midStream && params.stream) {
        const event = { type: 'error', error: { type, message }, request_id: requestId };
        return { status: 200, headers: { 'request-id': requestId }, stream: [`event: error\ndata: ${JSON.stringify(event)}\n\n`] };
      }
      return fail(status, type, message, retry);
    }

    const headers = { 'request-id': requestId };
    const drop = 'drop' in scripted ? scripted.drop : undefined;
    // Dropped before any answer: the prompt never reached a model, so the cache is left alone.
    if (drop && (drop.beforeResponse || !params.stream)) return { headers, dropAfterChunks: 0 };
    const reply: ScriptedMessage = 'drop' in scripted ? (drop?.content ? { content: drop.content } : DROPPED_REPLY) : scripted;
    let built;
    try {
      built = buildMessage(reply, {
        seq: ++this.messageSeq, model: params.model, maxTokens: params.max_tokens,
        usage: cacheAccount.commit(), sign: (text) => this.thinking.sign(text),
      });
      if (info.outputSchema && !reply.ignoreOutputFormat) checkStructuredAnswer(info.outputSchema, built.message);
    } catch (error) {
      if (error instanceof ScriptMistake) return fail(500, 'api_error', error.message);
      throw error;
    }
    if (drop) return { status: 200, headers, stream: anthropicStreamEvents(built.message), dropAfterChunks: drop.afterEvents };
    this.thinking.issue(built.message.content);
    if (params.stream) {
      return {
        status: 200, headers, chunkDelayMs: reply.chunkDelayMs,
        stream: anthropicStreamEvents(built.message, { truncatedToolJson: built.truncatedToolJson }),
      };
    }
    return { status: 200, headers, body: built.message };
  }

  /** The first handler's answer, handlers asked in order; an async one is awaited before the next is asked. */
  private async ask(params: Anthropic.MessageCreateParams, info: RequestInfo): Promise<ScriptedResponse | undefined> {
    for (const handler of [...this.handlers]) {
      const answer = await handler(params, info);
      if (answer) return answer;
    }
    return undefined;
  }
}

/**
 * With `output_config.format`, a reply that ends the turn is the structured answer, and constrained
 * decoding makes it valid JSON within the schema's grammar. A script that answers otherwise tests
 * something the API never sends: refused as a script mistake (cut it at max_tokens, break a bound the
 * grammar does not enforce, or set `ignoreOutputFormat` for a gateway that ignores the format).
 */
function checkStructuredAnswer(schema: Record<string, unknown>, message: Anthropic.Message): void {
  if (message.stop_reason !== 'end_turn' || message.content.some((block) => block.type === 'tool_use')) return;
  const text = message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ScriptMistake(`FakeAnthropic: the scripted answer is not JSON, but the request asked for output_config.format: ${text.slice(0, 80)}`);
  }
  const problem = grammarViolation(schema, value);
  if (problem) throw new ScriptMistake(`FakeAnthropic: the scripted answer breaks the grammar of output_config.format, which the API never sends: ${problem}`);
}
