import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { migrate } from '../../src/db/migrate.ts';
import { withTransaction } from '../../src/db/pool.ts';
import { insertRun } from '../../src/db/runs.ts';
import { createQueue, type Queue } from '../../src/jobs/queue.ts';
import { TrackerError } from '../../src/integrations/trackers/ticket-tracker.ts';
import { GitHubError } from '../../src/integrations/github/github-error.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { eventually } from '../support/eventually.ts';

// The queue honours a service's Retry-After: pg-boss's own backoff (1 s here) would hammer a
// rate-limited API again long before it asked to be called.
let db: TestDatabase;
let queue: Queue;
const log = pino({ level: 'silent' });
const failures = new Map<string, unknown>();
const attempts = new Map<string, number[]>();

before(async () => {
  db = await createTestDatabase();
  await migrate(db.pool, db.schema);
  queue = createQueue({ pool: db.pool, schema: jobs(), pollIntervalSeconds: 0.5, log, supervise: false, retryDelaySeconds: 1 });
  await queue.start();
  await queue.work('run.fix', async ({ runId }) => {
    attempts.set(runId, [...(attempts.get(runId) ?? []), Date.now()]);
    const failure = failures.get(runId);
    failures.delete(runId);
    if (failure) throw failure;
  }, 2);
});
after(async () => {
  await queue.stop(1);
  await db.drop();
});

function jobs(): string {
  return `${db.schema}_jobs`;
}

async function enqueueFailing(key: string, failure: unknown): Promise<{ runId: string; jobId: string }> {
  const run = await insertRun(db.pool, { ticketKey: key, source: 'slack', requestedBy: 'U1', channelId: 'C1', priority: 0 });
  failures.set(run!.id, failure);
  const jobId = await withTransaction(db.pool, (tx) => queue.enqueue(tx, 'run.fix', { runId: run!.id }));
  queue.notify('run.fix');
  return { runId: run!.id, jobId };
}

async function retryRow(jobId: string): Promise<{ state: string; waitSeconds: number; output: { message?: string; retryAfterSeconds?: number } }> {
  return eventually(async () => {
    const { rows } = await db.pool.query(
      `SELECT state, EXTRACT(EPOCH FROM start_after - now())::float AS "waitSeconds", output FROM ${jobs()}.job WHERE id = $1`,
      [jobId],
    );
    return rows[0]?.state === 'retry' ? rows[0] : undefined;
  }, 10_000, `job ${jobId} waiting for its retry`);
}

test('a tracker that says Retry-After: 120 is not called again for 120 s, though the backoff is 1 s', async () => {
  const { jobId } = await enqueueFailing('RA-1', new TrackerError('rate_limited', 'Jira is rate-limiting Baton; retry in 120 s', { status: 429, retryAfterSeconds: 120 }));
  const row = await retryRow(jobId);
  assert.ok(row.waitSeconds > 110 && row.waitSeconds <= 120, `waits ${row.waitSeconds} s`);
  assert.deepEqual(row.output, { message: 'Jira is rate-limiting Baton; retry in 120 s', retryAfterSeconds: 120 });
});

test('GitHub and Slack rate limits are honoured the same way', async () => {
  const github = await enqueueFailing('RA-2', new GitHubError('rate_limited', 'GitHub is rate-limiting Baton', { status: 403, retryAfterSeconds: 90 }));
  const slack = await enqueueFailing('RA-3', Object.assign(new Error('A rate limit was exceeded'), { code: 'slack_webapi_rate_limited_error', retryAfter: 45 }));
  assert.ok((await retryRow(github.jobId)).waitSeconds > 80);
  const slackWait = (await retryRow(slack.jobId)).waitSeconds;
  assert.ok(slackWait > 35 && slackWait <= 45, `waits ${slackWait} s`);
});

test('a Retry-After beyond an hour is capped at an hour', async () => {
  const { jobId } = await enqueueFailing('RA-4', new TrackerError('rate_limited', 'slow down', { retryAfterSeconds: 7 * 24 * 3600 }));
  const row = await retryRow(jobId);
  assert.ok(row.waitSeconds > 3500 && row.waitSeconds <= 3600, `waits ${row.waitSeconds} s`);
});

test('control: without Retry-After the queue backoff decides, and the job runs again soon', async () => {
  const { runId, jobId } = await enqueueFailing('RA-5', new TrackerError('unavailable', 'Jira answered 503'));
  const row = await retryRow(jobId);
  assert.ok(row.waitSeconds < 10, `waits ${row.waitSeconds} s`);
  await eventually(async () => attempts.get(runId)?.length === 2, 20_000, 'the second attempt');
});

test('a short Retry-After: the second attempt starts no earlier than asked, and then completes', async () => {
  const { runId, jobId } = await enqueueFailing('RA-6', new TrackerError('rate_limited', 'slow down', { retryAfterSeconds: 3 }));
  await eventually(async () => attempts.get(runId)?.length === 2, 30_000, 'the second attempt');
  const [first, second] = attempts.get(runId)!;
  assert.ok(second! - first! >= 2500, `second attempt after ${second! - first!} ms`);
  await eventually(async () => {
    const { rows } = await db.pool.query(`SELECT state FROM ${jobs()}.job WHERE id = $1`, [jobId]);
    return rows[0]?.state === 'completed';
  }, 10_000, 'the job to complete');
});
