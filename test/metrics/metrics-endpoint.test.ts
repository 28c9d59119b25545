import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createPool, withTransaction } from '../../src/db/pool.ts';
import type { Payload } from '../../src/jobs/queues.ts';
import { insertRun, transitionRun } from '../../src/db/runs.ts';
import { takeAgentSlot } from '../../src/db/agent-slots.ts';
import { insertAgentCall, type AgentCallUsage } from '../../src/db/agent-calls.ts';
import { createQueue, type Queue } from '../../src/jobs/queue.ts';
import { createDeliveryAcceptor } from '../../src/jobs/accept-delivery.ts';
import { createWebhookHandler } from '../../src/bot/webhooks/create-webhook-handler.ts';
import { linearWebhookSource } from '../../src/bot/webhooks/linear-webhook-source.ts';
import { RUN_STATUSES } from '../../src/domain/run.ts';
import { createMetrics, type Metrics } from '../../src/metrics/create-metrics.ts';
import { startMetricsServer, type MetricsServer } from '../../src/metrics/start-metrics-server.ts';
import { withJobMetrics } from '../../src/metrics/with-job-metrics.ts';
import { flipOneByte } from '../bot/webhooks/sign.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { eventually } from '../support/eventually.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';
import { linearDelivery, sendDelivery, withBody, type WebhookDelivery } from '../support/webhook-deliveries.ts';
import { parseExposition, type Exposition } from './parse-exposition.ts';

/*
 * /metrics as main.ts wires it, scraped over real HTTP and read as Prometheus reads it: the Linear
 * webhook handler with its real source and the delivery acceptor on PostgreSQL counts each answer, the
 * database's jobs, runs and agent calls are counted at each scrape, and a queue wrapped by
 * withJobMetrics times every handler run on pg-boss.
 */

const SECRET = 'lin_wh_metrics_3e9a51';

