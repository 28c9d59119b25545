import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { migrate } from '../../src/db/migrate.ts';
import { withTransaction } from '../../src/db/pool.ts';
import { waitForAgent } from '../../src/db/run-agent.ts';
import { insertRun, transitionRun } from '../../src/db/runs.ts';
import { createQueue, type Queue } from '../../src/jobs/queue.ts';
import { rescueStrandedRuns, runFixExpirySeconds } from '../../src/jobs/rescue-stranded-runs.ts';
import { count, createTestDatabase, type TestDatabase } from '../support/test-database.ts';

// A worker killed mid-run leaves its run `running` and its job `active` until pg-boss's expiry (an
// hour); the lapsed agent lease tells sooner. No worker takes jobs here: the rows are what counts.
let db: TestDatabase;
let queue: Queue;
const log = pino({ level: 'silent' });
let serial = 0;

before(async () => {
  db = await createTestDatabase();
  await migrate(db.pool, db.schema);
  queue = createQueue({ pool: db.pool, schema: `${db.schema}_jobs`, pollIntervalSeconds: 1, log, supervise: false, expireInSeconds: { 'run.fix': runFixExpirySeconds(30) } });
  await queue.start();
});
after(async () => {
  await queue.stop(0);
  await db.drop();
});

/** A run in `status`, last touched and last leased ten minutes ago. */
async function staleRun(status: 'queued' | 'running'): Promise<string> {
  serial += 1;
  const run = (await insertRun(db.pool, { ticketKey: `RES-${serial}`, source: 'slack', requestedBy: 'U1', channelId: 'C1', priority: 0 }))!;
  if (status === 'running') await transitionRun(db.pool, run.id, ['queued'], 'running', null);
  await db.pool.query(
    `UPDATE runs SET agent_holder = 'dead-worker', agent_lease_until = now() - interval '8 minutes', updated_at = now() - interval '10 minutes' WHERE id = $1`,
    [run.id],
  );
  return run.id;
}

const jobsFor = (runId: string, state?: string) =>
  count(db.pool, `SELECT 1 FROM ${db.schema}_jobs.job WHERE name = 'run.fix' AND data->>'runId' = $1 ${state ? 'AND state = $2' : ''}`, state ? [runId, state] : [runId]);

async function sendJob(runId: string): Promise<string> {
  return withTransaction(db.pool, (tx) => queue.enqueue(tx, 'run.fix', { runId }));
}

test('a running run whose worker died (lease lapsed, job active for long) gets its run.fix again, once', async () => {
  const runId = await staleRun('running');
  const jobId = await sendJob(runId);
  // As pg-boss leaves the job of a worker killed ten minutes ago: active until its expiry.
  await db.pool.query(`UPDATE ${db.schema}_jobs.job SET state = 'active', started_on = now() - interval '10 minutes' WHERE id = $1`, [jobId]);
  assert.deepEqual(await rescueStrandedRuns({ pool: db.pool, queue, log }), [runId]);
  assert.equal(await jobsFor(runId, 'created'), 1);
  assert.equal(await count(db.pool, "SELECT 1 FROM audit_log WHERE run_id = $1 AND action = 'run.rescued'", [runId]), 1);
  // The next tick finds the job it sent waiting.
  assert.deepEqual(await rescueStrandedRuns({ pool: db.pool, queue, log }), []);
  assert.equal(await jobsFor(runId), 2);
});

test('a queued run with no job left (its worker died before the agent began) is sent again too', async () => {
  const runId = await staleRun('queued');
  assert.ok((await rescueStrandedRuns({ pool: db.pool, queue, log })).includes(runId));
});

test('left alone: a live lease, a job waiting (a retry after Retry-After), a job just taken, a run waiting for a model', async () => {
  const leased = await staleRun('running');
  await db.pool.query(`UPDATE runs SET agent_lease_until = now() + interval '1 minute' WHERE id = $1`, [leased]);
  const retrying = await staleRun('running');
  await db.pool.query(`UPDATE ${db.schema}_jobs.job SET state = 'retry', start_after = now() + interval '1 hour' WHERE id = $1`, [await sendJob(retrying)]);
  const justTaken = await staleRun('running');
  await db.pool.query(`UPDATE ${db.schema}_jobs.job SET state = 'active', started_on = now() WHERE id = $1`, [await sendJob(justTaken)]);
  const noModel = await staleRun('queued');
  await waitForAgent(db.pool, noModel, 'no model');
  await db.pool.query(`UPDATE runs SET updated_at = now() - interval '10 minutes' WHERE id = $1`, [noModel]);
  const rescued = await rescueStrandedRuns({ pool: db.pool, queue, log });
  for (const runId of [leased, retrying, justTaken, noModel]) assert.ok(!rescued.includes(runId), runId);
});

test('run.fix expires after the agent’s minutes plus room for the workspace and Baton’s tests, within pg-boss’s 24 h', async () => {
  const { rows } = await db.pool.query(`SELECT expire_seconds FROM ${db.schema}_jobs.queue WHERE name = 'run.fix'`);
  assert.equal(rows[0].expire_seconds, 50 * 60);
  assert.ok(runFixExpirySeconds(24 * 60) < 24 * 60 * 60);
});
