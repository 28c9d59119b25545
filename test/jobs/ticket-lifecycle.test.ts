import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { migrate } from '../../src/db/migrate.ts';
import { auditForRun } from '../../src/db/audit-log.ts';
import { getRun, insertRun } from '../../src/db/runs.ts';
import type { RunStatus } from '../../src/domain/run.ts';
import type { TicketEvent } from '../../src/domain/ticket-event.ts';
import { createSlackClient } from '../../src/integrations/slack.ts';
import { createLinearTracker } from '../../src/integrations/trackers/linear-tracker.ts';
import { createJiraTracker } from '../../src/integrations/trackers/jira-tracker.ts';
import { cancelRun } from '../../src/jobs/cancel-run.ts';
import { PermanentError } from '../../src/jobs/errors.ts';
import { failRun } from '../../src/jobs/fail-run.ts';
import { handleTicketEvent } from '../../src/jobs/handle-ticket-event.ts';
import { createQueue, type Queue } from '../../src/jobs/queue.ts';
import { reconcile } from '../../src/jobs/reconcile.ts';
import { runFix } from '../../src/jobs/run-fix.ts';
import { createTrackerRoutes } from '../../src/jobs/tracker-routes.ts';
import { policySchema } from '../../src/policy.ts';
import { FakeSlack } from '../fakes/fake-slack.ts';
import { FakeLinear } from '../fakes/fake-linear.ts';
import { FakeJira } from '../fakes/fake-jira.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

/*
 * When a ticket's close, reopen or deletion ends its run, against real PostgreSQL and the fake
 * Slack, Linear and Jira: the jobs are called directly, as their workers would.
 */

let db: TestDatabase;
let slack: FakeSlack;
let linear: FakeLinear;
let jira: FakeJira;
let queue: Queue;
let deps: Parameters<typeof handleTicketEvent>[1] & Parameters<typeof reconcile>[0] & Parameters<typeof runFix>[1];
const CHANNEL = 'C0LIFE';
let n = 100;

before(async () => {
  db = await createTestDatabase();
  await migrate(db.pool, db.schema);
  slack = new FakeSlack();
  linear = new FakeLinear();
  jira = new FakeJira();
  await Promise.all([slack.start(), linear.start(), jira.start()]);
  linear.addTeam({ key: 'ENG', name: 'Engineering' });
  jira.addProject({ key: 'OPS' });
  const log = pino({ level: 'silent' });
  queue = createQueue({ pool: db.pool, schema: `${db.schema}_jobs`, pollIntervalSeconds: 1, log, supervise: false });
  await queue.start();
  // No intake rules: reconcile only checks active runs' tickets, and nothing here starts a run.
  const { teams } = policySchema.parse({ teams: { ENG: { tracker: 'linear', channel: CHANNEL }, OPS: { tracker: 'jira', channel: CHANNEL } } });
  deps = {
    pool: db.pool,
    queue,
    slack: createSlackClient({ apiUrl: slack.apiUrl, token: slack.botToken, retries: 0 }),
    routes: createTrackerRoutes(teams, {
      linear: createLinearTracker({ apiUrl: linear.apiUrl, apiKey: linear.apiKey }),
      jira: createJiraTracker({ host: jira.url, email: jira.email, apiToken: jira.apiToken }),
    }),
    agentSlots: { capacity: 2 },
    startRun: () => Promise.reject(new Error('no run starts in these tests')),
    announceAfterSeconds: 0,
    log,
  };
});
beforeEach(() => slack.reset());
after(async () => {
  await queue.stop(0);
  await Promise.all([slack.stop(), linear.stop(), jira.stop()]);
  await db.drop();
});

type Tracker = 'ENG' | 'OPS';

/** A ticket in the tracker (unless `exists` is false) and its run, with an open thread. */
async function runFor(prefix: Tracker, opts: { status?: RunStatus; prNumber?: number; exists?: boolean } = {}): Promise<{ key: string; runId: string }> {
  n += 1;
  const key = `${prefix}-${n}`;
  if (opts.exists !== false) {
    if (prefix === 'ENG') linear.addIssue({ team: 'ENG', number: n, title: `Ticket ${key}` });
    else jira.addIssue({ project: 'OPS', number: n, summary: `Ticket ${key}` });
  }
  const run = await insertRun(db.pool, { ticketKey: key, source: 'slack', requestedBy: 'U1', channelId: CHANNEL, priority: 0 });
  await db.pool.query(`UPDATE runs SET status = $2, thread_ts = '1700000000.000100', status_ts = '1700000000.000200' WHERE id = $1`, [run!.id, opts.status ?? 'queued']);
  if (opts.prNumber) await db.pool.query(`UPDATE runs SET repo = 'acme/shop', branch = $2, pr_number = $3 WHERE id = $1`, [run!.id, `baton/${key}`, opts.prNumber]);
  return { key, runId: run!.id };
}

