import { createHash } from 'node:crypto';
import type Anthropic from '@anthropic-ai/sdk';
import { canonicalJson, countTokens } from './anthropic-tokens.ts';

export type CacheTtl = '5m' | '1h';

/** One block of the cacheable prompt, in the API's order: tools, then system, then messages. */
export interface PromptBlock {
  /** The API's path to the block, as its error messages write it: `tools.0`, `system.1`, `messages.3.content.0`. */
  path: string;
  tokens: number;
  /** Tokens from the start of the prompt through this block. */
  prefixTokens: number;
  /** Hash of the model and every block through this one: equal hashes mean a byte-identical prefix. */
  prefixHash: string;
  /** Set when a cache breakpoint ends the prefix here. */
  breakpoint?: CacheTtl;
}

export interface PromptLayout {
  blocks: PromptBlock[];
  /** Blocks carrying `cache_control`, plus one for a top-level `cache_control`: the API allows 4. */
  breakpointCount: number;
  totalTokens: number;
}

type CacheControl = { type?: string; ttl?: string } | null | undefined;

const ttlOf = (control: CacheControl): CacheTtl | undefined =>
  control ? (control.ttl === '1h' ? '1h' : '5m') : undefined;

/**
 * Flattens a request into the prefix the API caches. A string `system` or message content counts as one
 * text block (it cannot carry a breakpoint). The role and message index go into the hash, so moving a
 * block from one message to the next changes the prefix, as it changes the prompt the model sees.
 *
 * A structured-output schema (`output_config.format`) heads the prefix: the API adds a system prompt
 * describing the format, and a request with another schema misses a cache the same prompt wrote (observed
 * on Claude through Bedrock's Converse API, where changing only the schema turns a hit into a miss). So
 * requests that share a cached prefix must also share their schema.
 */
export function promptLayout(params: Anthropic.MessageCreateParams): PromptLayout {
  const raw: { path: string; key: string; control: CacheControl }[] = [];
  const format = params.output_config?.format;
  if (format) raw.push({ path: 'output_config.format', key: `output_format:${canonicalJson(format)}`, control: undefined });
  (params.tools ?? []).forEach((tool, i) =>
    raw.push({ path: `tools.${i}`, key: `tool:${canonicalJson(tool)}`, control: (tool as { cache_control?: CacheControl }).cache_control }));
  const system = typeof params.system === 'string' ? [{ type: 'text' as const, text: params.system }] : params.system ?? [];
  system.forEach((block, i) =>
    raw.push({ path: `system.${i}`, key: `system:${canonicalJson(block)}`, control: (block as { cache_control?: CacheControl }).cache_control }));
  params.messages.forEach((message, m) => {
    const content = typeof message.content === 'string' ? [{ type: 'text' as const, text: message.content }] : message.content;
    content.forEach((block, i) => raw.push({
      path: `messages.${m}.content.${i}`,
      key: `messages.${m}.${message.role}:${canonicalJson(block)}`,
      control: (block as { cache_control?: CacheControl }).cache_control,
    }));
  });

  let hash = createHash('sha256').update(`model:${params.model}`).digest('hex');
  let prefixTokens = 0;
  const blocks = raw.map(({ path, key, control }): PromptBlock => {
    hash = createHash('sha256').update(hash).update('\n').update(key).digest('hex');
    const tokens = countTokens(key.slice(key.indexOf(':') + 1));
    prefixTokens += tokens;
    const breakpoint = ttlOf(control);
    return { path, tokens, prefixTokens, prefixHash: hash, ...(breakpoint ? { breakpoint } : {}) };
  });

  let breakpointCount = blocks.filter((b) => b.breakpoint).length;
  const automatic = ttlOf(params.cache_control);
  const last = blocks.at(-1);
  if (automatic) {
    breakpointCount += 1;
    // The top-level cache_control marks the last cacheable block; an explicit one there keeps its own ttl.
    if (last && !last.breakpoint) last.breakpoint = automatic;
  }
  return { blocks, breakpointCount, totalTokens: prefixTokens };
}
