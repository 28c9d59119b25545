import type Anthropic from '@anthropic-ai/sdk';
import { partialParse } from '@anthropic-ai/sdk/_vendor/partial-json-parser/parser';
import type { CacheUsage } from './anthropic-prompt-cache.ts';
import type { ScriptedBlock, ScriptedMessage } from './anthropic-script.ts';
import { countTokens } from './anthropic-tokens.ts';

export interface BuiltMessage {
  message: Anthropic.Message;
  /** With `truncateToolInput`: the cut JSON the stream sends for the last tool_use block. */
  truncatedToolJson?: string;
}

export interface MessageContext {
  seq: number;
  model: string;
  maxTokens: number;
  usage: CacheUsage;
  sign: (thinking: string) => string;
}

export class ScriptMistake extends Error {
  readonly code = 'fake_script_mistake';
}

function toBlock(block: ScriptedBlock, seq: number, i: number, sign: (thinking: string) => string): Anthropic.ContentBlock {
  switch (block.type) {
    case 'text': return { type: 'text', text: block.text, citations: null };
    case 'tool_use': return { type: 'tool_use', id: block.id ?? `toolu_fake_${seq}_${i}`, name: block.name, input: block.input, caller: { type: 'direct' } };
    case 'thinking': return { type: 'thinking', thinking: block.thinking, signature: block.signature ?? sign(block.thinking) };
    case 'redacted_thinking': return { type: 'redacted_thinking', data: block.data };
    case 'json': return { type: 'text', text: JSON.stringify(block.value), citations: null };
  }
}

const outputText = (block: Anthropic.ContentBlock): string =>
  block.type === 'text' ? block.text
    : block.type === 'thinking' ? block.thinking
      : block.type === 'tool_use' ? JSON.stringify(block.input)
        : block.type === 'redacted_thinking' ? block.data : '';

/** Turns a scripted reply into the Message the API would send, with the usage the fake computed. */
export function buildMessage(scripted: ScriptedMessage, ctx: MessageContext): BuiltMessage {
  let content = scripted.content.map((block, i) => toBlock(block, ctx.seq, i, ctx.sign));
  let truncatedToolJson: string | undefined;
  if (scripted.truncateToolInput !== undefined && scripted.truncateToolInput !== false) {
    const last = content.findLastIndex((b) => b.type === 'tool_use');
    const block = content[last];
    if (block?.type !== 'tool_use') throw new ScriptMistake('FakeAnthropic: truncateToolInput needs a tool_use block in the scripted content');
    const json = JSON.stringify(block.input ?? {});
    const cut = scripted.truncateToolInput === true ? Math.floor(json.length / 2) : scripted.truncateToolInput;
    truncatedToolJson = json.slice(0, Math.max(1, Math.min(cut, json.length - 1)));
    // The model stopped inside this block: nothing after it exists, and its input is what the partial JSON says.
    content = [...content.slice(0, last), { ...block, input: partialParse(truncatedToolJson) }];
  }

  const stopReason: Anthropic.StopReason = scripted.stop_reason
    ?? (truncatedToolJson !== undefined ? 'max_tokens'
      : scripted.stop_details ? 'refusal'
        : content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn');
  const stopDetails: Anthropic.RefusalStopDetails | null = stopReason === 'refusal'
    ? { type: 'refusal', category: scripted.stop_details?.category ?? null, explanation: scripted.stop_details?.explanation ?? null }
    : null;
  const output = stopReason === 'max_tokens' ? ctx.maxTokens : countTokens(content.map(outputText).join(''));
  const override = scripted.usage ?? {};
  const message: Anthropic.Message = {
    id: scripted.id ?? `msg_fake_${ctx.seq}`,
    type: 'message',
    role: 'assistant',
    model: scripted.model ?? ctx.model,
    content,
    stop_reason: stopReason,
    stop_sequence: scripted.stop_sequence ?? null,
    stop_details: stopDetails,
    container: null,
    diagnostics: null,
    usage: {
      input_tokens: override.input_tokens ?? ctx.usage.input_tokens,
      output_tokens: override.output_tokens ?? output,
      cache_creation_input_tokens: override.cache_creation_input_tokens ?? ctx.usage.cache_creation_input_tokens,
      cache_read_input_tokens: override.cache_read_input_tokens ?? ctx.usage.cache_read_input_tokens,
      cache_creation: override.cache_creation ?? ctx.usage.cache_creation,
      inference_geo: null,
      output_tokens_details: null,
      server_tool_use: null,
      service_tier: 'standard',
      speed: null,
    },
  };
  return { message, ...(truncatedToolJson !== undefined ? { truncatedToolJson } : {}) };
}
