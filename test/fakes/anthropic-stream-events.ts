import type Anthropic from '@anthropic-ai/sdk';

const sse = (event: string, data: Record<string, unknown>): string =>
  `event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`;

/** Splits into at most `parts` non-empty pieces, so clients must really concatenate deltas. */
function split(text: string, parts: number): string[] {
  if (text.length === 0) return [];
  const size = Math.ceil(text.length / parts);
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces;
}

export interface StreamOptions {
  deltasPerBlock?: number;
  /** The JSON sent for the last tool_use block instead of its input: a reply cut at max_tokens inside a tool call. */
  truncatedToolJson?: string;
}

/**
 * The SSE frames the Messages API sends for `message` when `stream: true`: message_start (with the whole
 * input usage: the SDK takes `cache_creation` from it only), ping, per block content_block_start → deltas →
 * content_block_stop, message_delta (stop_reason, stop_details, cumulative usage), message_stop.
 * Thinking starts empty and streams as thinking_delta then one signature_delta; redacted_thinking
 * arrives whole in its content_block_start, as the API sends them.
 */
export function anthropicStreamEvents(message: Anthropic.Message, options: number | StreamOptions = {}): string[] {
  const { deltasPerBlock = 3, truncatedToolJson } = typeof options === 'number' ? { deltasPerBlock: options } : options;
  const lastToolUse = message.content.findLastIndex((b) => b.type === 'tool_use');
  const events = [
    sse('message_start', {
      message: {
        ...message, content: [], stop_reason: null, stop_sequence: null, stop_details: null,
        usage: { ...message.usage, output_tokens: 1 },
      },
    }),
    sse('ping', {}),
  ];
  const delta = (index: number, body: Record<string, unknown>): number => events.push(sse('content_block_delta', { index, delta: body }));
  message.content.forEach((block, index) => {
    if (block.type === 'text') {
      events.push(sse('content_block_start', { index, content_block: { ...block, text: '' } }));
      for (const text of split(block.text, deltasPerBlock)) delta(index, { type: 'text_delta', text });
    } else if (block.type === 'thinking') {
      events.push(sse('content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: '' } }));
      for (const thinking of split(block.thinking, deltasPerBlock)) delta(index, { type: 'thinking_delta', thinking });
      delta(index, { type: 'signature_delta', signature: block.signature });
    } else if (block.type === 'tool_use') {
      events.push(sse('content_block_start', { index, content_block: { ...block, input: {} } }));
      const json = index === lastToolUse && truncatedToolJson !== undefined ? truncatedToolJson : JSON.stringify(block.input ?? {});
      for (const partial_json of split(json, deltasPerBlock)) delta(index, { type: 'input_json_delta', partial_json });
    } else {
      events.push(sse('content_block_start', { index, content_block: block }));
    }
    events.push(sse('content_block_stop', { index }));
  });
  const { usage } = message;
  events.push(
    sse('message_delta', {
      delta: { stop_reason: message.stop_reason, stop_sequence: message.stop_sequence, stop_details: message.stop_details, container: null },
      usage: {
        input_tokens: usage.input_tokens, output_tokens: usage.output_tokens,
        cache_creation_input_tokens: usage.cache_creation_input_tokens, cache_read_input_tokens: usage.cache_read_input_tokens,
        server_tool_use: null, output_tokens_details: null,
      },
    }),
    sse('message_stop', {}),
  );
  return events;
}
