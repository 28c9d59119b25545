import type Anthropic from '@anthropic-ai/sdk';

/** What a cut-off tool call is answered with: it was never run, and why. */
export const CUT_OFF_CALL =
  'your output was cut off at max_tokens before this call was complete; nothing was run — make smaller edits';

export const cutOffNote = (maxTokens: number): string =>
  `Your last reply was cut off at the output limit (max_tokens = ${maxTokens}) before it was complete, so none of its tool calls ran. ` +
  'Continue from where you were in smaller steps: smaller edits, one file or one function at a time.';

/**
 * Appends a message, merging it into the last one when both have the same role. The API reads
 * consecutive same-role messages as one turn anyway; merging keeps the history strictly
 * alternating (a `pause_turn` continuation extends the paused assistant turn) without touching
 * the caller's objects: the merged message is a new one.
 */
export function appendMessage(messages: Anthropic.MessageParam[], message: Anthropic.MessageParam): void {
  const last = messages.at(-1);
  if (!last || last.role !== message.role) {
    messages.push(message);
    return;
  }
  messages[messages.length - 1] = { role: last.role, content: [...blocksOf(last.content), ...blocksOf(message.content)] } as Anthropic.MessageParam;
}

function blocksOf(content: Anthropic.MessageParam['content']): Anthropic.ContentBlockParam[] {
  return typeof content === 'string' ? (content ? [{ type: 'text', text: content }] : []) : content;
}

/**
 * The assistant's blocks as they go back to the API: as received (thinking and redacted_thinking
 * unchanged, in order, since their signatures tie them to this conversation), as plain objects.
 * JSON keeps only what the API sent; the SDK's own additions (`parsed_output`, the partial JSON
 * buffer of a tool call) are not enumerable and stay behind.
 */
export function assistantBlocks(content: readonly Anthropic.ContentBlock[]): Anthropic.ContentBlockParam[] {
  return content.map((block) => JSON.parse(JSON.stringify(block)) as Anthropic.ContentBlockParam);
}

/**
 * The blocks of a reply that stopped early (max_tokens, refusal, context window) that are still
 * valid to send back: a thinking block cut off before its signature, or an empty text block,
 * would be refused by the API.
 */
export function completeBlocks(content: readonly Anthropic.ContentBlockParam[]): Anthropic.ContentBlockParam[] {
  return content.filter((block) => {
    if (block.type === 'thinking') return typeof block.signature === 'string' && block.signature.length > 0;
    if (block.type === 'text') return block.text.length > 0;
    return true;
  });
}

export function textOf(content: readonly Anthropic.ContentBlock[]): string {
  return content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('\n').trim();
}
