import type Anthropic from '@anthropic-ai/sdk';

// The API allows at most 4 breakpoints per request. Baton uses exactly these: the last tool, the
// last system block, the ticket (the first user message) and the newest user message. Tools,
// system and ticket never change in a run, so their prefix is written once and read on every turn;
// the moving one makes each turn read the whole history written by the turn before.
const EPHEMERAL: Anthropic.CacheControlEphemeral = { type: 'ephemeral' };

/**
 * The tools with a breakpoint on the last one only (copies: the caller's definitions are left
 * alone, and a breakpoint a tool brought along is dropped so the request stays within 4).
 */
export function withToolsBreakpoint(tools: readonly Anthropic.ToolUnion[], caching = true): Anthropic.ToolUnion[] {
  const plain = tools.map(withoutControl);
  return caching ? markLast(plain) : plain;
}

export function withSystemBreakpoint(system: readonly Anthropic.TextBlockParam[], caching = true): Anthropic.TextBlockParam[] {
  const plain = system.map(withoutControl);
  return caching ? markLast(plain) : plain;
}

function withoutControl<B extends object>(item: B): B {
  if (!('cache_control' in item)) return item;
  const { cache_control: _dropped, ...rest } = item;
  return rest as B;
}

function markLast<B extends object>(items: B[]): B[] {
  if (items.length === 0) return items;
  return [...items.slice(0, -1), { ...items.at(-1)!, cache_control: EPHEMERAL }];
}

/**
 * The conversation as sent: every breakpoint already in it removed (a resumed conversation may
 * carry old ones), then one on the first user message's last block and one on the newest user
 * message's last block. Only the copies sent carry them, so the history Baton keeps never holds a
 * stale breakpoint and its prefix stays byte-identical from turn to turn. With `caching` false,
 * the conversation goes with no breakpoint at all.
 */
export function withMessageBreakpoints(messages: readonly Anthropic.MessageParam[], caching = true): Anthropic.MessageParam[] {
  const out = messages.map(withoutBreakpoints);
  if (!caching) return out;
  const first = out.findIndex((m) => m.role === 'user');
  const newest = out.findLastIndex((m) => m.role === 'user');
  for (const index of new Set([first, newest])) {
    if (index !== -1) out[index] = markLastBlock(out[index]!);
  }
  return out;
}

function withoutBreakpoints(message: Anthropic.MessageParam): Anthropic.MessageParam {
  if (typeof message.content === 'string' || !message.content.some((b) => 'cache_control' in b)) return message;
  return { ...message, content: message.content.map(withoutControl) } as Anthropic.MessageParam;
}

function markLastBlock(message: Anthropic.MessageParam): Anthropic.MessageParam {
  const blocks: Anthropic.ContentBlockParam[] =
    typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : [...message.content];
  const last = blocks.at(-1);
  // Thinking blocks cannot carry a breakpoint (and never end a user message).
  if (!last || last.type === 'thinking' || last.type === 'redacted_thinking') return message;
  blocks[blocks.length - 1] = { ...last, cache_control: EPHEMERAL } as Anthropic.ContentBlockParam;
  return { ...message, content: blocks } as Anthropic.MessageParam;
}
