import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { withTransaction } from '../../src/db/pool.ts';
import { createQueue } from '../../src/jobs/queue.ts';
import { count, createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { eventually } from '../support/eventually.ts';

// pg-boss 10's worker sleeps its whole poll interval after every fetch, even one that found a
// job: with a batch of 1, a backlog drained at one job per worker per interval.
let db: TestDatabase;
const log = pino({ level: 'silent' });
const BACKLOG = 200;

before(async () => {
  db = await createTestDatabase();
});
after(() => db.drop());

test('a backlog drains completely within one poll interval: a worker that found a job fetches again at once', { timeout: 60_000 }, async () => {
  // An hour's poll: the workers' first fetch is the only one polling can explain. Their notify is
  // not called and no other process sends a NOTIFY (listen off), so each later fetch is a worker
  // going on by itself.
  const queue = createQueue({ pool: db.pool, schema: `${db.schema}_jobs`, pollIntervalSeconds: 3600, log, supervise: false, listen: false });
  await queue.start();
  await withTransaction(db.pool, async (tx) => {
    for (let i = 0; i < BACKLOG; i += 1) {
      await queue.enqueue(tx, 'intake.event', { source: 'github', deliveryId: `d-${i}`, event: { kind: 'ping' } });
    }
  });

  const handled: string[] = [];
  let drainedAll: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (drainedAll = resolve));
  await queue.work('intake.event', async (payload) => {
    handled.push(payload.deliveryId);
    if (handled.length === BACKLOG) drainedAll();
  });
  // Were the workers to sleep between jobs, this would wait an hour and the test time out.
  await done;

  assert.equal(new Set(handled).size, BACKLOG, 'every job ran once');
  // pg-boss records completion without awaiting it; wait for the rows before stopping.
  await eventually(
    async () => (await count(db.pool, `SELECT 1 FROM ${db.schema}_jobs.job WHERE name = 'intake.event' AND state = 'completed'`)) === BACKLOG,
    10_000,
    'every job completed',
  );
  await queue.stop(1);
});
