import type Anthropic from '@anthropic-ai/sdk';

export type AnthropicErrorType =
  | 'invalid_request_error' | 'authentication_error' | 'billing_error' | 'permission_error' | 'not_found_error'
  | 'request_too_large' | 'rate_limit_error' | 'api_error' | 'timeout_error' | 'overloaded_error';

export type ScriptedBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id?: string; name: string; input: unknown }
  /** Signed by the fake unless `signature` is given; either way the fake remembers it and refuses it changed. */
  | { type: 'thinking'; thinking: string; signature?: string }
  | { type: 'redacted_thinking'; data: string }
  /**
   * A structured-output answer: sent as one text block holding `JSON.stringify(value)`. When the request
   * asks for `output_config.format`, the fake checks the answer against the schema's grammar first.
   */
  | { type: 'json'; value: unknown };

/** A reply; omitted fields are filled the way the API would (id, model echoed from the request, usage computed). */
export interface ScriptedMessage {
  content: ScriptedBlock[];
  /**
   * Defaults to `max_tokens` with `truncateToolInput`, `refusal` with `stop_details`, `tool_use` when the
   * content has a tool_use block, else `end_turn`.
   */
  stop_reason?: Anthropic.StopReason;
  stop_sequence?: string | null;
  /** The refusal's details; with `stop_reason: 'refusal'` and none given, category and explanation are null. */
  stop_details?: { category: Anthropic.RefusalStopDetails['category']; explanation: string | null };
  /**
   * The reply ran out of tokens inside its last tool_use block: its input JSON is cut (at half its length,
   * or after this many characters), blocks after it are not sent, and output_tokens is the request's max_tokens.
   */
  truncateToolInput?: boolean | number;
  /** Overrides the usage the fake computes (off by default: a scripted cache figure proves nothing). */
  usage?: Partial<Pick<Anthropic.Usage,
    'input_tokens' | 'output_tokens' | 'cache_creation_input_tokens' | 'cache_read_input_tokens' | 'cache_creation'>>;
  model?: string;
  id?: string;
  /** Pause between SSE frames when the request streams (a slow model). */
  chunkDelayMs?: number;
  /**
   * Send the text as scripted even when it breaks the `output_config.format` the request asked for, as a
   * gateway or model that does not apply the format would. Without it the fake refuses to send a final
   * answer that constrained decoding could never produce (a script mistake, answered with a 500).
   */
  ignoreOutputFormat?: boolean;
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

/**
 * The connection drops. A streaming request gets a 200, `afterEvents` SSE frames of a reply (built from
 * `content`, default one text block; frames count from message_start, the ping included), then the socket is destroyed: SDK 1.11's `finalMessage()` rejects
 * with a bare `AnthropicError('terminated')` (no status, not an APIConnectionError, never retried by the
 * SDK). A non-streaming request, or any request with `beforeResponse`, gets no answer at all: the SDK
 * throws `APIConnectionError` and retries it within `maxRetries`.
 */
export interface ScriptedDrop {
  drop: { afterEvents: number; content?: ScriptedBlock[]; beforeResponse?: boolean };
}

export type ScriptedResponse = ScriptedMessage | ScriptedError | ScriptedDrop;

/** What a script function or handler usually needs to know about a request, computed once. */
export interface RequestInfo {
  /** This request's number at the fake, from 1 (not reset by `reset()`). */
  requestNumber: number;
  /** Assistant messages already in the conversation: 0 on its first call. */
  turn: number;
  /** tool_result blocks in the whole conversation. */
  toolResults: number;
  /** The tool_result blocks of the last message, when it is a user message. */
  lastToolResults: Anthropic.ToolResultBlockParam[];
  /** The first user message's text (a string, or its text blocks joined by newlines): where a run id or ticket sits. */
  firstUserText: string;
  /** The names of the tools offered. */
  toolNames: string[];
  stream: boolean;
  /** The JSON schema of `output_config.format` when the request asks for structured output. */
  outputSchema: Record<string, unknown> | undefined;
  /** `tool_choice.type` as sent (`auto`, `any`, `tool`, `none`), when sent. */
  toolChoice: string | undefined;
}

/**
 * A function entry is called with the parsed request, e.g. to answer based on the tool_result the client sent.
 * It may answer later (a promise): the request stays open, as a slow model keeps it, until it settles.
 */
export type ScriptedEntry =
  | ScriptedResponse
  | ((request: Anthropic.MessageCreateParams, info: RequestInfo) => ScriptedResponse | Promise<ScriptedResponse>);

/**
 * Answers a request from its content once the queue is empty; `undefined` leaves it to the next handler.
 * An async handler holds the request open until it settles: a test can hold several requests at once
 * (a barrier) to prove a client sends them concurrently, which a sequential client never would.
 */
export type RequestHandler = (
  request: Anthropic.MessageCreateParams,
  info: RequestInfo,
) => ScriptedResponse | undefined | Promise<ScriptedResponse | undefined>;

export function requestInfo(params: Anthropic.MessageCreateParams, requestNumber: number): RequestInfo {
  const blocks = (message: Anthropic.MessageParam | undefined): Anthropic.ContentBlockParam[] =>
    message === undefined ? [] : typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
  const results = (message: Anthropic.MessageParam | undefined): Anthropic.ToolResultBlockParam[] =>
    message?.role === 'user' ? blocks(message).filter((b): b is Anthropic.ToolResultBlockParam => b.type === 'tool_result') : [];
  const firstUser = params.messages.find((m) => m.role === 'user');
  return {
    requestNumber,
    turn: params.messages.filter((m) => m.role === 'assistant').length,
    toolResults: params.messages.reduce((sum, m) => sum + results(m).length, 0),
    lastToolResults: results(params.messages.at(-1)),
    firstUserText: blocks(firstUser).flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('\n'),
    toolNames: (params.tools ?? []).flatMap((t) => ('name' in t ? [t.name] : [])),
    stream: params.stream === true,
    outputSchema: params.output_config?.format?.type === 'json_schema' ? params.output_config.format.schema : undefined,
    toolChoice: params.tool_choice?.type,
  };
}
