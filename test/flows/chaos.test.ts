import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { SLACK_DEFAULTS } from '../fakes/slack-defaults.ts';
import { startApprover, startMonkey, startRequester, type Kill } from '../support/chaos-actors.ts';
import { activeJobs, duplicatesBy, endedBefore, heldByEachKill, idleRuns, nextProgress, seconds, type IdleRun } from '../support/chaos-figures.ts';
import { chaosRandom } from '../support/chaos-random.ts';
import { CHAOS_LEASE_SECONDS, startChaosWorld, type ChaosWorld } from '../support/chaos-world.ts';
import { strandedAfterSeconds } from '../../src/jobs/rescue-stranded-runs.ts';

/*
 * Chaos: RUNS tickets through the whole pipeline (the coder's fix, three reviews, the PR and its
 * card, an approver's Approve, the merge) on Baton as separate processes, one web and two
 * workers, while a seeded monkey SIGKILLs them at random moments and starts them again. The fakes
 * answer by request content, so whichever process asks gets its run's next step.
 *
 * Proven: every run ends merged (`succeeded`); no run, thread root, PR, approval or merge exists
 * twice; no run stays active with nothing working on it, neither along the way (untouched past
 * the recovery bound below) nor once everything settled. The figures (kills, what each killed
 * process held, how long until its runs moved again) are printed as `# chaos: …` lines.
 *
 * What bounds recovery: a killed worker's agent stops renewing its lease (agent_lease_seconds:
 * 10 here, the policy's minimum); strandedAfterSeconds(lease) after it lapsed, the watchdog takes
 * its run for stranded on the next reconcile tick (every minute here, the minimum, sent by
 * pg-boss's cron on the minute). Knobs: CHAOS_RUNS (50), CHAOS_KILLS (6), CHAOS_SEED (random,
 * printed), CHAOS_LOG_DIR (every process's output, a file per process).
 */

const RUNS = Number(process.env.CHAOS_RUNS ?? 50);
const KILLS = Number(process.env.CHAOS_KILLS ?? 6);
const SEED = process.env.CHAOS_SEED ? Number(process.env.CHAOS_SEED) : randomInt(2 ** 31);
const LOG_DIR = process.env.CHAOS_LOG_DIR;

/**
 * A run untouched this long while not waiting for a person is stranded: the lease lapsing, the
 * watchdog's strandedAfterSeconds, a whole reconcile interval, and a minute for the cron's lag and
 * the run's own next step.
 */
const STRANDED_MS = (CHAOS_LEASE_SECONDS + strandedAfterSeconds(CHAOS_LEASE_SECONDS) + 60 + 60) * 1000;
/** Past this the test stops waiting and shows where every run stands. */
const DEADLINE_MS = 10 * 60_000;

const needsDatabase = !process.env.DATABASE_URL && 'needs DATABASE_URL (a PostgreSQL several processes can share)';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
// The test runner prints a test's stdout as TAP comments: these come out as `# chaos: …`.
const say = (line: string): void => console.log(`chaos: ${line}`);

let world: ChaosWorld | undefined;
after(async () => {
  await world?.stop();
});

/** Which kill's process still holds a job of the run, if one does (its job frozen in `active`). */
async function heldBy(w: ChaosWorld, run: IdleRun, kills: Kill[], startedAt: number): Promise<string> {
  const active = new Set((await activeJobs(w.db.pool, w.jobs)).map((j) => `${j.id}@${j.startedOnMs}`));
  for (const kill of kills) {
    const job = kill.activeAfter.find((j) => j.runId === run.runId && active.has(`${j.id}@${j.startedOnMs}`));
    if (job) return `its ${job.name} job is held \`active\` by ${kill.slot}, SIGKILLed at +${seconds(kill.atMs - startedAt)}`;
  }
  return 'no killed process holds its job';
}

