import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { getRun, insertRun } from '../../src/db/runs.ts';
import { createSlackClient } from '../../src/integrations/slack.ts';
import { runFix, type RunFixDeps } from '../../src/jobs/run-fix.ts';
import { isRetryable } from '../../src/jobs/errors.ts';
import { cancelRun } from '../../src/jobs/cancel-run.ts';
import { seededRemote, tempDir, testManager } from '../integrations/git/git-fixtures.ts';
import { FakeSlack } from '../fakes/fake-slack.ts';
import { FakeLinear } from '../fakes/fake-linear.ts';
import { createLinearTracker } from '../../src/integrations/trackers/linear-tracker.ts';
import { createTrackerRoutes } from '../../src/jobs/tracker-routes.ts';
import { createQueue, type Queue } from '../../src/jobs/queue.ts';
import { policySchema } from '../../src/policy.ts';
import type { TestDatabase } from '../support/test-database.ts';
import { startRunFixFixture, type RunFixFixture } from '../support/run-fix-fixture.ts';

let fixture: RunFixFixture;
let db: TestDatabase;
let slack: FakeSlack;
let linear: FakeLinear;
let queue: Queue;
let deps: RunFixDeps;
let n = 0;
const CHANNEL = 'C0FAKECHAN';

async function newRun(): Promise<string> {
  n += 1;
  const run = await insertRun(db.pool, { ticketKey: `TWICE-${n}`, source: 'slack', requestedBy: 'U1', channelId: CHANNEL, priority: 0 });
  return run!.id;
}

before(async () => {
  fixture = await startRunFixFixture({ key: 'TWICE', name: 'Twice' }, 10);
  ({ db, slack, linear } = fixture);
  const log = pino({ level: 'silent' });
  queue = createQueue({ pool: db.pool, schema: `${db.schema}_jobs`, pollIntervalSeconds: 1, log, supervise: false });
  await queue.start();
  const { teams } = policySchema.parse({ teams: { TWICE: { tracker: 'linear', channel: CHANNEL } } });
  deps = {
    pool: db.pool,
    queue,
    slack: createSlackClient({ apiUrl: slack.apiUrl, token: slack.botToken, retries: 0 }),
    routes: createTrackerRoutes(teams, { linear: createLinearTracker({ apiUrl: linear.apiUrl, apiKey: linear.apiKey }) }),
    agentSlots: { capacity: 2 },
    log,
  };
});
beforeEach(() => slack.reset());
after(async () => {
  await queue.stop(0);
  await fixture.stop();
});

test('run.fix delivered twice, one after the other, posts one thread root', async () => {
  const runId = await newRun();
  await runFix({ runId }, deps);
  await runFix({ runId }, deps);
  assert.equal(slack.threadRoots(CHANNEL).length, 1);
  const run = await getRun(db.pool, runId);
  assert.equal(slack.repliesTo(run!.threadTs!).length, 1);
});

test('run.fix delivered twice at once posts one thread root; the loser backs off to retry', async () => {
  const runId = await newRun();
  slack.latency(100);
  const results = await Promise.allSettled([runFix({ runId }, deps), runFix({ runId }, deps)]);
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  for (const failure of failures) assert.ok(isRetryable(failure.reason), 'the loser is retried, not failed');
  assert.equal(slack.threadRoots(CHANNEL).length, 1);
  // The retry finds the thread open and posts nothing.
  await runFix({ runId }, deps);
  assert.equal(slack.threadRoots(CHANNEL).length, 1);
  assert.equal(slack.callsTo('POST', '/api/chat.postMessage').length, 2, 'root and status, once each');
});

test('a worker that failed between the root and the status message does not post a second root on retry', async () => {
  const runId = await newRun();
  // The root and its permalink succeed; the status message meets a Slack outage.
  slack.fail({ status: 503, match: (req) => req.path === '/api/chat.postMessage' && String(req.rawBody).includes('thread_ts') });
  await assert.rejects(runFix({ runId }, deps), (error: unknown) => isRetryable(error));
  await runFix({ runId }, deps);
  assert.equal(slack.threadRoots(CHANNEL).length, 1);
  const run = await getRun(db.pool, runId);
  assert.ok(run?.statusTs, 'the status message was posted on retry');
  assert.equal(slack.repliesTo(run.threadTs!).length, 1);
});

test('a run that already ended is left alone', async () => {
  const runId = await newRun();
  await db.pool.query(`UPDATE runs SET status = 'cancelled' WHERE id = $1`, [runId]);
  await runFix({ runId }, deps);
  assert.equal(slack.calls.length, 0);
});

