import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createLogger } from '../../../src/logger.ts';
import { migrate } from '../../../src/db/migrate.ts';
import { createQueue, type Queue } from '../../../src/jobs/queue.ts';
import { createDeliveryAcceptor } from '../../../src/jobs/accept-delivery.ts';
import { createWebhookHandler } from '../../../src/bot/webhooks/create-webhook-handler.ts';
import { jiraWebhookSource, type JiraWebhookSourceOptions } from '../../../src/bot/webhooks/jira-webhook-source.ts';
import { count, createTestDatabase, type TestDatabase } from '../../support/test-database.ts';
import { jiraDelivery, sendDelivery, type WebhookAnswer, type WebhookDelivery } from '../../support/webhook-deliveries.ts';

/*
 * /webhooks/jira with no JIRA_WEBHOOK_SECRET, over real HTTP into the real handler, source and
 * the delivery acceptor on PostgreSQL: refused by default with a body that says how to configure it, and
 * accepted unsigned only when baton.yml's webhooks.allow_unsigned names jira. main.ts passes that
 * option from the policy; this file holds the source to its side of the bargain.
 */

const SECRET = 'jira_wh_current_7d21aa';

let db: TestDatabase;
let queue: Queue;
const servers: Server[] = [];
const logs: string[] = [];
const log = createLogger({
  level: 'debug',
  pretty: false,
  secrets: [SECRET],
  destination: new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  }),
});

before(async () => {
  db = await createTestDatabase();
  await migrate(db.pool, db.schema);
  queue = createQueue({ pool: db.pool, schema: `${db.schema}_jobs`, pollIntervalSeconds: 0.5, log, supervise: false });
  await queue.start();
});

after(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await queue.stop(1);
  await db.drop();
});

/** /webhooks/jira as main.ts builds it, with these secrets and options, on a port of its own. */
async function jiraEndpoint(secrets: string[], options: JiraWebhookSourceOptions): Promise<string> {
  const handler = createWebhookHandler({
    source: jiraWebhookSource(secrets, options),
    maxBodyBytes: 64 * 1024,
    accept: createDeliveryAcceptor({ pool: db.pool, queue }),
    log,
  });
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let nextNumber = 900;
const unsigned = (): WebhookDelivery => jiraDelivery('jira-issue-created.json', { key: `OPS-${nextNumber++}`, labels: ['baton'] }, { secret: null });

const deliveryRows = (delivery: WebhookDelivery): Promise<number> =>
  count(db.pool, `SELECT 1 FROM deliveries WHERE source = 'jira' AND delivery_id = $1`, [delivery.deliveryId]);
const intakeJobs = (delivery: WebhookDelivery): Promise<number> =>
  count(db.pool, `SELECT 1 FROM ${db.schema}_jobs.job WHERE name = 'intake.event' AND data->>'deliveryId' = $1`, [delivery.deliveryId]);

async function assertNothingWritten(answer: WebhookAnswer, delivery: WebhookDelivery): Promise<void> {
  assert.equal(await deliveryRows(delivery), 0, answer.text);
  assert.equal(await intakeJobs(delivery), 0);
}

test('no secret, no opt-out: an unsigned delivery is refused with 401, a body saying how to configure it, and nothing written', async () => {
  const url = await jiraEndpoint([], {});
  const delivery = unsigned();
  const mark = logs.length;
  const answer = await sendDelivery(url, delivery);
  assert.equal(answer.status, 401, answer.text);
  assert.equal(answer.json?.error, 'invalid_signature');
  assert.match(String(answer.json?.reason), /^no Jira webhook secret is configured: .*set JIRA_WEBHOOK_SECRET .*webhooks\.allow_unsigned in baton\.yml/);
  await assertNothingWritten(answer, delivery);
  const lines = logs.slice(mark).map((line) => JSON.parse(line) as { level: number; msg: string; reason?: string });
  assert.deepEqual(
    lines.map((l) => [l.level, l.msg, l.reason]),
    [[40, 'webhook refused: signature check failed', answer.json?.reason]],
    'one warning, no error',
  );
});

test('no secret, no opt-out: a delivery that carries a signature is refused too (there is nothing to check it with)', async () => {
  const url = await jiraEndpoint([], { allowUnsigned: false });
  const delivery = jiraDelivery('jira-issue-created.json', { key: `OPS-${nextNumber++}`, labels: ['baton'] }, { secret: 'whatever_the_sender_says' });
  const answer = await sendDelivery(url, delivery);
  assert.equal(answer.status, 401, answer.text);
  await assertNothingWritten(answer, delivery);
});

test('no secret, webhooks.allow_unsigned: [jira]: an unsigned delivery is recorded and enqueued, and logged as unsigned', async () => {
  const url = await jiraEndpoint([], { allowUnsigned: true });
  const delivery = unsigned();
  const mark = logs.length;
  const answer = await sendDelivery(url, delivery);
  assert.equal(answer.status, 200, answer.text);
  assert.deepEqual(answer.json, { status: 'queued' });
  assert.equal(await deliveryRows(delivery), 1);
  assert.equal(await intakeJobs(delivery), 1);
  const accepted = logs.slice(mark).map((line) => JSON.parse(line) as { msg: string; unsigned?: boolean }).filter((l) => l.msg === 'webhook accepted');
  assert.deepEqual(accepted.map((l) => l.unsigned), [true]);
});

test('a secret and the opt-out together: the secret wins, an unsigned delivery is refused and a signed one accepted', async () => {
  const url = await jiraEndpoint([SECRET], { allowUnsigned: true });
  const anonymous = unsigned();
  const refused = await sendDelivery(url, anonymous);
  assert.equal(refused.status, 401, refused.text);
  assert.equal(refused.json?.reason, 'missing X-Hub-Signature header');
  await assertNothingWritten(refused, anonymous);
  const signed = jiraDelivery('jira-issue-created.json', { key: `OPS-${nextNumber++}`, labels: ['baton'] }, { secret: SECRET });
  const answer = await sendDelivery(url, signed);
  assert.deepEqual([answer.status, answer.json], [200, { status: 'queued' }]);
  assert.equal(await deliveryRows(signed), 1);
});