function moveTo(key: string, state: string): void {
  if (key.startsWith('ENG')) {
    const issue = linear.store.issue(key)!;
    linear.store.updateIssue(key, { stateId: linear.store.state(issue.teamId, state).id });
  } else {
    jira.getIssue(key).status = state;
  }
}

function event(key: string, change: Partial<TicketEvent> = {}): TicketEvent {
  const source = key.startsWith('ENG') ? 'linear' : 'jira';
  return {
    kind: 'updated', source, ticketKey: key, team: key.split('-')[0]!, labelsAdded: [], descriptionChanged: false, labels: [],
    state: { name: 'Done', category: 'done' }, stateChangedTo: { name: 'Done', category: 'done' }, priority: 'none', ...change,
  };
}

const statusOf = async (runId: string): Promise<string | undefined> => (await getRun(db.pool, runId))?.status;
const actions = async (runId: string): Promise<string[]> => (await auditForRun(db.pool, runId)).map((a) => a.action);
const threadTexts = (): string[] => slack.messages(CHANNEL).map((m) => String(m.text));

// ---- 1. a close never cancels a run that is merging, deploying or on a PR -------------------

for (const status of ['merging', 'deploying'] as const) {
  test(`a ticket moved to Done does not cancel a run that is ${status} (Baton's own merge closes tickets)`, async () => {
    const { key, runId } = await runFor('ENG', { status, prNumber: 7 });
    moveTo(key, 'Done');
    assert.equal(await handleTicketEvent(event(key), deps), 'ignored');
    assert.equal(await statusOf(runId), status);
    await reconcile(deps);
    assert.equal(await statusOf(runId), status);
  });
}

test('"Fixes ENG-n" merged outside Baton: Linear’s Done arrives before GitHub’s pull_request.closed and the run is left to GitHub', async () => {
  const { key, runId } = await runFor('ENG', { status: 'awaiting_approval', prNumber: 12 });
  moveTo(key, 'Done');
  assert.equal(await handleTicketEvent(event(key), deps), 'ignored');
  const report = await reconcile(deps);
  assert.ok(!report.cancelled.includes(key));
  assert.equal(await statusOf(runId), 'awaiting_approval');
  assert.ok(!(await actions(runId)).includes('run.cancelled'));
});

// ---- 2. stale events: the tracker's answer now decides --------------------------------------

test('a late "Done" delivery for a ticket that was reopened does not cancel the new run', async () => {
  const { key, runId } = await runFor('OPS');
  // The ticket was closed at 10:00, reopened at 10:05; the 10:00 delivery is retried at 10:25.
  assert.equal(await handleTicketEvent(event(key), deps), 'ignored');
  assert.equal(await statusOf(runId), 'queued');
  // Closed for real now: the same event cancels.
  moveTo(key, 'Done');
  assert.equal(await handleTicketEvent(event(key), deps), 'cancelled');
  const run = await getRun(db.pool, runId);
  assert.equal(run?.status, 'cancelled');
  assert.equal(run?.statusReason, `${key} was moved to Done in Jira`);
});

test('run.fix finds the ticket already closed: the run is cancelled with the reason in its thread, not started', async () => {
  const { key, runId } = await runFor('ENG');
  moveTo(key, 'Canceled');
  await runFix({ runId }, deps);
  const run = await getRun(db.pool, runId);
  assert.equal(run?.status, 'cancelled');
  assert.equal(run?.statusReason, `${key} was moved to Canceled in Linear`);
  assert.ok(threadTexts().some((t) => t.includes(key) && t.includes('Canceled') && t.includes('cancelled this run')), JSON.stringify(threadTexts()));
});

// ---- 5. deleted tickets end their run ------------------------------------------------------

