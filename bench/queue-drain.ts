// How long a backlog of `intake.event` jobs takes to drain with the production worker settings,
// against the jobs' own processing time (the sum of handler durations), on the embedded PGlite
// and on the machine's PostgreSQL. Reports; asserts only that every job ran once.
// Flags: --jobs, --poll (seconds, baton.yml's default), --pg-url.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { createPool, withTransaction } from '../src/db/pool.ts';
import { createQueue } from '../src/jobs/queue.ts';
import { QUEUES } from '../src/jobs/queues.ts';
import { benchEnvironment } from './lib/bench-environment.ts';
import { formatTable } from './lib/format-table.ts';
import { parseFlags } from './lib/parse-flags.ts';
import { queueBenchDatabase } from './lib/queue-bench-database.ts';
import { queueTicketPayload } from './lib/queue-ticket-payload.ts';

const BENCH_DIR = new URL('.', import.meta.url).pathname;
const RESULTS_FILE = join(BENCH_DIR, 'results', 'queue-drain.json');
const defaults = { jobs: 1000, poll: 2, 'pg-url': 'postgres://postgres@127.0.0.1:5432/test' };
let flags: typeof defaults;
try {
  flags = parseFlags(process.argv.slice(2), defaults);
  if (flags.jobs < 1 || flags.poll < 0.5) throw new Error('--jobs must be at least 1 and --poll at least 0.5');
} catch (error) {
  console.error(`queue-drain: ${(error as Error).message}`);
  process.exit(2);
}
const workers = QUEUES['intake.event'].workers;

interface DrainResult {
  target: string;
  skipped?: string;
  failed?: string;
  jobs?: number;
  /** From the workers' start to the last handler's end. */
  drainMs?: number;
  /** Until pg-boss had recorded every job as completed (it records completion without awaiting it). */
  completedMs?: number;
  handlerSumMs?: number;
  ranOnce?: boolean;
}

async function drain(target: string, kind: 'embedded' | 'machine'): Promise<DrainResult> {
  const db = await queueBenchDatabase(kind, flags['pg-url'], join(BENCH_DIR, '.work'));
  if (!db.ok) return { target, skipped: db.reason };
  const pool = createPool({ url: db.url, schema: db.schema });
  const jobsSchema = `${db.schema}_jobs`;
  const queue = createQueue({ pool, schema: jobsSchema, pollIntervalSeconds: flags.poll, log: pino({ level: 'warn' }), supervise: false });
  try {
    await queue.start();
    for (let first = 0; first < flags.jobs; first += 100) {
      await withTransaction(pool, async (tx) => {
        for (let i = first; i < Math.min(first + 100, flags.jobs); i += 1) await queue.enqueue(tx, 'intake.event', queueTicketPayload(`delivery-${i}`));
      });
    }
    const seen = new Set<string>();
    let handlerSumMs = 0;
    let finished: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (finished = resolve));
    const started = performance.now();
    // The trivial handler reads state once, as every real one does before it returns early.
    await queue.work('intake.event', async (payload) => {
      const t0 = performance.now();
      await pool.query('SELECT $1::text AS delivery', [payload.deliveryId]);
      handlerSumMs += performance.now() - t0;
      seen.add(payload.deliveryId);
      if (seen.size === flags.jobs) finished();
    });
    await done;
    const drainMs = performance.now() - started;
    for (;;) {
      const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${jobsSchema}.job WHERE name = 'intake.event' AND state = 'completed'`);
      if (Number(rows[0]!.n) >= flags.jobs) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const completedMs = performance.now() - started;
    return { target, jobs: flags.jobs, drainMs, completedMs, handlerSumMs, ranOnce: seen.size === flags.jobs };
  } catch (error) {
    return { target, failed: (error as Error).stack ?? String(error) };
  } finally {
    await queue.stop(5);
    await pool.end();
    await db.drop();
  }
}

const results: DrainResult[] = [];
for (const [target, kind] of [['embedded PGlite', 'embedded'], ['machine PostgreSQL', 'machine']] as const) {
  console.log(`\n${target}: ${flags.jobs} intake.event jobs, ${workers} workers, poll interval ${flags.poll} s`);
  const result = await drain(target, kind);
  if (result.skipped) console.log(`  SKIPPED: ${result.skipped}`);
  if (result.failed) console.log(`  FAILED: ${result.failed}`);
  results.push(result);
}

const rows = results.map((r) => {
  if (r.drainMs === undefined || r.handlerSumMs === undefined || r.completedMs === undefined) return [r.target, r.skipped ? 'skipped' : 'failed', '', '', '', '', ''];
  return [
    r.target,
    (r.drainMs / 1000).toFixed(2),
    (r.completedMs / 1000).toFixed(2),
    (r.handlerSumMs / 1000).toFixed(2),
    `${(r.drainMs / r.handlerSumMs).toFixed(2)}x`,
    ((flags.jobs / r.drainMs) * 1000).toFixed(0),
    (r.drainMs / flags.jobs).toFixed(2),
  ];
});
console.log(`\n${formatTable(['target', 'drain s', 'all completed s', 'handlers sum s', 'drain / handlers', 'jobs/s', 'ms/job'], rows)}`);
console.log(`(before: pg-boss slept ${flags.poll} s after every fetch, so ${flags.jobs} jobs on ${workers} workers took about ${((flags.jobs / workers) * flags.poll).toFixed(0)} s)`);

const settings = { jobs: flags.jobs, pollSeconds: flags.poll, workers };
mkdirSync(join(BENCH_DIR, 'results'), { recursive: true });
writeFileSync(RESULTS_FILE, `${JSON.stringify({ bench: 'queue-drain', ...benchEnvironment(), settings, targets: results }, null, 2)}\n`);
console.log(`\nresults written to ${RESULTS_FILE}`);
if (results.some((r) => r.failed || r.ranOnce === false)) process.exitCode = 1;
