import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { connectOwnClient, createPool, withTransaction, type Pool } from '../../src/db/pool.ts';
import { createQueue, type Queue } from '../../src/jobs/queue.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { eventually } from '../support/eventually.ts';

// A web process enqueues, a worker process runs: two queues on separate pools, as two processes
// would have. The worker polls once an hour, so a pick-up within the test's timeout can only
// come from the enqueue's NOTIFY.
let db: TestDatabase;
let webPool: Pool;
let workerPool: Pool;
let web: Queue;
let worker: Queue;
const lines: Array<{ level: number; msg: string }> = [];
const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
const handled: string[] = [];
const waiters = new Map<string, () => void>();
// The listener fails to connect while this is above 0, as during a database restart.
let refuseConnects = 0;

function jobs(): string {
  return `${db.schema}_jobs`;
}

function handledSoon(deliveryId: string): Promise<void> {
  if (handled.includes(deliveryId)) return Promise.resolve();
  return new Promise((resolve) => waiters.set(deliveryId, resolve));
}

async function sendFromWeb(deliveryId: string): Promise<void> {
  await withTransaction(webPool, (tx) => web.enqueue(tx, 'intake.event', { source: 'github', deliveryId, event: { kind: 'ping' } }));
}

async function listenerPid(): Promise<number | undefined> {
  const { rows } = await db.pool.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND state = 'idle' AND query LIKE 'LISTEN%'`,
    [`baton listener ${jobs()}`],
  );
  return rows[0]?.pid;
}

before(async () => {
  db = await createTestDatabase();
  webPool = createPool({ url: db.url, schema: db.schema, max: 2 });
  workerPool = createPool({ url: db.url, schema: db.schema, max: 4 });
  web = createQueue({ pool: webPool, schema: jobs(), pollIntervalSeconds: 3600, log, supervise: false });
  worker = createQueue({
    pool: workerPool,
    schema: jobs(),
    pollIntervalSeconds: 3600,
    log,
    supervise: false,
    connectListener: async () => {
      if (refuseConnects > 0) {
        refuseConnects -= 1;
        throw Object.assign(new Error('connection refused (test)'), { code: 'ECONNREFUSED' });
      }
      return connectOwnClient(workerPool, `baton listener ${jobs()}`);
    },
  });
  await web.start();
  await worker.start();
  await worker.work('intake.event', async ({ deliveryId }) => {
    handled.push(deliveryId);
    waiters.get(deliveryId)?.();
  }, 1);
  // The worker's first fetch found nothing: from here on it sleeps for the hour unless woken.
  await eventually(async () => worker.listening, 10_000, 'the worker to listen');
});
after(async () => {
  await worker.stop(1);
  await web.stop(1);
  await Promise.all([webPool.end(), workerPool.end()]);
  await db.drop();
});

test("a job sent by another process is picked up at its commit, not at the worker's next poll", { timeout: 30_000 }, async () => {
  await sendFromWeb('web-1');
  await handledSoon('web-1');
  assert.equal(web.listening, false, 'a process with no workers holds no listener connection');
});

test('a rolled-back enqueue runs nothing, and the worker goes on listening', { timeout: 30_000 }, async () => {
  await assert.rejects(
    withTransaction(webPool, async (tx) => {
      await web.enqueue(tx, 'intake.event', { source: 'github', deliveryId: 'rolled-back', event: { kind: 'ping' } });
      throw new Error('the caller failed after enqueueing');
    }),
  );
  // The next job's wake-up is the proof the worker went on listening; the rolled-back one never ran.
  await sendFromWeb('web-2');
  await handledSoon('web-2');
  assert.ok(!handled.includes('rolled-back'));
});

test('a dropped listener connection reconnects with one warning, and wake-ups work again', { timeout: 60_000 }, async () => {
  const before = await listenerPid();
  assert.ok(before, 'the listener is connected');
  const warningsBefore = lines.filter((l) => l.level === 40).length;
  refuseConnects = 2;
  await db.pool.query('SELECT pg_terminate_backend($1)', [before]);

  const after = await eventually(async () => {
    const pid = await listenerPid();
    return pid !== undefined && pid !== before && worker.listening ? pid : undefined;
  }, 20_000, 'a new listener connection');
  assert.notEqual(after, before);
  assert.equal(refuseConnects, 0, 'the failed attempts were retried');
  const warnings = lines.filter((l) => l.level === 40).length - warningsBefore;
  assert.equal(warnings, 1, 'one warning for the outage, none per failed attempt');
  assert.ok(lines.some((l) => l.msg === 'queue wake-up connection restored'));

  await sendFromWeb('web-3');
  await handledSoon('web-3');
});
