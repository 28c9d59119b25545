// Signed Linear deliveries through Baton's real webhook path (HTTP server and routing, signature
// check, JSON and the domain parse, the delivery rows and the intake.event job committed before
// the answer, the metrics counter) from 10 concurrent keep-alive clients, against raw pg-boss
// `send` of the same job from 10 concurrent senders, on the same database in the same run. Phases alternate
// (raw, Baton, raw, Baton, …) after a warm-up of each, so neither side gets the emptier table.
// The clients run in a worker thread, so they do not share Baton's event loop. Reports
// deliveries/s against sends/s (the goal is at least 70 %); asserts only that every delivery was
// answered `queued` and left exactly its rows and job. the delivery acceptor commits deliveries that
// arrive together in one transaction (group commit: BEGIN with their rows, their jobs in one
// pg-boss insert, COMMIT). The bench passes it the job inserter (createJobInserter); a caller
// that does not sends each job through queue.enqueue, two round trips more per delivery.
// Needs PostgreSQL: --database-url, by default $DATABASE_URL; without one it says so and skips.
// Flags: --deliveries (per measured phase and side), --rounds, --warmup (per side), --clients, --database-url.
import { Agent, request } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import PgBoss from 'pg-boss';
import pino from 'pino';
import { createLogger } from '../src/logger.ts';
import { createPool } from '../src/db/pool.ts';
import { migrate } from '../src/db/migrate.ts';
import { createQueue } from '../src/jobs/queue.ts';
import { createDeliveryAcceptor } from '../src/jobs/accept-delivery.ts';
import { createJobInserter } from '../src/jobs/create-job-inserter.ts';
import { createHttpServer } from '../src/bot/create-http-server.ts';
import { createWebhookHandler } from '../src/bot/webhooks/create-webhook-handler.ts';
import { linearWebhookSource } from '../src/bot/webhooks/linear-webhook-source.ts';
import { createMetrics } from '../src/metrics/create-metrics.ts';
import { linearDelivery } from '../test/support/webhook-deliveries.ts';
import { benchEnvironment } from './lib/bench-environment.ts';
import { formatTable } from './lib/format-table.ts';
import { machineSchema } from './lib/machine-postgres.ts';
import { parseFlags } from './lib/parse-flags.ts';
import { queueTicketPayload } from './lib/queue-ticket-payload.ts';
import { percentile } from './lib/summarize-samples.ts';

const GOAL = 0.7;
const SECRET = 'lin_wh_bench_6c1f0a';

interface ClientInput {
  url: string;
  clients: number;
  requests: { headers: Record<string, string>; body: Uint8Array }[];
}

interface PhaseResult {
  count: number;
  ms: number;
  latencies: number[];
  /** `<status> <body>` → how many answers were that (for Baton), or `sent`/`refused` (for raw sends). */
  answers: Record<string, number>;
}

// ---- the clients' worker thread: `clients` closed loops over one keep-alive agent ----

function post(url: URL, agent: Agent, req: ClientInput['requests'][number]): Promise<string> {
  return new Promise((resolve) => {
    const outgoing = request(url, { method: 'POST', agent, headers: req.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve(`${res.statusCode} ${Buffer.concat(chunks).toString('utf8')}`));
      res.on('error', (error) => resolve(`0 ${error.message}`));
    });
    outgoing.on('error', (error) => resolve(`0 ${error.message}`));
    outgoing.end(req.body);
  });
}

async function runClients(input: ClientInput): Promise<PhaseResult> {
  const url = new URL(input.url);
  const agent = new Agent({ keepAlive: true, maxSockets: input.clients });
  const answers: Record<string, number> = {};
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: input.clients }, async () => {
      while (next < input.requests.length) {
        const req = input.requests[next++]!;
        const t0 = performance.now();
        const answer = await post(url, agent, req);
        latencies.push(performance.now() - t0);
        answers[answer] = (answers[answer] ?? 0) + 1;
      }
    }),
  );
  const ms = performance.now() - started;
  agent.destroy();
  return { count: input.requests.length, ms, latencies, answers };
}

// ---- the main thread: Baton's server, the raw senders, the phases and the report ----

function clientsThread(input: ClientInput): Promise<PhaseResult> {
  return new Promise((resolve, reject) => {
    // Node 20 does not apply the parent's `--import tsx` to a worker's entry; it registers tsx itself.
    const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
    const entry = JSON.stringify(import.meta.url);
    const worker = new Worker(`import(${tsx}).then((tsx) => { tsx.register(); return import(${entry}); })`, { eval: true, execArgv: [], workerData: input });
    let result: PhaseResult | undefined;
    worker.once('message', (message: PhaseResult) => (result = message));
    worker.once('error', reject);
    worker.once('exit', (code) => (result ? resolve(result) : reject(new Error(`the clients' thread exited with code ${code} before reporting`))));
  });
}

