import type Anthropic from '@anthropic-ai/sdk';
import { checkOutputFormat } from './anthropic-output-format.ts';
import type { PromptLayout } from './anthropic-prompt-blocks.ts';

/** Client tools the models are trained on: the API accepts each type only under its one name. */
const CLIENT_TOOL_NAMES: Record<string, string> = {
  text_editor_20250124: 'str_replace_editor',
  text_editor_20250429: 'str_replace_based_edit_tool',
  text_editor_20250728: 'str_replace_based_edit_tool',
  bash_20241022: 'bash',
  bash_20250124: 'bash',
};

type Block = Anthropic.ContentBlockParam;
const blocksOf = (message: Anthropic.MessageParam | undefined): Block[] =>
  message === undefined ? [] : typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
const toolUseIds = (message: Anthropic.MessageParam | undefined): string[] =>
  message?.role === 'assistant' ? blocksOf(message).flatMap((b) => (b.type === 'tool_use' ? [b.id] : [])) : [];

/**
 * The checks the real API makes before any model runs, with its wording, so that a request our loop
 * builds wrong fails here as it would in production. Returns the 400 message, or undefined.
 */
export function checkRequest(params: Anthropic.MessageCreateParams, layout: () => PromptLayout): string | undefined {
  return checkFields(params) ?? checkTools(params.tools ?? []) ?? checkToolChoice(params) ?? checkOutputFormat(params)
    ?? checkBreakpoints(layout()) ?? checkToolPairs(params.messages);
}

// Newer models (the 5-5 generation) answer a forced tool_choice with an error (MODEL-API.md): code that
// forces a tool to get JSON must fail here as it would there, not pass against an older fake.
const NO_FORCED_TOOLS = /-5-5(?:$|-)/;

function checkToolChoice(params: Anthropic.MessageCreateParams): string | undefined {
  const type = params.tool_choice?.type;
  if ((type === 'any' || type === 'tool') && NO_FORCED_TOOLS.test(params.model)) return 'forced tool use is not supported for this model';
  return undefined;
}

function checkFields(params: Anthropic.MessageCreateParams): string | undefined {
  if (typeof params.model !== 'string' || !params.model) return 'model: Field required';
  if (params.max_tokens === undefined) return 'max_tokens: Field required';
  if (!Number.isInteger(params.max_tokens) || params.max_tokens < 1) return 'max_tokens: Input should be greater than or equal to 1';
  if (params.messages === undefined) return 'messages: Field required';
  if (!Array.isArray(params.messages) || params.messages.length === 0) return 'messages: at least one message is required';
  const badRole = params.messages.findIndex((m) => !['user', 'assistant', 'system'].includes(m.role));
  if (badRole !== -1) return `messages.${badRole}.role: Input should be 'user', 'assistant' or 'system'`;
  return undefined;
}

function checkTools(tools: Anthropic.ToolUnion[]): string | undefined {
  const names = new Set<string>();
  for (const [i, tool] of tools.entries()) {
    const type = 'type' in tool && tool.type ? tool.type : 'custom';
    // A few server toolsets have no name; they cannot clash with a client tool.
    if (!('name' in tool)) continue;
    const expected = CLIENT_TOOL_NAMES[type];
    if (expected !== undefined && tool.name !== expected) return `tools.${i}.${type}.name: Input should be '${expected}'`;
    if (type === 'custom') {
      if (!/^[a-zA-Z0-9_-]{1,128}$/.test(tool.name ?? '')) return `tools.${i}.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'`;
      if (!('input_schema' in tool) || !tool.input_schema) return `tools.${i}.custom.input_schema: Field required`;
    }
    if (names.has(tool.name)) return 'tools: Tool names must be unique.';
    names.add(tool.name);
  }
  return undefined;
}

function checkBreakpoints(layout: PromptLayout): string | undefined {
  if (layout.breakpointCount > 4) {
    return `A maximum of 4 blocks with cache_control may be provided. Found ${layout.breakpointCount}.`;
  }
  // The API processes tools, system, messages in order, and a longer-lived entry cannot follow a shorter one.
  const firstShort = layout.blocks.findIndex((b) => b.breakpoint === '5m');
  const lateLong = layout.blocks.findIndex((b, i) => firstShort !== -1 && i > firstShort && b.breakpoint === '1h');
  if (lateLong !== -1) {
    return `${layout.blocks[lateLong]!.path}.cache_control: a ttl='1h' cache_control block must not come after a ttl='5m' ` +
      'cache_control block. Blocks are processed in the order `tools`, `system`, `messages`.';
  }
  return undefined;
}

function checkToolPairs(messages: Anthropic.MessageParam[]): string | undefined {
  for (const [m, message] of messages.entries()) {
    const ids = toolUseIds(message);
    if (ids.length > 0) {
      const next = messages[m + 1];
      const answered = new Set<string>();
      // Only tool_result blocks at the head of the very next user message count: text before them breaks the pair.
      for (const block of next?.role === 'user' ? blocksOf(next) : []) {
        if (block.type !== 'tool_result') break;
        answered.add(block.tool_use_id);
      }
      const missing = ids.filter((id) => !answered.has(id));
      if (missing.length > 0) {
        return `messages.${m}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. ` +
          'Each `tool_use` block must have a corresponding `tool_result` block in the next message.';
      }
    }
    if (message.role !== 'user') continue;
    const asked = new Set(toolUseIds(messages[m - 1]));
    for (const [i, block] of blocksOf(message).entries()) {
      if (block.type === 'tool_result' && !asked.has(block.tool_use_id)) {
        return `messages.${m}.content.${i}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${block.tool_use_id}. ` +
          'Each `tool_result` block must have a corresponding `tool_use` block in the previous message.';
      }
    }
  }
  return undefined;
}
