import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type Anthropic from '@anthropic-ai/sdk';
import { createFailingTest, finish, fixBug, lastToolResults, runTests, viewCalc } from '../agents/coder-fixture.ts';
import type { ScriptedResponse } from '../fakes/fake-anthropic.ts';
import { SLACK_DEFAULTS } from '../fakes/slack-defaults.ts';
import { startAgentProcessWorld, TICKET, type AgentProcessWorld } from '../support/agent-process-world.ts';
import { PUBLISHED, type RunRow } from '../support/agent-flow.ts';
import type { BatonProcess } from '../support/spawn-baton.ts';
import { eventually } from '../support/eventually.ts';
import { count } from '../support/test-database.ts';
import { strandedAfterSeconds } from '../../src/jobs/rescue-stranded-runs.ts';

/*
 * "A run.fix redelivered after a worker died mid-loop gives one branch and one PR." Baton runs as
 * separate processes (a web process and a worker), the fakes in this test process. The worker is
 * SIGKILLed while its agent waits on its third model call, after the agent has written a file in
 * its worktree; a new worker starts on the same database and data directory.
 *
 * What brings the dead worker's run back: its job lease (scheduling.agent_lease_seconds) stops being
 * renewed, and another worker's watchdog releases the job for a retry (queue.ts); or its agent
 * lease has lapsed for strandedAfterSeconds(lease) and a reconcile tick sends run.fix again
 * (rescue-stranded-runs.ts). pg-boss's own expiry of the dead job comes only after the agent's whole
 * time limit (an hour by default), too late to count on. Before that rescue existed, nothing brought
 * the run back for 75 minutes, its thread saying the agent worked.
 */

/**
 * How soon a new worker must finish a dead worker's run: the lease running out (10 s here, 120 s
 * by default), strandedAfterSeconds(lease) more, a reconcile tick (1 minute here,
 * `scheduling.reconcile_interval_minutes`; 5 by default) and the new agent's run itself.
 */
const LEASE_SECONDS = 10;
const RECOVERY_BOUND_MS = (LEASE_SECONDS + strandedAfterSeconds(LEASE_SECONDS) + 60 + 60) * 1000;

const finishWhenGreen = (request: Anthropic.MessageCreateParams): ScriptedResponse =>
  /# fail 0/.test(lastToolResults(request).join('\n'))
    ? finish('range now includes its end; test/range.test.js covers it.')
    : { content: [{ type: 'text', text: 'still red' }] };

let world: AgentProcessWorld | undefined;
let web: BatonProcess;
let run: RunRow;

const needsDatabase = !process.env.DATABASE_URL && 'needs DATABASE_URL (a PostgreSQL several processes can share)';

before(async () => {
  if (needsDatabase) return;
  world = await startAgentProcessWorld({ policy: { scheduling: { reconcile_interval_minutes: 1, agent_lease_seconds: LEASE_SECONDS } } });
  web = await world.spawn('web');
  const worker = await world.spawn('worker');
  const w = world;
  w.anthropic.script(
    viewCalc,
    createFailingTest,
    // The third call: the worker dies while the answer streams, with test/range.test.js written.
    () => {
      worker.child.kill('SIGKILL');
      return { ...runTests, chunkDelayMs: 500 };
    },
    // The agent a new delivery starts, from the ticket again.
    viewCalc, createFailingTest, runTests, fixBug, runTests, finishWhenGreen,
  );
  assert.match(((await w.command(web, `fix ${TICKET.key}`)).json as { text: string }).text, /Queued ENG-42/);
  await eventually(async () => worker.child.signalCode === 'SIGKILL' || undefined, 60_000, 'the worker to be killed mid-loop');
  run = await w.runWhere('true', 'the run');
  assert.equal(run.status, 'running', 'the worker died with its agent working');
  assert.equal(await count(w.db.pool, 'SELECT 1 FROM agent_calls WHERE run_id = $1', [run.id]), 2, 'two model calls made it to the database');
  await w.spawn('worker');
});

after(async () => {
  await world?.stop();
});

test('a worker killed mid-loop: a new worker finishes the run in bounded time, with one branch, one PR and one thread', { skip: needsDatabase }, async () => {
  const w = world!;
  const done = await w.runWhere(PUBLISHED, 'a new worker to finish the dead worker’s run', RECOVERY_BOUND_MS);
  const branches = [...(await w.demo.remote.refs()).keys()].filter((ref) => ref.startsWith('refs/heads/baton/'));
  assert.deepEqual(branches, [`refs/heads/${done.branch}`]);
  const pulls = w.github.pulls('acme', 'calc') as { head: { ref: string } }[];
  assert.equal(pulls.length, 1);
  assert.equal(pulls[0]!.head.ref, done.branch);
  assert.equal(w.slack.threadRoots(SLACK_DEFAULTS.channelId).length, 1, 'one thread');
  assert.equal(done.thread_ts, run.thread_ts, 'the thread the first worker opened');
  assert.equal(w.anthropic.remaining(), 0, 'the new agent used every scripted turn');
  assert.equal(await count(w.db.pool, "SELECT 1 FROM agent_calls WHERE run_id = $1 AND agent = 'coder'", [run.id]), 2 + 6, 'the dead agent’s two calls and one new agent’s six');
  // Brought back by the job lease (the dead worker's run.fix released for a retry, after about one
  // lease) or by the watchdog's rescue (a new run.fix, after the reconcile tick), whichever came
  // first; either way one new agent ran (the calls above). A released job is the same job taken again
  // (pg-boss counts the attempt; its output is that of the attempt that completed).
  const rescued = await count(w.db.pool, "SELECT 1 FROM audit_log WHERE run_id = $1 AND action = 'run.rescued'", [run.id]);
  const released = await count(w.db.pool, `SELECT 1 FROM ${w.db.schema}_jobs.job WHERE name = 'run.fix' AND data->>'runId' = $1 AND retry_count >= 1`, [run.id]);
  assert.ok(rescued + released >= 1, `brought back by a lease release (${released}) or a rescue (${rescued})`);
  assert.ok(rescued <= 1, 'rescued at most once');
  // The proven change is the new agent's whole fix, not a leftover of the dead one's worktree.
  assert.deepEqual(done.outcome!.evidence.testFiles, ['test/range.test.js']);
});
