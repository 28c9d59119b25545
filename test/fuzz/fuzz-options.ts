import fc from 'fast-check';

/*
 * How the fuzz properties run. Each property names its own number of runs, chosen so that all of
 * test/fuzz finishes in about 20 s on a 2-core machine. Every run draws a new random seed, so the
 * suite explores new inputs each time; on a failure fast-check prints the seed, the path and the
 * shrunk counterexample:
 *
 *   Property failed after 3 tests
 *   { seed: -1418337014, path: "2:1:0", endOnFailure: true }
 *   Counterexample: [...]
 *
 * Replay exactly that failure (the path skips straight to the shrunk case):
 *
 *   FUZZ_SEED=-1418337014 FUZZ_PATH=2:1:0 node --import tsx --test test/fuzz/<file>.test.ts
 *
 * FUZZ_SEED alone fixes the inputs of every property (a reproducible run); FUZZ_RUNS=10 multiplies
 * every property's number of runs, for a longer hunt than the test suite can afford.
 */

function envInteger(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new Error(`${name} must be an integer, got ${JSON.stringify(raw)}`);
  return value;
}

const seed = envInteger('FUZZ_SEED');
const path = process.env.FUZZ_PATH || undefined;
const multiplier = envInteger('FUZZ_RUNS') ?? 1;

export function fuzzOptions<T>(numRuns: number): fc.Parameters<T> {
  return {
    numRuns: Math.max(1, numRuns * multiplier),
    ...(seed !== undefined ? { seed } : {}),
    ...(path !== undefined ? { path } : {}),
    // The parser's error (message and stack) in the failure message itself, beside the counterexample.
    includeErrorInReport: true,
  };
}

/** fc.assert with the options above. */
export function check<Ts extends [unknown, ...unknown[]]>(property: fc.IProperty<Ts>, numRuns: number): void {
  fc.assert(property, fuzzOptions<Ts>(numRuns));
}

/** The same for async properties. */
export async function checkAsync<Ts extends [unknown, ...unknown[]]>(property: fc.IAsyncProperty<Ts>, numRuns: number): Promise<void> {
  await fc.assert(property, fuzzOptions<Ts>(numRuns));
}