async function rawSends(boss: PgBoss, count: number, clients: number, prefix: string): Promise<PhaseResult> {
  const answers: Record<string, number> = {};
  const latencies: number[] = [];
  // Built before the clock starts, as the deliveries are.
  const payloads = Array.from({ length: count }, (_, i) => queueTicketPayload(`${prefix}-${i}`));
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < count) {
        const payload = payloads[next++]!;
        const t0 = performance.now();
        const id = await boss.send('intake.event', payload);
        latencies.push(performance.now() - t0);
        answers[id ? 'sent' : 'refused'] = (answers[id ? 'sent' : 'refused'] ?? 0) + 1;
      }
    }),
  );
  return { count, ms: performance.now() - started, latencies, answers };
}

let nextTicket = 1;
/** Signed just before their phase: Linear's signature check refuses a webhookTimestamp over a minute old. */
function signedDeliveries(count: number): ClientInput['requests'] {
  return Array.from({ length: count }, () => {
    const delivery = linearDelivery('linear-issue-create.json', { key: `ENG-${nextTicket++}`, labels: ['baton'] }, { secret: SECRET });
    return { headers: delivery.headers, body: new Uint8Array(delivery.body) };
  });
}

async function main(): Promise<void> {
  const defaults = { deliveries: 2000, rounds: 2, warmup: 200, clients: 10, 'database-url': process.env.DATABASE_URL ?? '' };
  let flags: typeof defaults;
  try {
    flags = parseFlags(process.argv.slice(2), defaults);
    if (flags.deliveries < 1 || flags.rounds < 1 || flags.clients < 1) throw new Error('--deliveries, --rounds and --clients must be at least 1');
  } catch (error) {
    console.error(`webhook-ingest: ${(error as Error).message}`);
    process.exit(2);
  }
  const BENCH_DIR = new URL('.', import.meta.url).pathname;
  const RESULTS_FILE = join(BENCH_DIR, 'results', 'webhook-ingest.json');
  const url = flags['database-url'];
  if (!url) {
    console.log('SKIPPED: webhook-ingest needs PostgreSQL; set DATABASE_URL (or pass --database-url)');
    return;
  }
  const db = await machineSchema(url);
  if (!db.ok) {
    console.log(`SKIPPED: ${db.reason}`);
    return;
  }
  const jobsSchema = `${db.schema}_jobs`;
  const pool = createPool({ url, schema: db.schema });
  // Info, as production logs each accepted delivery; written to /dev/null so the cost is paid but not shown.
  const log = createLogger({ level: 'info', pretty: false, secrets: [SECRET], destination: pino.destination({ dest: '/dev/null', sync: false }) });
  const queue = createQueue({ pool, schema: jobsSchema, pollIntervalSeconds: 2, log, supervise: false });
  // pg-boss on its own connections (10, its default, as Baton's pool has), as an application that only sends would use it.
  const boss = new PgBoss({ connectionString: url, schema: jobsSchema, supervise: false, schedule: false, migrate: false });
  boss.on('error', (error) => console.error('raw pg-boss error:', error));
  const metrics = createMetrics({ pool, jobsSchema, log });
  const insertJobs = createJobInserter({ schema: jobsSchema });
  const webhooks = {
    linear: createWebhookHandler({
      source: linearWebhookSource([SECRET]),
      maxBodyBytes: 1024 * 1024,
      accept: createDeliveryAcceptor({ pool, queue, insertJobs }),
      log,
      metrics,
    }),
  };
  const server = createHttpServer({ slack: undefined, webhooks, readiness: async () => ({ ready: true, checks: {} }), log });
  const baton: PhaseResult[] = [];
  const raw: PhaseResult[] = [];
  let failed: string | undefined;
  try {
    await migrate(pool, db.schema);
    await queue.start();
    await boss.start();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const endpoint = `http://127.0.0.1:${port}/webhooks/linear`;
    const batonPhase = (count: number): Promise<PhaseResult> => clientsThread({ url: endpoint, clients: flags.clients, requests: signedDeliveries(count) });

    console.log(`\nPostgreSQL ${new URL(url).host}, schema ${db.schema}: ${flags.clients} concurrent clients and senders`);
    console.log(`warm-up: ${flags.warmup} of each, not counted`);
    const warm = [await rawSends(boss, flags.warmup, flags.clients, 'warmup'), await batonPhase(flags.warmup)];
    for (let round = 1; round <= flags.rounds; round += 1) {
      raw.push(await rawSends(boss, flags.deliveries, flags.clients, `raw-${round}`));
      baton.push(await batonPhase(flags.deliveries));
      const r = raw.at(-1)!;
      const b = baton.at(-1)!;
      console.log(`round ${round}: raw send ${((r.count / r.ms) * 1000).toFixed(0)}/s, Baton ${((b.count / b.ms) * 1000).toFixed(0)} deliveries/s`);
    }

    // Correctness: every delivery answered queued, counted once, and left its two rows (id and body digest) and one job.
    const batonTotal = warm[1]!.count + baton.reduce((n, p) => n + p.count, 0);
    const rawTotal = warm[0]!.count + raw.reduce((n, p) => n + p.count, 0);
    const queuedAnswers = [warm[1]!, ...baton].reduce((n, p) => n + (p.answers['200 {"status":"queued"}'] ?? 0), 0);
    const sentAnswers = [warm[0]!, ...raw].reduce((n, p) => n + (p.answers.sent ?? 0), 0);
    const count = async (sql: string): Promise<number> => Number((await pool.query<{ n: string }>(sql)).rows[0]!.n);
    const deliveryRows = await count(`SELECT count(*) AS n FROM deliveries WHERE source = 'linear'`);
    const jobs = await count(`SELECT count(*) AS n FROM ${jobsSchema}.job WHERE name = 'intake.event'`);
    const counted = (await metrics.render()).match(/^baton_webhook_deliveries_total\{source="linear",outcome="queued"\} (\d+)$/m)?.[1];
    const checks = [
      [`answers "queued"`, queuedAnswers, batonTotal],
      ['raw sends that returned an id', sentAnswers, rawTotal],
      ['delivery rows (id + body digest)', deliveryRows, 2 * batonTotal],
      ['intake.event jobs', jobs, batonTotal + rawTotal],
      ['metrics: linear queued', Number(counted), batonTotal],
    ] as const;
    for (const [what, seen, expected] of checks) {
      if (seen !== expected) failed = `${failed ? `${failed}; ` : ''}${what}: ${seen}, expected ${expected}`;
    }
    if (failed) {
      const wrong = [warm[1]!, ...baton].flatMap((p) => Object.entries(p.answers)).filter(([answer]) => answer !== '200 {"status":"queued"}');
      console.log(`MISMATCH: ${failed}${wrong.length ? `\n  other answers: ${wrong.slice(0, 5).map(([a, n]) => `${n}x ${a}`).join('; ')}` : ''}`);
    } else {
      console.log(`checked: ${batonTotal} deliveries answered queued with ${deliveryRows} delivery rows and their jobs; ${rawTotal} raw sends; the metrics counter agrees`);
    }
  } catch (error) {
    failed = (error as Error).stack ?? String(error);
    console.log(`FAILED: ${failed}`);
  } finally {
    await new Promise((resolve) => server.close(resolve));
    server.closeAllConnections();
    await boss.stop({ graceful: false, wait: true, close: true });
    await queue.stop(1);
    await pool.end();
    await db.drop();
  }
  if (baton.length === 0 || raw.length === 0) {
    process.exitCode = 1;
    return;
  }

  const summary = (side: string, phases: PhaseResult[]) => {
    const total = phases.reduce((n, p) => n + p.count, 0);
    const ms = phases.reduce((n, p) => n + p.ms, 0);
    const latencies = phases.flatMap((p) => p.latencies).sort((a, b) => a - b);
    return { side, total, perSecond: (total / ms) * 1000, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
  };
  const r = summary('raw pg-boss send', raw);
  const b = summary('Baton webhook delivery', baton);
  const ratio = b.perSecond / r.perSecond;
  const row = (s: typeof r): string[] => [s.side, String(s.total), s.perSecond.toFixed(0), s.p50.toFixed(2), s.p99.toFixed(2)];
  console.log(`\n${formatTable(['side', 'count', 'per second', 'p50 ms', 'p99 ms'], [row(r), row(b)])}`);
  console.log(`\nBaton deliveries/s vs raw sends/s: ${(ratio * 100).toFixed(1)} % (goal >= ${GOAL * 100} %: ${ratio >= GOAL ? 'met' : 'NOT met'})`);

  const settings = { deliveries: flags.deliveries, rounds: flags.rounds, warmup: flags.warmup, clients: flags.clients };
  const strip = ({ latencies: _l, ...rest }: PhaseResult) => rest;
  mkdirSync(join(BENCH_DIR, 'results'), { recursive: true });
  writeFileSync(
    RESULTS_FILE,
    `${JSON.stringify({ bench: 'webhook-ingest', ...benchEnvironment(), settings, raw: { ...r, phases: raw.map(strip) }, baton: { ...b, phases: baton.map(strip) }, ratio, goal: GOAL, failed }, null, 2)}\n`,
  );
  console.log(`\nresults written to ${RESULTS_FILE}`);
  if (failed) process.exitCode = 1;
}

// Last, so every declaration above is initialized: this file is both the bench and its clients' thread.
if (!isMainThread) parentPort!.postMessage(await runClients(workerData as ClientInput));
else await main();
