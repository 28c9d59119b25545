import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { migrate } from '../../src/db/migrate.ts';
import { getRun, insertRun } from '../../src/db/runs.ts';
import { createSlackClient } from '../../src/integrations/slack.ts';
import { createLinearTracker } from '../../src/integrations/trackers/linear-tracker.ts';
import { createQueue, type Queue } from '../../src/jobs/queue.ts';
import { runFix, type RunFixDeps } from '../../src/jobs/run-fix.ts';
import { createTrackerRoutes } from '../../src/jobs/tracker-routes.ts';
import { policySchema } from '../../src/policy.ts';
import { FakeLinear } from '../fakes/fake-linear.ts';
import { FakeSlack } from '../fakes/fake-slack.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

// The retry looks for what an earlier attempt posted among the channel's messages since the run
// began, so this Slack mints ts values from the real clock, as Slack does.
const slack = new FakeSlack({ clock: Date.now });
const linear = new FakeLinear();
let db: TestDatabase;
let queue: Queue;
let deps: RunFixDeps;
let n = 0;
const CHANNEL = 'C0FAKECHAN';

async function newRun(): Promise<string> {
  n += 1;
  const run = await insertRun(db.pool, { ticketKey: `ONCE-${n}`, source: 'slack', requestedBy: 'U1', channelId: CHANNEL, priority: 0 });
  return run!.id;
}

/**
 * The database refuses the first write that sets `column` on a run, after Slack has accepted the
 * post it records: what PostgreSQL going away (or the worker being killed) right there looks like.
 * A sequence counts the writes because it is not rolled back with the refused one.
 */
async function refuseFirstWriteOf(column: 'thread_ts' | 'status_ts'): Promise<void> {
  await db.pool.query(`CREATE SEQUENCE refuse_${column}`);
  await db.pool.query(`
    CREATE TRIGGER refuse_${column} BEFORE UPDATE OF ${column} ON runs FOR EACH ROW
    WHEN (OLD.${column} IS NULL AND NEW.${column} IS NOT NULL) EXECUTE FUNCTION refuse_once('refuse_${column}')`);
}

async function stopRefusing(column: 'thread_ts' | 'status_ts'): Promise<void> {
  await db.pool.query(`DROP TRIGGER refuse_${column} ON runs; DROP SEQUENCE refuse_${column}`);
}

before(async () => {
  db = await createTestDatabase();
  await migrate(db.pool, db.schema);
  await db.pool.query(`
    CREATE FUNCTION refuse_once() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF nextval(TG_ARGV[0]::regclass) = 1 THEN
        RAISE EXCEPTION 'terminating connection due to administrator command (test fault)' USING ERRCODE = '57P01';
      END IF;
      RETURN NEW;
    END $$`);
  await slack.start();
  await linear.start();
  linear.addTeam({ key: 'ONCE', name: 'Once' });
  for (let i = 1; i <= 5; i += 1) linear.addIssue({ team: 'ONCE', number: i, title: `Ticket ${i}` });
  const log = pino({ level: 'silent' });
  queue = createQueue({ pool: db.pool, schema: `${db.schema}_jobs`, pollIntervalSeconds: 1, log, supervise: false });
  await queue.start();
  const { teams } = policySchema.parse({ teams: { ONCE: { tracker: 'linear', channel: CHANNEL } } });
  deps = {
    pool: db.pool,
    queue,
    slack: createSlackClient({ apiUrl: slack.apiUrl, token: slack.botToken, retries: 0 }),
    routes: createTrackerRoutes(teams, { linear: createLinearTracker({ apiUrl: linear.apiUrl, apiKey: linear.apiKey }) }),
    agentSlots: { capacity: 2 },
    log,
  };
});
after(async () => {
  await queue.stop(0);
  await linear.stop();
  await slack.stop();
  await db.drop();
});

test('a first attempt posts the root and its status without reading the channel', async () => {
  slack.reset();
  const runId = await newRun();
  await runFix({ runId }, deps);
  assert.equal(slack.threadRoots(CHANNEL).length, 1);
  assert.equal(slack.apiCalls('conversations.history').length + slack.apiCalls('conversations.replies').length, 0);
});

test('the database refusing to record the root after Slack took it: the retry adopts that root, no second thread', async () => {
  slack.reset();
  const runId = await newRun();
  await refuseFirstWriteOf('thread_ts');
  try {
    await assert.rejects(runFix({ runId }, deps), /test fault/);
    assert.equal(slack.threadRoots(CHANNEL).length, 1, 'Slack has the root; the run does not');
    assert.equal((await getRun(db.pool, runId))?.threadTs, null);

    await runFix({ runId }, deps);
  } finally {
    await stopRefusing('thread_ts');
  }

  const roots = slack.threadRoots(CHANNEL);
  assert.equal(roots.length, 1, 'one thread in the channel');
  const run = await getRun(db.pool, runId);
  assert.equal(run?.threadTs, roots[0]!.ts);
  assert.ok(run?.threadUrl?.includes(roots[0]!.ts.replace('.', '')));
  assert.equal(slack.repliesTo(roots[0]!.ts).length, 1, 'one status message');
  assert.equal(run?.statusTs, slack.repliesTo(roots[0]!.ts)[0]!.ts);
});

test('the database refusing to record the status message: the retry adopts it, no second status in the thread', async () => {
  slack.reset();
  const runId = await newRun();
  await refuseFirstWriteOf('status_ts');
  try {
    await assert.rejects(runFix({ runId }, deps), /test fault/);
    await runFix({ runId }, deps);
  } finally {
    await stopRefusing('status_ts');
  }

  const roots = slack.threadRoots(CHANNEL);
  assert.equal(roots.length, 1);
  const replies = slack.repliesTo(roots[0]!.ts);
  assert.equal(replies.length, 1, 'one status message');
  assert.equal((await getRun(db.pool, runId))?.statusTs, replies[0]!.ts);
});

test('a root of another run in the channel is not adopted', async () => {
  slack.reset();
  const other = await newRun();
  await runFix({ runId: other }, deps);
  const runId = await newRun();
  // An attempt that took the lease and died before posting anything.
  await db.pool.query(`UPDATE runs SET thread_lease_until = now() - interval '1 second' WHERE id = $1`, [runId]);

  await runFix({ runId }, deps);

  assert.equal(slack.threadRoots(CHANNEL).length, 2);
  assert.notEqual((await getRun(db.pool, runId))?.threadTs, (await getRun(db.pool, other))?.threadTs);
  assert.equal(slack.apiCalls('conversations.history').length, 1, 'the retry looked before posting');
});
