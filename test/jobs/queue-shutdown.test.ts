import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { migrate } from '../../src/db/migrate.ts';
import { withTransaction } from '../../src/db/pool.ts';
import { insertRun } from '../../src/db/runs.ts';
import { createQueue } from '../../src/jobs/queue.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

let db: TestDatabase;
const log = pino({ level: 'silent' });

before(async () => {
  db = await createTestDatabase();
  await migrate(db.pool, db.schema);
});
after(() => db.drop());

test('a job still running when the grace period ends is released for a retry, not lost', async () => {
  const queue = createQueue({ pool: db.pool, schema: `${db.schema}_jobs`, pollIntervalSeconds: 0.5, log, supervise: false });
  await queue.start();
  let release: () => void = () => undefined;
  const started = new Promise<void>((resolve) => {
    void queue.work('run.fix', async () => {
      resolve();
      // Holds the job past the grace period, like a slow agent step.
      await new Promise<void>((r) => (release = r));
    }, 1);
  });
  const run = await insertRun(db.pool, { ticketKey: 'STOP-1', source: 'slack', requestedBy: 'U1', channelId: 'C1', priority: 0 });
  const jobId = await withTransaction(db.pool, (tx) => queue.enqueue(tx, 'run.fix', { runId: run!.id }));
  queue.notify('run.fix');
  await started;

  const stopping = queue.stop(1);
  // Let the handler finish only after pg-boss has given up on it, as a slow job would.
  setTimeout(() => release(), 1500);
  await stopping;

  const { rows } = await db.pool.query(`SELECT state FROM ${db.schema}_jobs.job WHERE id = $1`, [jobId]);
  assert.equal(rows[0].state, 'retry', 'released for another worker');
});

test('a job picked up by a fresh queue after a restart runs to completion', async () => {
  const queue = createQueue({ pool: db.pool, schema: `${db.schema}_jobs`, pollIntervalSeconds: 0.5, log, supervise: false });
  await queue.start();
  const seen: string[] = [];
  const done = new Promise<void>((resolve) => {
    void queue.work('run.fix', async (payload) => {
      seen.push(payload.runId);
      resolve();
    }, 1);
  });
  await done;
  await queue.stop(1);
  assert.equal(seen.length, 1, 'the released job ran again');
});
