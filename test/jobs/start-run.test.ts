import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { migrate } from '../../src/db/migrate.ts';
import { withTransaction } from '../../src/db/pool.ts';
import { insertRun } from '../../src/db/runs.ts';
import { createQueue, type Queue } from '../../src/jobs/queue.ts';
import { startRun } from '../../src/jobs/start-run.ts';
import { policySchema } from '../../src/policy.ts';

const HEAD_START = policySchema.parse({}).scheduling.head_start_minutes;
import { count, createTestDatabase, type TestDatabase } from '../support/test-database.ts';

let db: TestDatabase;
let queue: Queue;
const jobs = (name = 'run.fix'): Promise<number> => count(db.pool, `SELECT 1 FROM ${db.schema}_jobs.job WHERE name = $1`, [name]);
const runs = (key: string): Promise<number> => count(db.pool, 'SELECT 1 FROM runs WHERE ticket_key = $1', [key]);

before(async () => {
  db = await createTestDatabase();
  await migrate(db.pool, db.schema);
  queue = createQueue({ pool: db.pool, schema: `${db.schema}_jobs`, pollIntervalSeconds: 1, log: pino({ level: 'silent' }), supervise: false });
  await queue.start();
});
after(async () => {
  await queue.stop(1);
  await db.drop();
});

test('a run and its run.fix job commit together', async () => {
  const result = await startRun({ ticketKey: 'TX-1', source: 'slack', requestedBy: 'U1', channelId: 'C1' }, { pool: db.pool, queue, headStart: HEAD_START });
  assert.equal(result.kind, 'started');
  assert.equal(await runs('TX-1'), 1);
  const { rows } = await db.pool.query(`SELECT data, singleton_key FROM ${db.schema}_jobs.job WHERE name = 'run.fix' AND data->>'runId' = $1`, [result.run.id]);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].singleton_key, 'TX-1');
});

test('when the transaction fails after the enqueue, neither the run nor the job is left', async () => {
  const before = await jobs();
  await assert.rejects(
    withTransaction(db.pool, async (tx) => {
      const run = await insertRun(tx, { ticketKey: 'TX-2', source: 'slack', requestedBy: 'U1', channelId: 'C1', priority: 0 });
      await queue.enqueue(tx, 'run.fix', { runId: run!.id });
      throw new Error('crash between enqueue and commit');
    }),
    /crash between/,
  );
  assert.equal(await runs('TX-2'), 0);
  assert.equal(await jobs(), before);
});

test('an invalid payload is refused before anything is written', async () => {
  const before = await jobs();
  await assert.rejects(withTransaction(db.pool, (tx) => queue.enqueue(tx, 'run.fix', { runId: 'not-a-uuid' })));
  assert.equal(await jobs(), before);
});

test('racing requests for one ticket give one run and one job', async () => {
  const before = await jobs();
  const results = await Promise.all(
    Array.from({ length: 5 }, (_, i) =>
      startRun({ ticketKey: 'TX-3', source: i % 2 ? 'linear' : 'slack', requestedBy: `U${i}`, channelId: 'C1' }, { pool: db.pool, queue, headStart: HEAD_START }),
    ),
  );
  assert.equal(results.filter((r) => r.kind === 'started').length, 1);
  assert.equal(new Set(results.map((r) => r.run.id)).size, 1, 'every caller is pointed at the same run');
  assert.equal(await runs('TX-3'), 1);
  assert.equal(await jobs(), before + 1);
});
