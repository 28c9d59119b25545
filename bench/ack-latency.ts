// How long Slack waits for `/agent fix`'s ack: Baton on embedded PGlite, Baton on the machine's
// PostgreSQL, and a bare Bolt app that only acks, measured in one run. Reports; asserts no timings.
// Flags: --rate (requests/s), --seconds (measured), --warmup (seconds, not counted), --pg-url, --timeout (ms).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFlags } from './lib/parse-flags.ts';
import { signedSlashRequests } from './lib/signed-slash-requests.ts';
import { runOpenLoop } from './lib/run-open-loop.ts';
import { summarizeSamples, type LatencySummary } from './lib/summarize-samples.ts';
import { startBenchBaton } from './lib/start-bench-baton.ts';
import { machineSchema } from './lib/machine-postgres.ts';
import { startBareBolt } from './lib/start-bare-bolt.ts';
import { formatTable } from './lib/format-table.ts';
import { benchEnvironment } from './lib/bench-environment.ts';
import { collectUnhandledRejections } from './lib/collect-unhandled-rejections.ts';

const BENCH_DIR = new URL('.', import.meta.url).pathname;
const WORK_DIR = join(BENCH_DIR, '.work');
const RESULTS_FILE = join(BENCH_DIR, 'results', 'ack-latency.json');

const defaults = { rate: 50, seconds: 20, warmup: 1, 'pg-url': 'postgres://postgres@127.0.0.1:5432/test', timeout: 10_000 };
let flags: typeof defaults;
try {
  flags = parseFlags(process.argv.slice(2), defaults);
  if (flags.rate <= 0) throw new Error('--rate must be above 0');
} catch (error) {
  console.error(`ack-latency: ${(error as Error).message}`);
  process.exit(2);
}

interface TargetResult {
  target: string;
  /** Why the target was not measured (skipped by design, or it failed). */
  skipped?: string;
  failed?: string;
  measured?: LatencySummary;
  warmup?: LatencySummary;
  /** Rows in `runs` after the target: one per request (warm-up included) proves the work was done. */
  runs?: { rows: number; expected: number };
  /** Web API calls Baton's worker had made to the fake Slack when the last response arrived. */
  slackCallsDuringRun?: number;
  /** Unhandled rejections while the target ran (each would crash production Baton). */
  unhandledRejections?: string[];
}

async function measure(eventsUrl: string): Promise<Required<Pick<TargetResult, 'measured' | 'warmup'>>> {
  const requests = [
    ...signedSlashRequests('WARMUP', Math.round(flags.rate * flags.warmup), { warmup: true }),
    ...signedSlashRequests('BENCH', Math.round(flags.rate * flags.seconds), { warmup: false }),
  ];
  const samples = await runOpenLoop({ url: eventsUrl, rate: flags.rate, requests, timeoutMs: flags.timeout });
  return { warmup: summarizeSamples(samples.filter((s) => s.warmup)), measured: summarizeSamples(samples.filter((s) => !s.warmup)) };
}

