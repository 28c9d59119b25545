// Enqueue → handler start, from a web process (this one) to a worker process (a child), with
// LISTEN/NOTIFY and with polling alone, in one run on the machine's PostgreSQL (the embedded
// PGlite is one process's database). Jobs are sent open-loop at a steady spacing, so the
// polling figures sample every phase of the poll. Reports; asserts only that every job ran.
// Flags: --jobs (per mode), --spacing (ms between jobs), --poll (seconds, baton.yml's default), --pg-url.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { createPool, withTransaction } from '../src/db/pool.ts';
import { createQueue } from '../src/jobs/queue.ts';
import { benchEnvironment } from './lib/bench-environment.ts';
import { formatTable } from './lib/format-table.ts';
import { machineSchema } from './lib/machine-postgres.ts';
import { parseFlags } from './lib/parse-flags.ts';
import { queueTicketPayload } from './lib/queue-ticket-payload.ts';
import { percentile } from './lib/summarize-samples.ts';

const BENCH_DIR = new URL('.', import.meta.url).pathname;
const RESULTS_FILE = join(BENCH_DIR, 'results', 'queue-pickup.json');
const defaults = { jobs: 200, spacing: 50, poll: 2, 'pg-url': 'postgres://postgres@127.0.0.1:5432/test' };
let flags: typeof defaults;
try {
  flags = parseFlags(process.argv.slice(2), defaults);
  if (flags.jobs < 1 || flags.poll < 0.5) throw new Error('--jobs must be at least 1 and --poll at least 0.5');
} catch (error) {
  console.error(`queue-pickup: ${(error as Error).message}`);
  process.exit(2);
}

interface ModeResult {
  mode: string;
  failed?: string;
  sent?: number;
  ran?: number;
  p50?: number;
  p95?: number;
  max?: number;
}

const now = (): number => performance.timeOrigin + performance.now();

function startWorker(url: string, schema: string, listen: boolean): Promise<{ child: ChildProcess; started: Map<string, number> }> {
  const child = fork(join(BENCH_DIR, 'lib', 'queue-pickup-worker.ts'), [url, schema, String(flags.poll), listen ? '1' : '0'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const started = new Map<string, number>();
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the worker process exited with code ${code}`)));
    child.on('message', (message: { type: string; deliveryId?: string; at?: number }) => {
      if (message.type === 'ready') resolve({ child, started });
      if (message.type === 'started' && message.deliveryId && message.at) started.set(message.deliveryId, message.at);
    });
  });
}

async function stopWorker(child: ChildProcess): Promise<void> {
  // The start-up's listener treats an exit as a failure; this one is asked for.
  child.removeAllListeners('exit');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.send({ type: 'stop' });
  await exited;
}

async function measure(mode: string, listen: boolean, url: string, schema: string): Promise<ModeResult> {
  const pool = createPool({ url, schema });
  // The web role: no workers, no maintenance, no listener; it only enqueues.
  const web = createQueue({ pool, schema: `${schema}_jobs`, pollIntervalSeconds: flags.poll, log: pino({ level: 'warn' }), supervise: false });
  await web.start();
  const { child, started } = await startWorker(url, schema, listen);
  try {
    const sentAt = new Map<string, number>();
    const first = performance.now();
    for (let i = 0; i < flags.jobs; i += 1) {
      const wait = first + i * flags.spacing - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const deliveryId = `${mode}-${i}`;
      sentAt.set(deliveryId, now());
      await withTransaction(pool, (tx) => web.enqueue(tx, 'intake.event', queueTicketPayload(deliveryId)));
    }
    const deadline = Date.now() + flags.poll * 1000 * 3 + 5000;
    while (started.size < flags.jobs && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const latencies = [...sentAt].flatMap(([id, at]) => (started.has(id) ? [started.get(id)! - at] : [])).sort((a, b) => a - b);
    return { mode, sent: flags.jobs, ran: latencies.length, p50: percentile(latencies, 50), p95: percentile(latencies, 95), max: latencies.at(-1) ?? NaN };
  } finally {
    await stopWorker(child);
    await web.stop(1);
    await pool.end();
  }
}

const results: ModeResult[] = [];
const db = await machineSchema(flags['pg-url']);
if (!db.ok) {
  console.log(`SKIPPED: ${db.reason}`);
} else {
  try {
    for (const [mode, listen] of [['LISTEN/NOTIFY', true], ['polling alone', false]] as const) {
      console.log(`\n${mode}: ${flags.jobs} jobs, one every ${flags.spacing} ms, worker in another process, poll interval ${flags.poll} s`);
      results.push(await measure(mode, listen, flags['pg-url'], db.schema).catch((error: unknown) => ({ mode, failed: (error as Error).stack ?? String(error) })));
      if (results.at(-1)!.failed) console.log(`  FAILED: ${results.at(-1)!.failed}`);
    }
  } finally {
    await db.drop();
  }
  const ms = (n: number | undefined): string => (n === undefined ? '' : n.toFixed(1));
  console.log(`\n${formatTable(['mode', 'sent', 'ran', 'p50 ms', 'p95 ms', 'max ms'], results.map((r) => [r.mode, String(r.sent ?? ''), String(r.ran ?? ''), ms(r.p50), ms(r.p95), ms(r.max)]))}`);
  console.log('(enqueue → handler start: from before the enqueue transaction in this process to the handler call in the worker process)');
}

const settings = { jobs: flags.jobs, spacingMs: flags.spacing, pollSeconds: flags.poll };
mkdirSync(join(BENCH_DIR, 'results'), { recursive: true });
writeFileSync(RESULTS_FILE, `${JSON.stringify({ bench: 'queue-pickup', ...benchEnvironment(), settings, modes: results }, null, 2)}\n`);
console.log(`\nresults written to ${RESULTS_FILE}`);
if (results.some((r) => r.failed || r.ran !== r.sent)) process.exitCode = 1;
