import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createLogger } from '../../src/logger.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createPool, type Pool } from '../../src/db/pool.ts';
import { createQueue, type Queue } from '../../src/jobs/queue.ts';
import { createDeliveryAcceptor, type AcceptDeliveryDeps, type IncomingDelivery } from '../../src/jobs/accept-delivery.ts';
import { createJobInserter } from '../../src/jobs/create-job-inserter.ts';
import { linearWebhookSource } from '../../src/bot/webhooks/linear-webhook-source.ts';
import { count, createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { linearDelivery } from '../support/webhook-deliveries.ts';

/*
 * the delivery acceptor on PostgreSQL with deliveries that arrive together: calls made in one turn of the
 * event loop share a transaction (group commit), and each still gets its own answer. A delivery
 * that fails must fail alone, and two deliveries under one key must not both be queued.
 */

const SECRET = 'lin_wh_accept_3b9e';
const log = createLogger({ level: 'silent', pretty: false, secrets: [SECRET] });

let db: TestDatabase;
let queue: Queue;
const pools: Pool[] = [];

before(async () => {
  db = await createTestDatabase();
  await migrate(db.pool, db.schema);
  queue = createQueue({ pool: db.pool, schema: `${db.schema}_jobs`, pollIntervalSeconds: 0.5, log, supervise: false });
  await queue.start();
});

after(async () => {
  await queue.stop(1);
  await Promise.all(pools.map((pool) => pool.end()));
  await db.drop();
});

let nextTicket = 300;
/** A Linear delivery as the webhook handler hands it over: verified, parsed, with its body digest. */
function linear(options: { deliveryId?: string; labels?: string[] } = {}): IncomingDelivery {
  const delivery = linearDelivery('linear-issue-create.json', { key: `ENG-${nextTicket++}`, labels: options.labels ?? ['baton'] }, { secret: SECRET, deliveryId: options.deliveryId });
  const body: unknown = JSON.parse(delivery.body.toString('utf8'));
  const parsed = linearWebhookSource([SECRET]).parse(body, 'Issue.create');
  assert.ok(parsed.ok);
  const digest = `sha256:${createHash('sha256').update(delivery.body).digest('hex')}`;
  return { source: 'linear', deliveryId: delivery.deliveryId, alsoKnownAs: [digest], eventName: 'Issue.create', event: parsed.value };
}

const rowsOf = (d: IncomingDelivery): Promise<number> =>
  count(db.pool, `SELECT 1 FROM deliveries WHERE source = $1 AND delivery_id = ANY($2)`, [d.source, [d.deliveryId, ...(d.alsoKnownAs ?? [])]]);
const jobsOf = (deliveryId: string): Promise<number> =>
  count(db.pool, `SELECT 1 FROM ${db.schema}_jobs.job WHERE name = 'intake.event' AND data->>'deliveryId' = $1`, [deliveryId]);

// Each way of sending the jobs gets a pool of its own; each test builds its acceptor (its own group commit).
const variants: [string, () => AcceptDeliveryDeps][] = [
  ['jobs through queue.enqueue', () => ({ pool: ownPool(), queue })],
  ['jobs through one pg-boss insert', () => ({ pool: ownPool(), queue, insertJobs: createJobInserter({ schema: `${db.schema}_jobs` }) })],
];

function ownPool(): Pool {
  const pool = createPool({ url: db.url, schema: db.schema, max: 4 });
  pools.push(pool);
  return pool;
}

for (const [name, depsFor] of variants) {
  describe(name, () => {
    test('one delivery that the database refuses among good ones arriving together: the good ones are queued, it alone fails and leaves nothing', async () => {
      const accept = createDeliveryAcceptor(depsFor());
      const good = [linear(), linear(), linear(), linear()];
      // PostgreSQL's jsonb refuses \u0000 in a string; the label passes JSON, Linear's parse and the queue's schema.
      const bad = linear({ labels: ['baton', 'nul\u0000label'] });
      const all = [good[0]!, good[1]!, bad, good[2]!, good[3]!];
      const answers = await Promise.allSettled(all.map((d) => accept(d)));

      const [first, second, refused, third, fourth] = answers;
      for (const answer of [first, second, third, fourth]) assert.deepEqual(answer, { status: 'fulfilled', value: 'queued' });
      // A rejection is what the webhook handler answers 503 with (Retry-After), and every sender retries that.
      assert.equal(refused!.status, 'rejected');
      for (const d of good) {
        assert.equal(await rowsOf(d), 2, 'its id and its body digest');
        assert.equal(await jobsOf(d.deliveryId), 1);
      }
      assert.equal(await rowsOf(bad), 0, 'nothing half-written: a retry of it is not a duplicate');
      assert.equal(await jobsOf(bad.deliveryId), 0);
    });

    test('two deliveries under one id arriving together: one is queued, the other is a duplicate, and there is one job', async () => {
      const accept = createDeliveryAcceptor(depsFor());
      const first = linear();
      // Linear's redelivery: the same id, the body signed again with a fresh webhookTimestamp (another digest).
      const again = linear({ deliveryId: first.deliveryId });
      const others = [linear(), linear()];
      const answers = await Promise.all([first, again, ...others].map((d) => accept(d)));

      assert.deepEqual([...answers.slice(0, 2)].sort(), ['duplicate', 'queued']);
      assert.deepEqual(answers.slice(2), ['queued', 'queued']);
      assert.equal(await jobsOf(first.deliveryId), 1);
      for (const d of others) assert.equal(await jobsOf(d.deliveryId), 1);
    });

    test('the same bytes under two ids arriving together (a replayed body): one is queued, the other a duplicate whose id is not recorded', async () => {
      const accept = createDeliveryAcceptor(depsFor());
      const original = linear();
      const replay: IncomingDelivery = { ...original, deliveryId: `${original.deliveryId}-replayed` };
      const answers = await Promise.all([original, replay].map((d) => accept(d)));

      assert.deepEqual(answers, ['queued', 'duplicate']);
      assert.equal(await jobsOf(original.deliveryId), 1);
      assert.equal(await jobsOf(replay.deliveryId), 0);
      assert.equal(await count(db.pool, `SELECT 1 FROM deliveries WHERE delivery_id = $1`, [replay.deliveryId]), 0);
    });

    test('a delivery seen before in another batch is a duplicate, and a burst of fifty is queued whole', async () => {
      const accept = createDeliveryAcceptor(depsFor());
      const burst = Array.from({ length: 50 }, () => linear());
      assert.deepEqual(await Promise.all(burst.map((d) => accept(d))), burst.map(() => 'queued'));
      assert.deepEqual(await Promise.all(burst.slice(0, 3).map((d) => accept(d))), ['duplicate', 'duplicate', 'duplicate']);
      for (const d of burst) assert.equal(await jobsOf(d.deliveryId), 1);
    });
  });
}

test("a job sent by the job inserter carries what queue.enqueue gives one: priority, singleton key, retry, expiry, retention, policy", async () => {
  const [viaEnqueue, viaInsert] = [linear(), linear()];
  await createDeliveryAcceptor({ pool: ownPool(), queue })(viaEnqueue);
  await createDeliveryAcceptor({ pool: ownPool(), queue, insertJobs: createJobInserter({ schema: `${db.schema}_jobs` }) })(viaInsert);
  const { rows } = await db.pool.query(
    `SELECT data->>'deliveryId' AS delivery, priority, singleton_key, singleton_on, retry_limit, retry_delay, retry_backoff,
            expire_in, keep_until - start_after AS kept_for, dead_letter, policy, state, start_after <= now() AS startable
       FROM ${db.schema}_jobs.job WHERE name = 'intake.event' AND data->>'deliveryId' = ANY($1)`,
    [[viaEnqueue.deliveryId, viaInsert.deliveryId]],
  );
  assert.equal(rows.length, 2);
  const settings = (deliveryId: string) => {
    const { delivery: _delivery, kept_for: keptFor, ...rest } = rows.find((row) => row.delivery === deliveryId)!;
    // keep_until is start_after plus the retention; the two start_afters differ by the time between the sends.
    return { ...rest, keptFor: JSON.stringify(keptFor) };
  };
  assert.deepEqual(settings(viaInsert.deliveryId), settings(viaEnqueue.deliveryId));
  assert.equal(settings(viaInsert.deliveryId).retry_limit, 8, 'the queue table of src/jobs/queues.ts, not pg-boss defaults');
});

test('delivery ids are written into the batch statement as escaped literals: quotes and backslashes round-trip, a NUL is refused', async () => {
  const accept = createDeliveryAcceptor({ pool: ownPool(), queue, insertJobs: createJobInserter({ schema: `${db.schema}_jobs` }) });
  const hostile = { ...linear(), deliveryId: String.raw`it's \' a \\ test'); DELETE FROM deliveries; --` };
  const plain = linear();
  assert.deepEqual(await Promise.all([hostile, plain].map((d) => accept(d))), ['queued', 'queued']);
  assert.equal(await count(db.pool, `SELECT 1 FROM deliveries WHERE delivery_id = $1`, [hostile.deliveryId]), 1);
  assert.equal(await jobsOf(hostile.deliveryId), 1);
  assert.equal(await rowsOf(plain), 2);

  const nul = { ...linear(), deliveryId: 'nul\u0000id' };
  await assert.rejects(accept(nul), /NUL/);
  assert.equal(await rowsOf({ ...nul, deliveryId: 'nul' }), 0);
});
