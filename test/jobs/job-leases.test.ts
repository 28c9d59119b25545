import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { migrate } from '../../src/db/migrate.ts';
import { withTransaction } from '../../src/db/pool.ts';
import { createQueue, type Queue, type ReleasedJob } from '../../src/jobs/queue.ts';
import { count, createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { eventually } from '../support/eventually.ts';

// A worker SIGKILLed mid-job leaves pg-boss's job `active` until its expiry (15 to 90 minutes). Job
// leases say sooner that nobody works on it: these tests build the rows a dead worker leaves and
// run the watchdog's pass; test/flows/chaos.test.ts kills real processes.
let db: TestDatabase;
let queue: Queue;
const log = pino({ level: 'silent' });
const LEASE = 3;
let serial = 0;
const givenUp: ReleasedJob[] = [];

before(async () => {
  db = await createTestDatabase();
  await migrate(db.pool, db.schema);
  queue = createQueue({ pool: db.pool, schema: `${db.schema}_jobs`, pollIntervalSeconds: 0.5, log, supervise: false, leaseSeconds: LEASE });
  await queue.start();
  queue.onGivenUp(async (job) => void givenUp.push(job));
});
after(async () => {
  await queue.stop(0);
  await db.drop();
});

const jobs = `_jobs.job`;
const stateOf = async (id: string): Promise<{ state: string; retry_count: number }> =>
  (await db.pool.query(`SELECT state, retry_count FROM ${db.schema}${jobs} WHERE id = $1`, [id])).rows[0];

/** A run.review job as a worker killed `agoSeconds` after taking it leaves it. */
async function abandonedJob(agoSeconds: number, retries: { count?: number } = {}): Promise<string> {
  serial += 1;
  const runId = `00000000-0000-4000-8000-${String(serial).padStart(12, '0')}`;
  const id = await withTransaction(db.pool, (tx) =>
    queue.enqueue(tx, 'gate.merge', { runId, headSha: 'abcdef1234567' }),
  );
  await db.pool.query(
    `UPDATE ${db.schema}${jobs} SET state = 'active', started_on = now() - $2 * interval '1 second', retry_count = $3 WHERE id = $1`,
    [id, agoSeconds, retries.count ?? 0],
  );
  return id;
}

test('a job active past the lease with no lease row is released for a retry, once, however many watchdogs look', async () => {
  const id = await abandonedJob(LEASE + 5);
  const passes = await Promise.all([queue.releaseAbandonedJobs(), queue.releaseAbandonedJobs(), queue.releaseAbandonedJobs()]);
  const released = passes.flat().filter((j) => j.id === id);
  assert.equal(released.length, 1, 'one watchdog took it');
  assert.equal(released[0]!.givenUp, false);
  // pg-boss counts an attempt when a worker fetches the job; failing it only moves it to `retry`.
  assert.deepEqual(await stateOf(id), { state: 'retry', retry_count: 0 });
  // A later pass leaves the retry alone.
  assert.deepEqual((await queue.releaseAbandonedJobs()).filter((j) => j.id === id), []);
});

test('a job whose worker renews its lease is left alone, however long it runs; one whose lease lapsed is released', async () => {
  const live = await abandonedJob(LEASE * 20);
  const dead = await abandonedJob(LEASE * 20);
  await db.pool.query(
    `INSERT INTO job_leases (job_id, queue, holder, lease_until) VALUES
       ($1, 'gate.merge', 'alive:1', now() + interval '30 seconds'), ($2, 'gate.merge', 'dead:2', now() - interval '1 second')`,
    [live, dead],
  );
  const released = (await queue.releaseAbandonedJobs()).map((j) => [j.id, j.holder]);
  assert.deepEqual(released.filter(([id]) => id === live || id === dead), [[dead, 'dead:2']]);
  assert.equal((await stateOf(live)).state, 'active');
  assert.equal(await count(db.pool, 'SELECT 1 FROM job_leases WHERE job_id = $1', [dead]), 0, 'the dead lease is dropped with the release');
});

test('a job just taken (younger than the lease, not yet renewed) is not released', async () => {
  const id = await abandonedJob(0);
  assert.deepEqual((await queue.releaseAbandonedJobs()).filter((j) => j.id === id), []);
  assert.equal((await stateOf(id)).state, 'active');
});

test('a released job with no retry left is given up, and the handler hears of it (its run must not wait forever)', async () => {
  const id = await abandonedJob(LEASE + 5, { count: 5 });
  const released = (await queue.releaseAbandonedJobs()).filter((j) => j.id === id);
  assert.equal(released.length, 1);
  assert.equal(released[0]!.givenUp, true);
  assert.equal((await stateOf(id)).state, 'failed');
  assert.ok(givenUp.some((j) => j.id === id && j.name === 'gate.merge'));
});

test('a live worker renews the lease of its long job: another process\'s watchdog never takes it, and the lease goes when it ends', async () => {
  const worker = createQueue({ pool: db.pool, schema: `${db.schema}_jobs`, pollIntervalSeconds: 0.5, log, supervise: false, leaseSeconds: LEASE });
  await worker.start();
  let finish!: () => void;
  const held = new Promise<void>((resolve) => (finish = resolve));
  let startedJob: string | undefined;
  await worker.work('intake.reconcile', async (_payload, job) => {
    startedJob = job.id;
    await held;
  });
  try {
    await withTransaction(db.pool, (tx) => queue.enqueue(tx, 'intake.reconcile', {}));
    worker.notify('intake.reconcile');
    await eventually(async () => startedJob, 10_000, 'the worker to take the job');
    // Three leases long: without renewals the job would be taken after the first.
    const until = Date.now() + LEASE * 3 * 1000;
    while (Date.now() < until) {
      assert.deepEqual((await queue.releaseAbandonedJobs()).filter((j) => j.id === startedJob), []);
      await new Promise((r) => setTimeout(r, 300));
    }
    assert.equal(await count(db.pool, 'SELECT 1 FROM job_leases WHERE job_id = $1 AND lease_until > now()', [startedJob]), 1);
    finish();
    await eventually(async () => (await stateOf(startedJob!)).state === 'completed', 10_000, 'the job to complete');
    await eventually(async () => (await count(db.pool, 'SELECT 1 FROM job_leases WHERE job_id = $1', [startedJob])) === 0, 10_000, 'the lease to go');
  } finally {
    finish();
    await worker.stop(1);
  }
});
