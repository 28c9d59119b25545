// Baton's own cost per agent turn, with the model left out: scripted runCoder runs (real tool loop,
// model client over HTTP, text editor, bash in the real bubblewrap sandbox, agent_calls written to
// PostgreSQL when a database is given) against FakeAnthropic in a process of its own, which answers
// at once. Three parts, in one process:
//   1. RSS with `--concurrent` runs at once (each on its own worktree, `--concurrent-turns` calls),
//      against the same process's idle RSS just before (measured first, so nothing earlier inflates it);
//   2. per turn: the gap between one model call's return and the next call's start (tool execution,
//      sandbox, database write, loop), median and p95, over `--runs` sequential `--turns`-call runs;
//   3. the sandbox's cost per bash command: the same commands under bwrap and as a plain spawn.
// Flags: --runs 3, --turns 30, --concurrent 20, --concurrent-turns 10, --spawn-runs 15,
// --database-url (default $DATABASE_URL; empty: no database writes, said in the output),
// --goal-mib 300. Asserts no timings; exits non-zero only when the bench itself broke.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_TEST_COMMAND } from '../test/support/demo-repo.ts';
import { benchEnvironment } from './lib/bench-environment.ts';
import { formatTable } from './lib/format-table.ts';
import { parseFlags } from './lib/parse-flags.ts';
import { percentile } from './lib/summarize-samples.ts';
import { measureConcurrentRss, type ConcurrentRss } from './lib/agent-concurrent-rss.ts';
import { openAgentDatabase, type AgentDatabase } from './lib/agent-database.ts';
import { startFakeProcess, type FakeProcess } from './lib/agent-fake-process.ts';
import { measureSpawnCost, type SpawnCost } from './lib/agent-spawn-cost.ts';
import { timeCoderRun, type RunTiming, type TurnGap } from './lib/agent-turn-overhead.ts';
import { createAgentWorld, type AgentWorld } from './lib/agent-world.ts';

const RESULTS_FILE = join(new URL('.', import.meta.url).pathname, 'results', 'agent-overhead.json');
const defaults = {
  runs: 3, turns: 30, concurrent: 20, 'concurrent-turns': 10, 'spawn-runs': 15, 'database-url': process.env.DATABASE_URL ?? '', 'goal-mib': 300,
};
let flags: typeof defaults;
try {
  flags = parseFlags(process.argv.slice(2), defaults);
} catch (error) {
  console.error(`agent-overhead: ${(error as Error).message}`);
  process.exit(2);
}

const ms = (x: number) => `${x.toFixed(1)} ms`;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const stats = (xs: number[]): [string, string] => [ms(percentile(sorted(xs), 50)), ms(percentile(sorted(xs), 95))];

