/**
 * The fake's one token count, used for the prompt, the cache and the output alike, so that every figure
 * the fake reports adds up. It is an estimate (about four characters a token), not Claude's tokenizer:
 * tests and benchmarks compare the fake's figures with each other, never with the real API's.
 */
export function countTokens(value: unknown): number {
  const text = typeof value === 'string' ? value : canonicalJson(value);
  return Math.max(1, Math.ceil(text.length / 4));
}

/**
 * JSON with object keys sorted at every depth, so two blocks that are the same to the API (key order in
 * a client's object literal does not matter) hash the same. `cache_control` is dropped from a block and
 * from the blocks nested in its `content`: a breakpoint marks where a prefix ends, it is not part of it.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(withoutCacheControl(value)));
}

function withoutCacheControl(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const { cache_control: _dropped, ...rest } = value as Record<string, unknown>;
  if (Array.isArray(rest.content)) rest.content = rest.content.map(withoutCacheControl);
  return rest;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
}