test(`${RUNS} runs through fix, review, card, approval and merge while Baton's processes are SIGKILLed and restarted`, {
  skip: needsDatabase,
}, async () => {
  const random = chaosRandom(SEED);
  say(`seed ${SEED} (CHAOS_SEED=${SEED} replays the schedule), ${RUNS} runs, ${KILLS} kills planned`);
  world = await startChaosWorld({
    runs: RUNS,
    slots: [{ name: 'web', role: 'web' }, { name: 'worker-1', role: 'worker' }, { name: 'worker-2', role: 'worker' }],
    logDir: LOG_DIR,
  });
  const w = world;
  const { pool } = w.db;
  await Promise.all(w.slots.map((slot) => w.start(slot)));
  const startedAt = Date.now();
  let settled = false;
  const stopped = (): boolean => settled;

  const requester = startRequester(w, 400, stopped);
  const approver = startApprover(w, stopped);
  const monkey = startMonkey(w, random, { kills: KILLS, firstAfterMs: [3_000, 8_000], gapMs: [2_000, 6_000], downMs: [0, 2_000] }, stopped);

  // Every run merged; or a run that ended otherwise, or one left untouched past the bound (shown at once); or the deadline.
  const problems: string[] = [];
  try {
    for (;;) {
      const { rows } = await pool.query<{ status: string; n: string }>('SELECT status, count(*) AS n FROM runs GROUP BY status');
      const by = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
      if ((by.succeeded ?? 0) === RUNS) break;
      if ((by.failed ?? 0) + (by.cancelled ?? 0) + (by.rejected ?? 0) > 0) {
        const { rows: ended } = await pool.query("SELECT ticket_key, status, status_reason FROM runs WHERE run_status_ended(status) AND status <> 'succeeded'");
        problems.push(`runs ended without merging: ${JSON.stringify(ended)}`);
        break;
      }
      const stranded = (await idleRuns(pool, w.jobs)).filter((r) => r.idleSeconds * 1000 > STRANDED_MS);
      if (stranded.length) {
        for (const run of stranded) {
          problems.push(`${run.ticketKey} stranded in \`${run.status}\`: untouched for ${seconds(run.idleSeconds * 1000)} (jobs: ${run.jobs.join(', ') || 'none'}); ${await heldBy(w, run, monkey.kills, startedAt)}`);
        }
        break;
      }
      if (Date.now() - startedAt > DEADLINE_MS) {
        problems.push(`not every run merged within ${seconds(DEADLINE_MS)}: ${JSON.stringify(by)}`);
        break;
      }
      await sleep(1_000);
    }
  } finally {
    settled = true;
  }
  const doneAt = Date.now();
  const [kills, clicks, { retried }] = await Promise.all([monkey.done, approver.done, requester.done]);

  // ---- Figures, printed whether or not the run went well ----
  const { rows: runs } = await pool.query<{ id: string; ticket_key: string; status: string; thread_ts: string }>(
    'SELECT id, ticket_key, status, thread_ts FROM runs ORDER BY ticket_key, created_at',
  );
  const roots = w.slack.threadRoots(SLACK_DEFAULTS.channelId);
  const pulls = w.github.pulls('acme', 'calc') as { number: number; head: { ref: string } }[];
  const merges = w.github.merges('acme', 'calc');
  const mergeCalls = w.github.callsTo('PUT', /\/pulls\/\d+\/merge$/).filter((c) => c.status < 300);
  const { rows: approvals } = await pool.query<{ run_id: string; gate: string }>('SELECT run_id, gate FROM approvals');
  const duplicates = {
    runs: duplicatesBy(runs, (r) => r.ticket_key),
    threadRoots: roots.length - new Set(runs.map((r) => r.thread_ts)).size,
    pullRequests: duplicatesBy(pulls, (p) => p.head.ref),
    approvals: duplicatesBy(approvals, (a) => `${a.run_id}:${a.gate}`),
    merges: duplicatesBy(merges, (m) => String(m.number)) + (mergeCalls.length - merges.length),
  };
  const total = Object.values(duplicates).reduce((a, b) => a + b, 0);

  say(`runs ${runs.length}, ${runs.filter((r) => r.status === 'succeeded').length} merged, in ${seconds(doneAt - startedAt)}`);
  say(`kills ${kills.length}: ${kills.map((k) => `${k.slot} at +${seconds(k.atMs - startedAt)} (back in ${k.upMs ? seconds(k.upMs - k.atMs) : '-'})`).join(', ')}`);
  say(`duplicates ${total}: ${Object.entries(duplicates).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  say(`requests sent again after a dead web process: ${retried}; Approve clicks ${clicks.clicks} (${clicks.unanswered} unanswered)`);
  const held = await heldByEachKill(pool, w.jobs, kills.map((k) => k.activeAfter));
  const recoveries: number[] = [];
  let unrecovered = 0;
  for (const [i, kill] of kills.entries()) {
    const lost = held[i]!;
    const moved = await Promise.all(
      lost.map(async (j) => ({
        job: j,
        at: j.runId ? await nextProgress(pool, j.runId, kill.atMs) : undefined,
        ended: j.runId ? await endedBefore(pool, j.runId, kill.atMs) : false,
      })),
    );
    const forRuns = moved.filter((m) => m.job.runId && !m.ended);
    const stuck = forRuns.some((m) => m.at === undefined);
    const worst = Math.max(0, ...forRuns.map((m) => (m.at ?? doneAt) - kill.atMs));
    if (forRuns.length && !stuck) recoveries.push(worst);
    else if (stuck) unrecovered += 1;
    const what = moved.map((m) =>
      !m.job.runId ? `${m.job.name} (no run)` : m.ended ? `${m.job.name} (its run had already merged)` : `${m.job.name}: moved again after ${m.at ? seconds(m.at - kill.atMs) : 'never'}`,
    );
    const outcome = !forRuns.length ? '' : stuck ? `; not all moving again when the test stopped, ${seconds(worst)} after the kill` : `; recovered in ${seconds(worst)}`;
    say(`kill ${kill.n} (${kill.slot}) held ${lost.length} job(s)${what.length ? `: ${what.join('; ')}` : ''}${outcome}`);
  }
  if (recoveries.length || unrecovered) {
    const sorted = [...recoveries].sort((a, b) => a - b);
    const figures = sorted.length ? `max ${seconds(sorted.at(-1)!)}, median ${seconds(sorted[Math.floor(sorted.length / 2)]!)} over ${sorted.length} kill(s)` : 'none';
    say(`recovery (kill → every run the killed process held moving again): ${figures}${unrecovered ? `; ${unrecovered} kill(s) whose runs had not all moved again` : ''}`);
  }
  const leftActive = held.flat().length;
  if (leftActive) say(`jobs the dead processes held when killed: ${leftActive}`);

  assert.deepEqual(problems, []);
  assert.equal(runs.length, RUNS, 'one run per ticket');
  assert.deepEqual(runs.filter((r) => r.status !== 'succeeded').map((r) => `${r.ticket_key}: ${r.status}`), [], 'every run merged');
  assert.deepEqual(duplicates, { runs: 0, threadRoots: 0, pullRequests: 0, approvals: 0, merges: 0 });
  assert.equal(roots.length, RUNS, 'one thread root per run');
  assert.equal(pulls.length, RUNS, 'one PR per run');
  assert.equal(merges.length, RUNS, 'one merge per run');
  assert.equal(approvals.length, RUNS, 'one approval per run');
  // Settled: no run active and not waiting for a person (every one merged, so this holds only if nothing was reopened).
  assert.deepEqual(await idleRuns(pool, w.jobs), [], 'no run left active with nothing working on it');
});

// Processes started together on a fresh database once raced in pg-boss's install ("duplicate key
// value violates unique constraint pg_namespace_nspname_index", or a deadlock) and one exited 1;
// queue.ts now runs the install under a session advisory lock.
test('Baton processes started together on a fresh database all come up', {
  skip: needsDatabase,
}, async (t) => {
  const fresh = await startChaosWorld({
    runs: 1,
    slots: [{ name: 'web', role: 'web' }, { name: 'worker-1', role: 'worker' }, { name: 'worker-2', role: 'worker' }],
  });
  t.after(() => fresh.stop());
  const started = await Promise.allSettled(fresh.slots.map((slot) => fresh.start(slot)));
  const failed = started.flatMap((result, i) => {
    if (result.status === 'fulfilled') return [];
    const why = String((result.reason as Error).message).split('\n').find((line) => line.startsWith('Baton failed to start')) ?? String(result.reason);
    return [`${fresh.slots[i]!.name}: ${why}`];
  });
  assert.deepEqual(failed, []);
});