test('a second delivery of a run whose agent is working ends at once: no second agent, no job put back, no thread edit, no tracker call', async () => {
  const runId = await newRun();
  let calls = 0;
  let release: () => void = () => undefined;
  let started: () => void = () => undefined;
  const working = new Promise<void>((resolve) => (started = resolve));
  const agentDeps: RunFixDeps = {
    ...deps,
    agentSlots: { capacity: 1 },
    agent: async () => {
      calls += 1;
      started();
      await new Promise<void>((resolve) => (release = resolve));
    },
  };
  const first = runFix({ runId }, agentDeps);
  await working;
  const jobsBefore = await runFixJobs();
  const updatesBefore = slack.callsTo('/api/chat.update').length;
  const readsBefore = linear.callsTo('POST', '/graphql').length;

  try {
    await runFix({ runId }, agentDeps);
    assert.equal(calls, 1, 'one agent for one run');
    assert.equal(await runFixJobs(), jobsBefore, 'the redelivery did not put another job in line');
    assert.equal(linear.callsTo('POST', '/graphql').length, readsBefore, 'nor read the ticket: a tracker error here must not fail the run under the agent');
    assert.equal(slack.callsTo('/api/chat.update').length, updatesBefore, 'the thread was not edited to say "waiting"');
    assert.equal((await getRun(db.pool, runId))?.status, 'running');
  } finally {
    // Even when an assertion failed: the first agent's lease heartbeat would keep the file alive.
    release();
    await first;
  }
  assert.equal(calls, 1);
});

async function runFixJobs(): Promise<number> {
  const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM ${db.schema}_jobs.job WHERE name = 'run.fix'`);
  return rows[0].n;
}

test('cancelled while its agent works: the worktree stays under the agent, and goes when the agent returns', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const remote = await seededRemote(dir);
    const workspaces = testManager(join(dir, 'data'));
    const runId = await newRun();
    let during: boolean | undefined;
    let path = '';
    await runFix({ runId }, {
      ...deps,
      workspaces,
      agent: async ({ run }) => {
        // What the agent step will do: work in the run's own worktree.
        path = (await workspaces.prepareWorkspace({ repo: remote.repo, runId: run.id, ticketKey: run.ticketKey, title: 'x' })).path;
        // The ticket is closed meanwhile.
        await cancelRun(run.id, { actor: 'linear webhook', reason: `${run.ticketKey} was moved to Done`, notice: { text: 'cancelled' } }, { ...deps, workspaces });
        during = existsSync(path);
      },
    });
    assert.equal(during, true, 'the cancel did not delete the worktree under the working agent');
    assert.equal(existsSync(path), false, 'the job gave it back once the agent returned');
    assert.equal((await getRun(db.pool, runId))?.status, 'cancelled');
  } finally {
    await cleanup();
  }
});

test('an agent whose run is cancelled while it works is told to stop at the next lease beat', async () => {
  const runId = await newRun();
  let stopped: unknown;
  await runFix({ runId }, {
    ...deps,
    // A 3 s lease beats every second, so the test does not wait long for the beat.
    agentSlots: { capacity: 2, leaseSeconds: 3 },
    agent: async ({ run, signal }) => {
      await cancelRun(run.id, { actor: 'U0PERSON', reason: 'not needed', notice: { text: 'cancelled' } }, deps);
      await new Promise<void>((resolve) => {
        signal.addEventListener('abort', () => resolve(), { once: true });
        // A hang guard only: a signal that never comes fails the assertion below.
        setTimeout(resolve, 20_000).unref();
      });
      stopped = signal.reason;
    },
  });
  assert.match(String((stopped as Error | undefined)?.message), /the run ended/);
});

test('a run that ended while its worker died with the agent: the next delivery gives the worktree back', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const remote = await seededRemote(dir);
    const workspaces = testManager(join(dir, 'data'));
    const runId = await newRun();
    const { path } = await workspaces.prepareWorkspace({ repo: remote.repo, runId, ticketKey: 'TWICE-x', title: 'x' });
    // Cancelled while the agent held a lease, which then lapsed with its worker.
    await db.pool.query(`UPDATE runs SET status = 'cancelled', agent_holder = 'dead', agent_lease_until = now() - interval '1 second' WHERE id = $1`, [runId]);
    await runFix({ runId }, { ...deps, workspaces });
    assert.equal(existsSync(path), false);
  } finally {
    await cleanup();
  }
});
