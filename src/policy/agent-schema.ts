import { z } from 'zod';

// USD per million tokens. Prices change: keep the date they were read beside them.
export const priceSchema = z.object({
  input: z.number().min(0),
  output: z.number().min(0),
  cache_write_5m: z.number().min(0),
  cache_write_1h: z.number().min(0),
  cache_read: z.number().min(0),
});

// Read from anthropic.com/pricing on this date; baton.yml may replace the whole table.
const DEFAULT_PRICES = {
  read_on: '2026-11-01',
  models: {
    'claude-sonnet-5-5': { input: 3, output: 15, cache_write_5m: 3.75, cache_write_1h: 6, cache_read: 0.3 },
    'claude-opus-5-5': { input: 5, output: 25, cache_write_5m: 6.25, cache_write_1h: 10, cache_read: 0.5 },
    'claude-haiku-5-5': { input: 1, output: 5, cache_write_5m: 1.25, cache_write_1h: 2, cache_read: 0.1 },
  },
};

export const agentSchema = z
  .object({
    /** The first model is used; the others take over, in order, when it is overloaded past its retries or unknown. */
    models: z.array(z.string().trim().min(1)).min(1).default(['claude-sonnet-5-5', 'claude-opus-5-5']),
    prices: z
      .object({
        read_on: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date, YYYY-MM-DD'),
        models: z.record(z.string().min(1), priceSchema),
      })
      .default(DEFAULT_PRICES),
    /** Per model call. */
    max_tokens: z.number().int().min(256).max(128_000).default(16_000),
    limits: z
      .object({
        turns: z.number().int().min(1).max(1000).default(80),
        minutes: z.number().min(1).max(24 * 60).default(45),
        dollars: z.number().min(0.01).max(10_000).default(5),
        /** At this share of the dollar cap the run pauses and asks Continue / Stop in the thread. */
        ask_at_fraction: z.number().min(0.1).max(1).default(0.8),
        /** Continue raises the cap once, by this factor. */
        raise_factor: z.number().min(1.1).max(10).default(2),
        /** No reproducing test within this many turns: the agent asks the ticket's author instead. */
        reproduce_within_turns: z.number().int().min(1).max(1000).default(40),
        /** A failed outcome gate goes back to the agent at most this many times. */
        gate_attempts: z.number().int().min(0).max(20).default(3),
      })
      .prefault({}),
  })
  .prefault({});
