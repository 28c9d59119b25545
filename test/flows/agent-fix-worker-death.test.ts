import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type Anthropic from '@anthropic-ai/sdk';
import { createFailingTest, finish, fixBug, lastToolResults, runTests, viewCalc } from '../agents/coder-fixture.ts';
import type { ScriptedResponse } from '../fakes/fake-anthropic.ts';
import { SLACK_DEFAULTS } from '../fakes/slack-defaults.ts';
import { startAgentProcessWorld, TICKET, type AgentProcessWorld } from '../support/agent-process-world.ts';
import type { RunRow } from '../support/agent-flow.ts';
import type { BatonProcess } from '../support/spawn-baton.ts';
import { eventually } from '../support/eventually.ts';
import { count } from '../support/test-database.ts';

/*
 * "A run.fix redelivered after a worker died mid-loop gives one branch and one PR." Baton runs as
 * separate processes (a web process, and a worker), the fakes in this test process. The worker is
 * SIGKILLed while its agent waits on its third model call, after the agent has already written a
 * file in its worktree; a new worker starts on the same database and data directory.
 *
 * What brings the dead worker's run.fix back today: nothing but pg-boss's expiry of the active job,
 * `expireInSeconds: 75 * 60` (src/jobs/queues.ts), noticed by pg-boss maintenance (every 120 s,
 * in worker processes). The agent slot's lease lapses after 120 s (with-agent-slot.ts), but a lapsed
 * lease re-runs nothing: it only lets a later delivery take the slot. So with the defaults the run
 * sits in `running`, its thread saying the agent works, for 75 to 77 minutes. The first test holds
 * the product to a bounded recovery and is `todo` until that gap is closed; the second moves the
 * dead job's start back 75 minutes (what waiting would do) and checks that the delivery pg-boss's
 * expiry then makes finishes the run with one branch, one PR and one thread.
 */

/**
 * How soon a new worker must finish a dead worker's run: the agent lease (120 s) for the death to
 * show, a reconcile tick (1 minute here, `scheduling.reconcile_interval_minutes`) to act on it, and
 * the run itself. Adjust to the mechanism that closes the gap, keeping it well under the expiry.
 */
const RECOVERY_BOUND_MS = 210_000;

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
  world = await startAgentProcessWorld({ policy: { scheduling: { reconcile_interval_minutes: 1 } } });
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

/** One branch on the remote, one PR, one thread root, and the run waiting on its PR. */
async function assertOneOfEach(done: RunRow): Promise<void> {
  const w = world!;
  const branches = [...(await w.demo.remote.refs()).keys()].filter((ref) => ref.startsWith('refs/heads/baton/'));
  assert.deepEqual(branches, [`refs/heads/${done.branch}`]);
  const pulls = w.github.pulls('acme', 'calc') as { head: { ref: string } }[];
  assert.equal(pulls.length, 1);
  assert.equal(pulls[0]!.head.ref, done.branch);
  assert.equal(w.slack.threadRoots(SLACK_DEFAULTS.channelId).length, 1, 'one thread');
  assert.equal(done.thread_ts, run.thread_ts, 'the thread the first worker opened');
  assert.equal(w.anthropic.remaining(), 0, 'the new agent used every scripted turn');
}

test(
  'a worker killed mid-loop: a new worker finishes the run in bounded time, with one branch, one PR and one thread',
  {
    skip: needsDatabase,
    todo: 'nothing re-runs a dead worker’s run.fix until pg-boss expires it after 75 minutes (src/jobs/queues.ts expireInSeconds); the lapsed agent lease re-runs nothing',
  },
  async () => {
    const done = await world!.runWhere("status = 'awaiting_approval'", 'a new worker to finish the dead worker’s run', RECOVERY_BOUND_MS);
    await assertOneOfEach(done);
  },
);

test('a worker killed mid-loop: the delivery pg-boss makes once the job expires finishes the run, with one branch, one PR and one thread', { skip: needsDatabase }, async () => {
  const w = world!;
  const jobs = `${w.db.schema}_jobs.job`;
  const { rows } = await w.db.pool.query<{ status: string }>('SELECT status FROM runs WHERE id = $1', [run.id]);
  if (rows[0]!.status === 'running') {
    // 75 minutes on: the dead worker's job is past its expiry, and its agent's lease long lapsed.
    const moved = await w.db.pool.query(
      `UPDATE ${jobs} SET started_on = started_on - expire_in - interval '1 minute'
        WHERE name = 'run.fix' AND state = 'active' AND data->>'runId' = $1`,
      [run.id],
    );
    assert.equal(moved.rowCount, 1, 'the dead worker’s job is still active');
    await w.db.pool.query("UPDATE runs SET agent_lease_until = now() - interval '1 second' WHERE id = $1", [run.id]);
  }
  // pg-boss maintenance (every 120 s in a worker) fails the expired job into a retry, which the new worker runs.
  const done = await w.runWhere("status = 'awaiting_approval'", 'the expired job’s retry to finish the run', 240_000);
  await assertOneOfEach(done);
  const deliveries = await count(w.db.pool, `SELECT 1 FROM ${jobs} WHERE name = 'run.fix' AND data->>'runId' = $1 AND state = 'completed'`, [run.id]);
  assert.ok(deliveries >= 1);
  assert.equal(await count(w.db.pool, 'SELECT 1 FROM agent_calls WHERE run_id = $1', [run.id]), 2 + 6, 'the dead agent’s two calls and the new agent’s six');
});