async function batonTarget(target: string, databaseUrl: string | undefined, schema: string): Promise<TargetResult> {
  mkdirSync(WORK_DIR, { recursive: true });
  const dataDir = mkdtempSync(join(WORK_DIR, 'ack-latency-'));
  try {
    const bench = await startBenchBaton({ databaseUrl, schema, dataDir });
    try {
      const result = await measure(bench.eventsUrl);
      const slackCallsDuringRun = bench.slack.apiCalls().filter((c) => c.method !== 'auth.test').length;
      const runs = { rows: await bench.countRuns(), expected: result.warmup.sent + result.measured.sent };
      return { target, ...result, runs, slackCallsDuringRun };
    } finally {
      await bench.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function embeddedTarget(): Promise<TargetResult> {
  return batonTarget('baton, embedded PGlite', undefined, 'baton');
}

async function machineTarget(): Promise<TargetResult> {
  const target = 'baton, machine PostgreSQL';
  const db = await machineSchema(flags['pg-url']);
  if (!db.ok) return { target, skipped: db.reason };
  try {
    return await batonTarget(target, flags['pg-url'], db.schema);
  } finally {
    await db.drop();
  }
}

async function boltTarget(): Promise<TargetResult> {
  const bolt = await startBareBolt();
  try {
    return { target: 'bare Bolt (ack only)', ...(await measure(bolt.eventsUrl)) };
  } finally {
    await bolt.stop();
  }
}

async function run(target: string, fn: () => Promise<TargetResult>): Promise<TargetResult> {
  console.log(`\n${target}: ${flags.warmup} s warm-up, then ${flags.seconds} s at ${flags.rate} requests/s`);
  const result = await fn().catch((error: unknown): TargetResult => ({ target, failed: (error as Error).stack ?? String(error) }));
  const rejections = unhandled.take();
  if (rejections.length > 0) result.unhandledRejections = rejections;
  report(result);
  return result;
}

function report(r: TargetResult): void {
  const rejections = r.unhandledRejections ?? [];
  if (rejections.length > 0) {
    const kinds = [...new Set(rejections)];
    console.log(`  UNHANDLED REJECTIONS: ${rejections.length} (each would have crashed production Baton); distinct:`);
    for (const kind of kinds.slice(0, 5)) console.log(`    ${rejections.filter((x) => x === kind).length}x ${kind}`);
  }
  if (r.skipped) return console.log(`  SKIPPED: ${r.skipped}`);
  if (r.failed || !r.measured || !r.warmup) return console.log(`  FAILED: ${r.failed}`);
  const bad = r.measured.mismatches + r.warmup.mismatches;
  console.log(
    bad === 0
      ? `  replies: all ${r.measured.sent + r.warmup.sent} were 200 with an ephemeral "Queued <key>"`
      : `  replies: ${bad} MISMATCHES (measured ${r.measured.mismatches}, warm-up ${r.warmup.mismatches}), e.g.\n    ${[...r.measured.mismatchExamples, ...r.warmup.mismatchExamples].slice(0, 5).join('\n    ')}`,
  );
  if (r.runs) {
    const verdict = r.runs.rows === r.runs.expected ? 'exactly one per request' : 'MISMATCH';
    console.log(`  runs table: ${r.runs.rows} rows for ${r.runs.expected} requests (${r.warmup.sent} warm-up + ${r.measured.sent} measured): ${verdict}`);
    console.log(`  worker: ${r.slackCallsDuringRun} Slack Web API calls made while the requests were served`);
  }
  const lag = Math.max(r.measured.maxSendLagMs, r.warmup.maxSendLagMs);
  if (lag > 5) console.log(`  note: the load generator sent up to ${lag.toFixed(1)} ms late against its schedule`);
}

function table(results: TargetResult[], baseline: LatencySummary | undefined): string {
  const ms = (n: number): string => n.toFixed(2);
  const ratio = (a: number, b: number | undefined): string => (b ? `${(a / b).toFixed(2)}x` : 'n/a');
  const rows = results.map((r) => {
    const m = r.measured;
    if (!m) return [r.target, r.skipped ? 'skipped' : 'failed', '', '', '', '', '', ''];
    return [r.target, String(m.sent), String(m.non200), ms(m.p50), ms(m.p99), ms(m.max), ratio(m.p50, baseline?.p50), ratio(m.p99, baseline?.p99)];
  });
  return formatTable(['target', 'sent', 'non-200', 'p50 ms', 'p99 ms', 'max ms', 'p50 vs Bolt', 'p99 vs Bolt'], rows);
}

const unhandled = collectUnhandledRejections();
const results: TargetResult[] = [];
results.push(await run('baton, embedded PGlite', embeddedTarget));
results.push(await run('baton, machine PostgreSQL', machineTarget));
results.push(await run('bare Bolt (ack only)', boltTarget));
unhandled.stop();
const baseline = results[2]?.measured;

console.log(`\n${table(results, baseline)}`);
for (const r of results.filter((x) => x.skipped)) console.log(`(${r.target} skipped: ${r.skipped})`);
for (const r of results.filter((x) => x.unhandledRejections)) console.log(`(${r.target}: ${r.unhandledRejections!.length} unhandled rejections, see above)`);

const ratios = Object.fromEntries(
  results
    .filter((r) => r.measured && r.runs && baseline)
    .map((r) => [r.target, { p50: r.measured!.p50 / baseline!.p50, p99: r.measured!.p99 / baseline!.p99 }]),
);
const settings = { rate: flags.rate, seconds: flags.seconds, warmupSeconds: flags.warmup, timeoutMs: flags.timeout };
mkdirSync(join(BENCH_DIR, 'results'), { recursive: true });
writeFileSync(RESULTS_FILE, `${JSON.stringify({ bench: 'ack-latency', ...benchEnvironment(), settings, targets: results, ratiosVsBolt: ratios }, null, 2)}\n`);
console.log(`\nresults written to ${RESULTS_FILE}`);

// Correctness, not timing: a wrong reply, a missing row or a failed target fails the run.
const broken = results.some(
  (r) => r.failed || r.unhandledRejections || (r.measured && r.measured.mismatches + (r.warmup?.mismatches ?? 0) > 0) || (r.runs && r.runs.rows !== r.runs.expected),
);
if (broken) process.exitCode = 1;

// Everything was stopped above, so the process exits by itself; if it does not, say what holds it.
setTimeout(() => console.error('still running 10 s after the bench ended; open handles:', process.getActiveResourcesInfo()), 10_000).unref();