let db: TestDatabase;
let queue: Queue;
let metrics: Metrics;
let metricsServer: MetricsServer;
let webhookServer: Server;
let webhookUrl: string;
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
  const jobsSchema = `${db.schema}_jobs`;
  metrics = createMetrics({ pool: db.pool, jobsSchema, log });
  queue = withJobMetrics(createQueue({ pool: db.pool, schema: jobsSchema, pollIntervalSeconds: 0.5, log, supervise: false }), metrics);
  await queue.start();
  metricsServer = await startMetricsServer({ host: '127.0.0.1', port: 0, metrics, log });
  const handler = createWebhookHandler({
    source: linearWebhookSource([SECRET]),
    maxBodyBytes: 64 * 1024,
    accept: createDeliveryAcceptor({ pool: db.pool, queue }),
    log,
    metrics,
  });
  webhookServer = createServer(handler);
  await new Promise<void>((resolve) => webhookServer.listen(0, '127.0.0.1', resolve));
  webhookUrl = `http://127.0.0.1:${(webhookServer.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise((resolve) => webhookServer.close(resolve));
  await metricsServer.stop();
  await queue.stop(1);
  await db.drop();
});

async function scrape(): Promise<Exposition> {
  const response = await fetch(`${metricsServer.url}/metrics`);
  const text = await response.text();
  assert.equal(response.status, 200, text);
  assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  return parseExposition(text);
}

const deliveries = (e: Exposition, outcome: string): number | undefined => e.value('baton_webhook_deliveries_total', { source: 'linear', outcome });
const intakeJobs = (e: Exposition, state: string): number | undefined => e.value('baton_jobs', { queue: 'intake.event', state });

let nextNumber = 700;
const issueCreated = (secret = SECRET): WebhookDelivery =>
  linearDelivery('linear-issue-create.json', { key: `ENG-${nextNumber++}`, labels: ['baton'] }, { secret });

test('a scrape is Prometheus text: every Baton family typed, zeros before anything happened, and the process metrics', async () => {
  const e = await scrape();
  assert.deepEqual(
    ['baton_webhook_deliveries_total', 'baton_slack_api_errors_total', 'baton_job_duration_seconds', 'baton_jobs', 'baton_runs', 'baton_agent_tokens_total', 'baton_agent_cost_usd_total', 'baton_agent_calls_total', 'baton_metrics_database_up', 'baton_jobs_released_total', 'baton_agent_slots_in_use'].map((name) => [name, e.types.get(name)]),
    [
      ['baton_webhook_deliveries_total', 'counter'], ['baton_slack_api_errors_total', 'counter'], ['baton_job_duration_seconds', 'histogram'],
      ['baton_jobs', 'gauge'], ['baton_runs', 'gauge'], ['baton_agent_tokens_total', 'counter'], ['baton_agent_cost_usd_total', 'counter'],
      ['baton_agent_calls_total', 'counter'], ['baton_metrics_database_up', 'gauge'], ['baton_jobs_released_total', 'counter'],
      ['baton_agent_slots_in_use', 'gauge'],
    ],
  );
  for (const source of ['linear', 'jira', 'github']) {
    for (const outcome of ['queued', 'duplicate', 'ignored', 'refused', 'failed']) assert.equal(e.value('baton_webhook_deliveries_total', { source, outcome }), 0, `${source} ${outcome}`);
  }
  assert.equal(intakeJobs(e, 'created'), 0);
  assert.equal(e.value('baton_jobs_released_total', { queue: 'gate.merge', outcome: 'retried' }), 0);
  assert.equal(e.value('baton_agent_slots_in_use'), 0);
  assert.equal(e.value('baton_metrics_database_up'), 1);
  assert.equal(e.types.get('process_cpu_user_seconds_total'), 'counter');
  assert.ok(e.select('nodejs_heap_size_used_bytes').length === 1);
});

test('a signed delivery counts as queued, its redelivery as duplicate, tampered bytes, a wrong secret and a PUT as refused, a comment as ignored', async () => {
  const before = await scrape();
  const delivery = issueCreated();
  assert.deepEqual((await sendDelivery(webhookUrl, delivery)).json, { status: 'queued' });
  const afterQueued = await scrape();
  assert.equal(deliveries(afterQueued, 'queued'), deliveries(before, 'queued')! + 1);
  assert.equal(deliveries(afterQueued, 'duplicate'), deliveries(before, 'duplicate'));
  // Its intake.event job, read from pg-boss's table at the scrape.
  assert.equal(intakeJobs(afterQueued, 'created'), intakeJobs(before, 'created')! + 1);

  assert.deepEqual((await sendDelivery(webhookUrl, delivery)).json, { status: 'duplicate' });
  const afterDuplicate = await scrape();
  assert.equal(deliveries(afterDuplicate, 'duplicate'), deliveries(before, 'duplicate')! + 1);
  assert.equal(deliveries(afterDuplicate, 'queued'), deliveries(before, 'queued')! + 1);
  assert.equal(intakeJobs(afterDuplicate, 'created'), intakeJobs(before, 'created')! + 1, 'a duplicate enqueues nothing');

  const tampered = issueCreated();
  assert.equal((await sendDelivery(webhookUrl, withBody(tampered, flipOneByte(tampered.body)))).status, 401);
  assert.equal((await sendDelivery(webhookUrl, issueCreated('not_the_secret'))).status, 401);
  assert.equal((await sendDelivery(webhookUrl, issueCreated(), { method: 'PUT' })).status, 405);
  const comment = linearDelivery('linear-comment-create.json', { key: `ENG-${nextNumber++}` }, { secret: SECRET });
  assert.equal((await sendDelivery(webhookUrl, comment)).json?.status, 'ignored');
  const afterRest = await scrape();
  assert.equal(deliveries(afterRest, 'refused'), deliveries(before, 'refused')! + 3);
  assert.equal(deliveries(afterRest, 'ignored'), deliveries(before, 'ignored')! + 1);
  assert.equal(deliveries(afterRest, 'queued'), deliveries(before, 'queued')! + 1);
  assert.equal(afterRest.value('baton_webhook_deliveries_total', { source: 'jira', outcome: 'refused' }), 0, 'only the source that answered moves');
});

test('runs by status reflect the rows of the runs table, with every status shown', async () => {
  const run = async (key: string) => (await insertRun(db.pool, { ticketKey: key, source: 'slack', requestedBy: 'U0ADA', channelId: 'C0ENG', priority: 0 }))!;
  await run('ENG-1');
  const second = await run('ENG-2');
  const third = await run('ENG-3');
  assert.ok(await transitionRun(db.pool, second.id, ['queued'], 'running', null));
  assert.ok(await transitionRun(db.pool, third.id, ['queued'], 'failed', 'broke'));
  const e = await scrape();
  const shown = Object.fromEntries(e.select('baton_runs').map((s) => [s.labels.status, s.value]));
  assert.deepEqual(shown, Object.fromEntries(RUN_STATUSES.map((status) => [status, { queued: 1, running: 1, failed: 1 }[status as string] ?? 0])));
  // The running run's agent takes a slot: the gauge counts it.
  assert.equal(await withTransaction(db.pool, (tx) => takeAgentSlot(tx, second.id, 'holder-1', 2, 60)), 'taken');
  assert.equal((await scrape()).value('baton_agent_slots_in_use'), 1);
});

test('agent tokens, cost and calls by model and agent are the sums of agent_calls', async () => {
  const run = (await insertRun(db.pool, { ticketKey: 'ENG-40', source: 'slack', requestedBy: 'U0ADA', channelId: 'C0ENG', priority: 0 }))!;
  const usage = (input: number, output: number, cacheRead = 0): AgentCallUsage => ({ input, output, cacheWrite5m: 10, cacheWrite1h: 0, cacheRead });
  const call = { runId: run.id, stopReason: 'end_turn', durationMs: 900 };
  await insertAgentCall(db.pool, { ...call, turn: 1, model: 'claude-sonnet-4-5', usage: usage(1000, 200, 300), costUsd: 0.0125 });
  await insertAgentCall(db.pool, { ...call, turn: 2, model: 'claude-sonnet-4-5', usage: usage(500, 100), costUsd: 0.0075 });
  await insertAgentCall(db.pool, { ...call, agent: 'security', turn: 1, model: 'claude-haiku-4-5', usage: usage(40, 4), costUsd: 0.0001 });
  const e = await scrape();
  const coder = { model: 'claude-sonnet-4-5', agent: 'coder' };
  assert.equal(e.value('baton_agent_tokens_total', { ...coder, kind: 'input' }), 1500);
  assert.equal(e.value('baton_agent_tokens_total', { ...coder, kind: 'output' }), 300);
  assert.equal(e.value('baton_agent_tokens_total', { ...coder, kind: 'cache_read' }), 300);
  assert.equal(e.value('baton_agent_tokens_total', { ...coder, kind: 'cache_write_5m' }), 20);
  assert.equal(e.value('baton_agent_tokens_total', { ...coder, kind: 'cache_write_1h' }), 0);
  assert.equal(e.value('baton_agent_cost_usd_total', coder), 0.02);
  assert.equal(e.value('baton_agent_calls_total', coder), 2);
  assert.equal(e.value('baton_agent_tokens_total', { model: 'claude-haiku-4-5', agent: 'security', kind: 'input' }), 40);
  assert.equal(e.value('baton_agent_cost_usd_total', { model: 'claude-haiku-4-5', agent: 'security' }), 0.0001);
  assert.equal(e.select('baton_agent_calls_total').length, 2, 'one series per model and agent');
});

// Its own database, queue and metrics: counts that depend on no other test's jobs, and a failed
// job whose retry waits a minute, so it runs exactly once while the test looks.
test('every handler run on a queue wrapped by withJobMetrics is timed, as completed or failed, and the jobs move state', async (t) => {
  const own = await createTestDatabase();
  await migrate(own.pool, own.schema);
  const jobsSchema = `${own.schema}_jobs`;
  const timed = createMetrics({ pool: own.pool, jobsSchema, log });
  const ownQueue = withJobMetrics(
    createQueue({ pool: own.pool, schema: jobsSchema, pollIntervalSeconds: 0.5, log, supervise: false, retryDelaySeconds: 60, leaseSeconds: 10, onReleased: (job) => timed.jobReleased(job.name, job.givenUp) }),
    timed,
  );
  await ownQueue.start();
  t.after(async () => {
    await ownQueue.stop(1);
    await own.drop();
  });
  const read = async (): Promise<Exposition> => parseExposition(await timed.render());
  const payload = (deliveryId: string): Payload<'intake.event'> => ({
    source: 'linear',
    deliveryId,
    event: {
      kind: 'updated', source: 'linear', ticketKey: 'ENG-7', team: 'ENG', labelsAdded: [], descriptionChanged: false,
      labels: [], state: { name: 'Todo', category: 'todo' }, priority: 'medium',
    },
  });
  for (const id of ['ok-1', 'fails', 'ok-2']) await withTransaction(own.pool, (tx) => ownQueue.enqueue(tx, 'intake.event', payload(id)));
  const runs: ('completed' | 'failed')[] = [];
  await ownQueue.work('intake.event', async (job) => {
    // 25 ms: a timer may fire a hair before its time as performance.now() reads it; 20 ms are asserted.
    await new Promise((resolve) => setTimeout(resolve, 25));
    if (job.deliveryId === 'fails') {
      runs.push('failed');
      throw new Error('this one fails');
    }
    runs.push('completed');
  });
  await eventually(async () => runs.length === 3, 10_000, 'the three handler runs');
  const completed = { queue: 'intake.event', outcome: 'completed' };
  const e = await read();
  assert.equal(e.value('baton_job_duration_seconds_count', completed), 2);
  assert.equal(e.value('baton_job_duration_seconds_count', { queue: 'intake.event', outcome: 'failed' }), 1);
  assert.equal(e.value('baton_job_duration_seconds_bucket', { ...completed, le: '+Inf' }), 2);
  assert.equal(e.value('baton_job_duration_seconds_bucket', { ...completed, le: '0.01' }), 0, 'each run took at least its 20 ms');
  assert.ok(e.value('baton_job_duration_seconds_sum', completed)! >= 0.04);
  // pg-boss records a completion without awaiting it; the scrape reads the table as it stands.
  const done = await eventually(async () => {
    const scraped = await read();
    return intakeJobs(scraped, 'completed') === 2 && intakeJobs(scraped, 'retry') === 1 && scraped;
  }, 5000, 'two completed intake.event jobs and one waiting for its retry');
  assert.equal(intakeJobs(done, 'active') ?? 0, 0);

  // A gate.merge job left `active` by a worker killed a minute ago, with no lease: released and counted.
  const held = await withTransaction(own.pool, (tx) => ownQueue.enqueue(tx, 'gate.merge', { runId: '00000000-0000-4000-8000-000000000001', headSha: 'abcdef1234567' }));
  await own.pool.query(`UPDATE ${jobsSchema}.job SET state = 'active', started_on = now() - interval '1 minute' WHERE id = $1`, [held]);
  assert.deepEqual((await ownQueue.releaseAbandonedJobs()).map((j) => j.id), [held]);
  const after = await read();
  assert.equal(after.value('baton_jobs_released_total', { queue: 'gate.merge', outcome: 'retried' }), 1);
  assert.equal(after.value('baton_jobs_released_total', { queue: 'gate.merge', outcome: 'given_up' }), 0);
});

test('when the database goes away a scrape leaves its series out and says so once; when it is back they return and that is said too', async () => {
  const proxy = TcpProxy.forUrl(db.url);
  await proxy.start();
  const pool = createPool({ url: proxy.rewrite(db.url), schema: db.schema, connectionTimeoutMs: 1000 });
  // An idle connection the cut drops is reported here, as main.ts's pool reports it, not thrown.
  pool.on('error', (error) => log.debug({ error: error.message }, 'idle database connection failed'));
  const own = createMetrics({ pool, jobsSchema: `${db.schema}_jobs`, log });
  const said = (from: number): string[] => logs.slice(from).map((line) => JSON.parse(line) as { msg: string }).map((l) => l.msg).filter((msg) => msg.startsWith('metrics:'));
  try {
    const up = parseExposition(await own.render());
    assert.equal(up.value('baton_metrics_database_up'), 1);
    assert.equal(up.value('baton_runs', { status: 'running' }), 1);
    const mark = logs.length;
    await proxy.cut();
    for (let i = 0; i < 2; i += 1) {
      const down = parseExposition(await own.render());
      assert.equal(down.value('baton_metrics_database_up'), 0);
      assert.deepEqual(down.select('baton_runs'), [], 'no stale figures');
      assert.deepEqual(down.select('baton_jobs'), []);
    }
    await proxy.restore();
    const back = parseExposition(await own.render());
    assert.equal(back.value('baton_metrics_database_up'), 1);
    assert.equal(back.value('baton_runs', { status: 'running' }), 1);
    assert.deepEqual(said(mark), [
      'metrics: the database could not be read; jobs, runs and agent usage are left out until it can',
      'metrics: the database can be read again',
    ]);
  } finally {
    await pool.end();
    await proxy.stop();
  }
});