test('a Linear remove event for a ticket that no longer exists cancels its run', async () => {
  const { key, runId } = await runFor('ENG', { exists: false });
  assert.equal(await handleTicketEvent(event(key, { kind: 'deleted', stateChangedTo: undefined, state: { name: 'Todo', category: 'todo' } }), deps), 'cancelled');
  const run = await getRun(db.pool, runId);
  assert.equal(run?.status, 'cancelled');
  assert.equal(run?.statusReason, `${key} no longer exists in Linear`);
  assert.ok(threadTexts().some((t) => t.includes(`${key} no longer exists in Linear`)));
});

test('deleting in Linear puts the issue in the trash, still readable by id: the remove event still cancels its run', async () => {
  const { key, runId } = await runFor('ENG');
  linear.trashIssue(key);
  assert.equal(await handleTicketEvent(event(key, { kind: 'deleted', stateChangedTo: undefined, state: { name: 'Todo', category: 'todo' } }), deps), 'cancelled');
  assert.equal((await getRun(db.pool, runId))?.statusReason, `${key} no longer exists in Linear`);
});

test('a jira:issue_deleted event cancels the run; a deletion the tracker does not confirm is ignored', async () => {
  const restored = await runFor('OPS');
  assert.equal(await handleTicketEvent(event(restored.key, { kind: 'deleted' }), deps), 'ignored');
  assert.equal(await statusOf(restored.runId), 'queued');
  const { key, runId } = await runFor('OPS', { exists: false });
  assert.equal(await handleTicketEvent(event(key, { kind: 'deleted' }), deps), 'cancelled');
  assert.equal((await getRun(db.pool, runId))?.statusReason, `${key} no longer exists in Jira`);
});

test('reconcile ends a run whose ticket was deleted instead of reporting "not found" forever', async () => {
  const { key, runId } = await runFor('OPS', { exists: false });
  const report = await reconcile(deps);
  assert.ok(report.cancelled.includes(key), JSON.stringify(report));
  assert.ok(!report.problems.some((p) => p.includes(key)), JSON.stringify(report.problems));
  assert.equal((await getRun(db.pool, runId))?.statusReason, `${key} no longer exists in Jira`);
  // The key is free again for a new run.
  assert.ok(await insertRun(db.pool, { ticketKey: key, source: 'slack', requestedBy: 'U1', channelId: CHANNEL, priority: 0 }));
});

test('reconcile prunes delivery rows past a week and keeps recent ones (redeliveries of those are still duplicates)', async () => {
  await db.pool.query(`INSERT INTO deliveries (source, delivery_id, received_at) VALUES ('linear', 'old-1', now() - interval '8 days'), ('linear', 'recent-1', now() - interval '2 days')`);
  const report = await reconcile(deps);
  assert.ok(report.pruned >= 1, JSON.stringify(report));
  const { rows } = await db.pool.query(`SELECT delivery_id FROM deliveries WHERE delivery_id IN ('old-1', 'recent-1')`);
  assert.deepEqual(rows.map((r) => r.delivery_id), ['recent-1']);
});

// ---- 8. the end and its notice are never lost ------------------------------------------------

const cause = (key: string) => ({ actor: 'U0PERSON', reason: `${key} is not needed`, notice: { text: `${key} cancelled by a person` } });

test('a cancel whose notice Slack refused is told by the retry of the same cause, once', async () => {
  const { key, runId } = await runFor('ENG');
  slack.failMethod('chat.postMessage', 'internal_error');
  assert.ok(await cancelRun(runId, cause(key), deps));
  assert.equal(await statusOf(runId), 'cancelled');
  assert.deepEqual(await actions(runId), ['run.cancelled'], 'the end is recorded with the status, the notice is owed');
  assert.equal(threadTexts().filter((t) => t.includes(key)).length, 0);
  // The job's retry finds the run ended by this same cause and tells the thread.
  assert.ok(await cancelRun(runId, cause(key), deps));
  assert.equal(threadTexts().filter((t) => t === `${key} cancelled by a person`).length, 1);
  // A further retry, or another cause, posts nothing more.
  assert.equal(await cancelRun(runId, cause(key), deps), undefined);
  assert.equal(await cancelRun(runId, { ...cause(key), actor: 'linear webhook' }, deps), undefined);
  assert.equal(threadTexts().filter((t) => t.includes(key)).length, 1);
  assert.deepEqual(await actions(runId), ['run.cancelled', 'run.announced']);
});