const problems: string[] = [];
const fakes: FakeProcess[] = [];
let world: AgentWorld | undefined;
let db: AgentDatabase | undefined;
let dbNote = '';
try {
  world = await createAgentWorld();
  if (flags['database-url']) {
    const opened = await openAgentDatabase(flags['database-url']);
    if (opened.ok) db = opened.db;
    else dbNote = `no database writes: ${opened.reason}`;
  } else {
    dbNote = 'no database writes: DATABASE_URL is not set (pass --database-url to include agent_calls inserts)';
  }
  console.log(db ? `agent_calls written to PostgreSQL at ${new URL(flags['database-url']).host} (a fresh schema, dropped after)` : dbNote);

  // ---- 1. RSS with concurrent runs ----
  const rssFake = await startFakeProcess(flags['concurrent-turns'], 1024);
  fakes.push(rssFake);
  const rssWorkspaces = [];
  for (let i = 0; i < flags.concurrent; i++) rssWorkspaces.push(await world.prepare(`rss-${i}`, 200 + i));
  const rss: ConcurrentRss = await measureConcurrentRss(world, { workspaces: rssWorkspaces, modelUrl: rssFake.url, db, sampleMs: 20 });
  const rssReport = await rssFake.report();
  problems.push(...rssReport.divergences.map((d) => `concurrent runs: ${d}`));
  if ((rss.outcomes.proven ?? 0) !== flags.concurrent) problems.push(`concurrent runs: outcomes ${JSON.stringify(rss.outcomes)}, expected all proven`);

  // ---- 2. per-turn overhead ----
  const turnFake = await startFakeProcess(flags.turns, 1024);
  fakes.push(turnFake);
  const timings: RunTiming[] = [];
  for (let i = 0; i < flags.runs; i++) {
    const workspace = await world.prepare(`turns-${i}`, 300 + i);
    timings.push(await timeCoderRun(world, { workspace, modelUrl: turnFake.url, db }));
  }
  const turnReport = await turnFake.report();
  problems.push(...turnReport.divergences.map((d) => `per-turn runs: ${d}`));
  for (const t of timings) {
    if (t.outcome !== 'proven' || t.turns !== flags.turns) problems.push(`per-turn run: ${t.outcome} after ${t.turns} calls, expected proven after ${flags.turns}`);
  }

  // ---- 3. sandbox against a plain spawn ----
  const spawnWorkspace = await world.prepare('spawn-cost', 400);
  const spawn: SpawnCost[] = await measureSpawnCost({
    sandbox: world.sandbox, policy: world.policy.sandbox, worktree: spawnWorkspace.path,
    commands: ['cat package.json', 'grep -rn "range" src test', DEMO_TEST_COMMAND], runs: flags['spawn-runs'], warmup: 2,
  });

  // ---- report ----
  const gaps: TurnGap[] = timings.flatMap((t) => t.gaps);
  const row = (label: string, list: TurnGap[]): string[] => {
    const [p50, p95] = stats(list.map((g) => g.ms));
    return [label, String(list.length), p50, p95, stats(list.map((g) => g.sandboxMs))[0], stats(list.map((g) => g.dbMs))[0], stats(list.map((g) => g.ms - g.sandboxMs - g.dbMs))[0]];
  };
  console.log(`\nBaton's time per turn, model call left out (${flags.runs} runs × ${flags.turns} calls; the gap from one call's return to the next call)`);
  console.log(formatTable(['turns', 'n', 'median', 'p95', 'sandbox (median)', 'db write (median)', 'rest (median)'], [
    row('all', gaps), row('bash (sandboxed command)', gaps.filter((g) => g.bash)), row('editor only (no command)', gaps.filter((g) => !g.bash)),
  ]));
  const [modelP50, modelP95] = stats(timings.flatMap((t) => t.modelMs));
  console.log(`left out: the model call itself (fake answering at once, SDK stream parse included) median ${modelP50}, p95 ${modelP95}`);
  console.log(`before the first call: median ${stats(timings.map((t) => t.startMs))[0]}; after finish (Baton's gates: test runs, commit, diff): median ${stats(timings.map((t) => t.proveMs))[0]}`);
  if (!db) console.log(`(${dbNote})`);

  console.log(`\nsandbox cost per command: bwrap vs a plain /bin/sh -c spawn, same env and worktree (${flags['spawn-runs']} runs each, alternating)`);
  console.log(formatTable(['command', 'bwrap median', 'plain median', 'ratio', 'added', 'bwrap p95', 'plain p95'], spawn.map((s) => [
    s.command, ms(s.sandboxMedianMs), ms(s.plainMedianMs), `${(s.sandboxMedianMs / s.plainMedianMs).toFixed(2)}×`,
    ms(s.sandboxMedianMs - s.plainMedianMs), ms(s.sandboxP95Ms), ms(s.plainP95Ms),
  ])));

  const goal = flags['goal-mib'] * 1024 * 1024;
  console.log(`\nRSS with ${rss.runs} concurrent runs (${flags['concurrent-turns']} calls each; ${rss.modelCalls} model calls, ${rss.seconds.toFixed(1)} s; outcomes ${JSON.stringify(rss.outcomes)})`);
  console.log(formatTable(['measure', 'RSS'], [
    ['idle, just before the runs', mib(rss.baselineBytes)],
    [`peak while running (sampled every 20 ms, ${rss.samples} samples)`, mib(rss.peakBytes)],
    ['peak - idle', mib(rss.peakBytes - rss.baselineBytes)],
    ['kernel high-water mark (maxRSS) at the end', mib(rss.maxRssBytes)],
    ['JS heap in use at the peak', mib(rss.heapAtPeakBytes)],
  ]));
  console.log(`${rss.peakBytes < goal ? 'PASS' : 'FAIL'}: peak RSS ${mib(rss.peakBytes)} against the goal of under ${flags['goal-mib']} MiB (the fake runs in its own process and is not counted)`);
  for (const p of problems) console.log(`BROKEN: ${p}`);

  mkdirSync(join(RESULTS_FILE, '..'), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify({ bench: 'agent-overhead', ...benchEnvironment(), flags: { ...flags, 'database-url': db ? 'set' : '' }, rss, timings, spawn, problems }, null, 2)}\n`);
  console.log(`results written to ${RESULTS_FILE}`);
} catch (error) {
  problems.push(String(error));
  console.error(`agent-overhead broke: ${(error as Error).stack ?? String(error)}`);
} finally {
  for (const fake of fakes) await fake.stop();
  await db?.drop();
  await world?.cleanup();
}
if (problems.length > 0) process.exitCode = 1;
