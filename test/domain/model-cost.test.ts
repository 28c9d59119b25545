import { test } from 'node:test';
import assert from 'node:assert/strict';
import { costOf, priceOf, usageFromApi, type ApiUsage, type CallUsage } from '../../src/domain/model-cost.ts';
import { addUsage } from '../../bench/lib/agent-usage.ts';
import type { ModelPrice } from '../../src/policy.ts';

const usage = (fields: Partial<CallUsage>): CallUsage => ({ input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, ...fields });

test('usageFromApi reads every field, splitting cache writes by TTL', () => {
  const cases: { name: string; api: ApiUsage; expected: CallUsage }[] = [
    {
      name: 'all fields, with the split',
      api: {
        input_tokens: 10, output_tokens: 20, cache_creation_input_tokens: 300, cache_read_input_tokens: 4000,
        cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 200 },
      },
      expected: usage({ input: 10, output: 20, cacheWrite5m: 100, cacheWrite1h: 200, cacheRead: 4000 }),
    },
    {
      name: 'no split: the whole write counts as 5m',
      api: { input_tokens: 1, output_tokens: 2, cache_creation_input_tokens: 300, cache_read_input_tokens: 0, cache_creation: null },
      expected: usage({ input: 1, output: 2, cacheWrite5m: 300 }),
    },
    {
      name: 'cache fields null or absent',
      api: { input_tokens: 5, output_tokens: 6, cache_creation_input_tokens: null, cache_read_input_tokens: null },
      expected: usage({ input: 5, output: 6 }),
    },
    {
      name: 'a split with a null half',
      api: {
        input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 50, cache_read_input_tokens: 7,
        cache_creation: { ephemeral_5m_input_tokens: 50, ephemeral_1h_input_tokens: null },
      },
      expected: usage({ cacheWrite5m: 50, cacheRead: 7 }),
    },
  ];
  for (const { name, api, expected } of cases) assert.deepEqual(usageFromApi(api), expected, name);
});

test('costOf prices every field at its own per-million rate', () => {
  // Deliberately unlike the usual multipliers (reads at 0.05x here): nothing may be hard-coded.
  const price: ModelPrice = { input: 3, output: 15, cache_write_5m: 3.75, cache_write_1h: 6, cache_read: 0.15 };
  const cases: { name: string; usage: CallUsage; usd: number }[] = [
    { name: 'nothing', usage: usage({}), usd: 0 },
    { name: 'input', usage: usage({ input: 1_000_000 }), usd: 3 },
    { name: 'output', usage: usage({ output: 1_000_000 }), usd: 15 },
    { name: '5m write', usage: usage({ cacheWrite5m: 1_000_000 }), usd: 3.75 },
    { name: '1h write', usage: usage({ cacheWrite1h: 1_000_000 }), usd: 6 },
    { name: 'read', usage: usage({ cacheRead: 1_000_000 }), usd: 0.15 },
    {
      name: 'all of them',
      usage: usage({ input: 2_000, output: 1_000, cacheWrite5m: 10_000, cacheWrite1h: 4_000, cacheRead: 100_000 }),
      usd: (2_000 * 3 + 1_000 * 15 + 10_000 * 3.75 + 4_000 * 6 + 100_000 * 0.15) / 1e6,
    },
  ];
  for (const { name, usage: u, usd } of cases) assert.ok(Math.abs(costOf(u, price) - usd) < 1e-12, `${name}: ${costOf(u, price)} != ${usd}`);
});

test('a model without a price is undefined, never free', () => {
  const prices: Record<string, ModelPrice> = { 'claude-x': { input: 1, output: 1, cache_write_5m: 1, cache_write_1h: 1, cache_read: 1 } };
  assert.equal(priceOf('claude-y', prices), undefined);
  assert.equal(priceOf('toString', prices), undefined);
  assert.equal(priceOf('claude-x', prices)?.input, 1);
});

test('addUsage adds field by field', () => {
  assert.deepEqual(
    addUsage(usage({ input: 1, output: 2, cacheWrite5m: 3, cacheWrite1h: 4, cacheRead: 5 }), usage({ input: 10, output: 20, cacheWrite5m: 30, cacheWrite1h: 40, cacheRead: 50 })),
    usage({ input: 11, output: 22, cacheWrite5m: 33, cacheWrite1h: 44, cacheRead: 55 }),
  );
});