test('a failure whose notice Slack refused is told by reconcile’s sweep, once', async () => {
  const { key, runId } = await runFor('ENG');
  slack.failMethod('chat.postMessage', 'internal_error');
  await failRun(runId, new PermanentError('tests_failed', 'the tests failed'), deps);
  assert.equal(await statusOf(runId), 'failed');
  assert.equal(threadTexts().filter((t) => t.includes(key)).length, 0);
  const report = await reconcile(deps);
  assert.ok(report.announced.includes(runId), JSON.stringify(report));
  assert.equal(threadTexts().filter((t) => t.includes(`${key} failed`)).length, 1);
  await reconcile(deps);
  assert.equal(threadTexts().filter((t) => t.includes(`${key} failed`)).length, 1);
});

test('an audit insert that fails rolls the status back, so the retry cancels and tells the thread', async () => {
  const { key, runId } = await runFor('ENG');
  // A real database failure at the audit insert, once: a trigger that refuses the next run.cancelled.
  await db.pool.query(`CREATE TABLE fail_once (done boolean);
    CREATE FUNCTION refuse_cancel_once() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.action = 'run.cancelled' AND NOT EXISTS (SELECT 1 FROM fail_once) THEN
        INSERT INTO fail_once VALUES (true);
        RAISE EXCEPTION 'injected audit failure';
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER refuse_cancel_once BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_cancel_once();`);
  try {
    await assert.rejects(cancelRun(runId, cause(key), deps), /injected audit failure/);
    assert.equal(await statusOf(runId), 'queued', 'the status change went with the audit insert');
  } finally {
    // The failed transaction rolled back the marker too; drop the trigger before the retry.
    await db.pool.query('DROP TRIGGER refuse_cancel_once ON audit_log; DROP FUNCTION refuse_cancel_once(); DROP TABLE fail_once');
  }
  assert.ok(await cancelRun(runId, cause(key), deps));
  assert.deepEqual(await actions(runId), ['run.cancelled', 'run.announced']);
  assert.equal(threadTexts().filter((t) => t === `${key} cancelled by a person`).length, 1);
});

test('two workers cancelling one run for the same cause at once (two webhooks for one close) post one notice', async () => {
  const { key, runId } = await runFor('ENG');
  // Slow enough that both reach Slack before either records the announcement, without the claim.
  slack.latency(300);
  const results = await Promise.all([cancelRun(runId, cause(key), deps), cancelRun(runId, cause(key), deps)]);
  assert.equal(threadTexts().filter((t) => t === `${key} cancelled by a person`).length, 1);
  // What cancelRun promises is one cancel and one notice, not which caller did which: A may end the
  // run while B (whose own transition found it ended) wins the claim on the notice and posts it,
  // and then both return the cancelled run (B as "a retry of the same cause that told").
  assert.ok(results.some(Boolean), 'at least one of them reports the run cancelled');
  for (const result of results.filter(Boolean)) assert.equal(result!.status, 'cancelled');
  assert.deepEqual(await actions(runId), ['run.cancelled', 'run.announced']);
});

test('a notice claimed by a poster that died is left alone while the claim lives, then posted once by the sweep', async () => {
  const { key, runId } = await runFor('ENG');
  slack.failMethod('chat.postMessage', 'internal_error');
  assert.ok(await cancelRun(runId, cause(key), deps));
  assert.deepEqual(await actions(runId), ['run.cancelled'], 'the notice is owed');
  // A poster claimed the notice and died before Slack answered: its claim is still live.
  await db.pool.query(`UPDATE runs SET end_notice_claimed_until = now() + interval '1 minute' WHERE id = $1`, [runId]);
  assert.ok(!(await reconcile(deps)).announced.includes(runId), 'a live claim keeps the sweep off');
  assert.equal(await cancelRun(runId, cause(key), deps), undefined, 'and a retry of the cause too');
  assert.equal(threadTexts().filter((t) => t.includes(key)).length, 0);
  // The claim lapsed with nobody having posted.
  await db.pool.query(`UPDATE runs SET end_notice_claimed_until = now() - interval '1 second' WHERE id = $1`, [runId]);
  const report = await reconcile(deps);
  assert.ok(report.announced.includes(runId), JSON.stringify(report));
  await reconcile(deps);
  assert.equal(threadTexts().filter((t) => t === `${key} cancelled by a person`).length, 1);
  assert.deepEqual(await actions(runId), ['run.cancelled', 'run.announced']);
});
