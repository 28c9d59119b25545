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

/**
 * The SSE frames the Messages API sends for `message` when `stream: true`:
 * message_start, ping, per block content_block_start → deltas → content_block_stop, message_delta, message_stop.
 */
export function anthropicStreamEvents(message: Anthropic.Message, deltasPerBlock = 3): string[] {
  const events = [
    sse('message_start', {
      message: {
        ...message, content: [], stop_reason: null, stop_sequence: null, stop_details: null,
        usage: { ...message.usage, output_tokens: 1 },
      },
    }),
    sse('ping', {}),
  ];
  message.content.forEach((block, index) => {
    if (block.type === 'text') {
      events.push(sse('content_block_start', { index, content_block: { ...block, text: '' } }));
      for (const text of split(block.text, deltasPerBlock)) {
        events.push(sse('content_block_delta', { index, delta: { type: 'text_delta', text } }));
      }
    } else if (block.type === 'tool_use') {
      events.push(sse('content_block_start', { index, content_block: { ...block, input: {} } }));
      for (const partial_json of split(JSON.stringify(block.input ?? {}), deltasPerBlock)) {
        events.push(sse('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json } }));
      }
    } else {
      events.push(sse('content_block_start', { index, content_block: block }));
    }
    events.push(sse('content_block_stop', { index }));
  });
  const { usage } = message;
  events.push(
    sse('message_delta', {
      delta: { stop_reason: message.stop_reason, stop_sequence: message.stop_sequence, stop_details: null, container: null },
      usage: {
        input_tokens: usage.input_tokens, output_tokens: usage.output_tokens,
        cache_creation_input_tokens: usage.cache_creation_input_tokens, cache_read_input_tokens: usage.cache_read_input_tokens,
        server_tool_use: null,
      },
    }),
    sse('message_stop', {}),
  );
  return events;
}
