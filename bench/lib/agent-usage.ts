import type { ModelCall } from '../../src/agents/model-client.ts';
import { costOf, type CallUsage } from '../../src/domain/model-cost.ts';
import type { ModelPrice } from '../../src/policy.ts';

const ZERO: CallUsage = { input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 };

/** Every prompt token of a call, however it was billed (the API's input_tokens excludes cache writes and reads). */
export const promptTokens = (u: CallUsage): number => u.input + u.cacheWrite5m + u.cacheWrite1h + u.cacheRead;

export interface UsageSummary {
  calls: number;
  usage: CallUsage;
  /** cache_read / (input + cache writes + cache_read), over all calls. */
  cacheShare: number;
  /** As the model client priced the calls. */
  costUsd: number;
  /** The same calls' prompt tokens all at the base input price (no writes, no reads) plus output: caching off, computed. */
  uncachedCostUsd: number;
  /** The call with the most prompt tokens (1-based turn) and how many. */
  largest: { turn: number; tokens: number };
}

export function summarizeUsage(calls: readonly ModelCall[], price: ModelPrice): UsageSummary {
  const usage = calls.reduce((sum, c) => addUsage(sum, c.usage), ZERO);
  const prompt = promptTokens(usage);
  let largest = { turn: 0, tokens: 0 };
  calls.forEach((c, i) => {
    if (promptTokens(c.usage) > largest.tokens) largest = { turn: i + 1, tokens: promptTokens(c.usage) };
  });
  return {
    calls: calls.length,
    usage,
    cacheShare: prompt === 0 ? 0 : usage.cacheRead / prompt,
    costUsd: calls.reduce((sum, c) => sum + c.costUsd, 0),
    uncachedCostUsd: costOf({ ...ZERO, input: prompt, output: usage.output }, price),
    largest,
  };
}

/** Two calls' usage, field by field (the bench sums a run's calls). */
export function addUsage(a: CallUsage, b: CallUsage): CallUsage {
  return {
    input: a.input + b.input,
    output: a.output + b.output,
    cacheWrite5m: a.cacheWrite5m + b.cacheWrite5m,
    cacheWrite1h: a.cacheWrite1h + b.cacheWrite1h,
    cacheRead: a.cacheRead + b.cacheRead,
  };
}
