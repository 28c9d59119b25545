import { createHmac, randomBytes } from 'node:crypto';
import type Anthropic from '@anthropic-ai/sdk';

const MUST_START_WITH_THINKING =
  'When `thinking` is enabled, a final `assistant` message must start with a thinking block (preceeding the lastmost set of ' +
  '`tool_use` and `tool_result` blocks). We recommend you include thinking blocks from previous turns. To avoid this ' +
  'requirement, disable `thinking`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking';

/**
 * The thinking blocks this fake has issued. The API signs each thinking block and refuses one sent back
 * with its text or signature changed; it also refuses a tool loop whose last assistant turn lost the
 * thinking that came with its tool calls. Remembering what was issued makes "thinking goes back
 * unchanged" a test that can fail.
 */
export class ThinkingLedger {
  private readonly key = randomBytes(32);
  private readonly signatures = new Map<string, string>();
  private readonly redacted = new Set<string>();
  private readonly toolUsesWithThinking = new Set<string>();

  /** The signature the fake gives `thinking` (an HMAC with a key of this fake): for tests that build a history by hand. */
  sign(thinking: string): string {
    const signature = createHmac('sha256', this.key).update(thinking).digest('base64');
    this.signatures.set(signature, thinking);
    return signature;
  }

  /** Remembers the thinking of a reply about to be sent (blocks already carry their signatures). */
  issue(content: Anthropic.ContentBlock[]): void {
    let thought = false;
    for (const block of content) {
      if (block.type === 'thinking') this.signatures.set(block.signature, block.thinking);
      if (block.type === 'redacted_thinking') this.redacted.add(block.data);
      thought ||= block.type === 'thinking' || block.type === 'redacted_thinking';
      if (thought && block.type === 'tool_use') this.toolUsesWithThinking.add(block.id);
    }
  }

  /** The API's 400 message for thinking sent back wrong, or undefined. */
  check(messages: Anthropic.MessageParam[]): string | undefined {
    for (const [m, message] of messages.entries()) {
      if (message.role !== 'assistant' || typeof message.content === 'string') continue;
      for (const [i, block] of message.content.entries()) {
        if (block.type === 'thinking' && this.signatures.get(block.signature) !== block.thinking) {
          return `messages.${m}.content.${i}: Invalid \`signature\` in \`thinking\` block`;
        }
        if (block.type === 'redacted_thinking' && !this.redacted.has(block.data)) {
          return `messages.${m}.content.${i}: Invalid \`data\` in \`redacted_thinking\` block`;
        }
      }
    }
    const last = messages.findLastIndex((message) => message.role === 'assistant');
    const content = messages[last]?.content;
    if (last === -1 || content === undefined) return undefined;
    const blocks = typeof content === 'string' ? [{ type: 'text' as const, text: content }] : content;
    const hadThinking = blocks.some((b) => b.type === 'tool_use' && this.toolUsesWithThinking.has(b.id));
    const first = blocks[0]?.type ?? 'nothing';
    if (hadThinking && first !== 'thinking' && first !== 'redacted_thinking') {
      return `messages.${last}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${first}\`. ${MUST_START_WITH_THINKING}`;
    }
    return undefined;
  }

  clear(): void {
    this.signatures.clear();
    this.redacted.clear();
    this.toolUsesWithThinking.clear();
  }
}
