import type { ModelPrice } from '../policy.ts';

/** Tokens of one model call, by how they are billed. `input` excludes cache writes and reads, as the API reports it. */
export interface CallUsage {
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
}

/** The usage fields the API sends; every counter but input and output may be null or absent. */
export interface ApiUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation?: { ephemeral_5m_input_tokens?: number | null; ephemeral_1h_input_tokens?: number | null } | null;
}

const count = (value: number | null | undefined): number => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0);

export function usageFromApi(usage: ApiUsage): CallUsage {
  const created = count(usage.cache_creation_input_tokens);
  const split = usage.cache_creation;
  // Without the TTL split (older API versions, some gateways) the whole write is billed as the
  // default 5-minute TTL, which is what a breakpoint without `ttl` asks for.
  const cacheWrite1h = split ? count(split.ephemeral_1h_input_tokens) : 0;
  const cacheWrite5m = split ? count(split.ephemeral_5m_input_tokens) : created;
  return {
    input: count(usage.input_tokens),
    output: count(usage.output_tokens),
    cacheWrite5m,
    cacheWrite1h,
    cacheRead: count(usage.cache_read_input_tokens),
  };
}

/** USD for one call; prices are USD per million tokens, each field at its own rate (never a hard-coded multiplier). */
export function costOf(usage: CallUsage, price: ModelPrice): number {
  const microDollars =
    usage.input * price.input +
    usage.output * price.output +
    usage.cacheWrite5m * price.cache_write_5m +
    usage.cacheWrite1h * price.cache_write_1h +
    usage.cacheRead * price.cache_read;
  return microDollars / 1_000_000;
}

/** The price of a model, or undefined: a missing price must be reported, never counted as free. */
export function priceOf(model: string, prices: Readonly<Record<string, ModelPrice>>): ModelPrice | undefined {
  return Object.hasOwn(prices, model) ? prices[model] : undefined;
}
