import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger.ts';
import { createPool, type Pool } from '../../src/db/pool.ts';
import { createSlackClient } from '../../src/integrations/slack.ts';
import { createMetrics, type Metrics } from '../../src/metrics/create-metrics.ts';
import { startMetricsServer, type MetricsServer } from '../../src/metrics/start-metrics-server.ts';
import { FakeSlack } from '../fakes/fake-slack.ts';
import { parseExposition } from './parse-exposition.ts';

/*
 * The metrics listener on its own port: where it binds, what it answers besides GET /metrics, and
 * what a scrape shows when the database is gone. Slack's failed calls are counted through the
 * real Slack client's onError hook, over HTTP to the fake Slack. No database here: the pool points
 * at a port nothing listens on, as when PostgreSQL is down.
 */

const logs: { level: number; msg: string }[] = [];
const log = createLogger({
  level: 'debug',
  pretty: false,
  secrets: [],
  destination: new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
      done();
    },
  }),
});

let pool: Pool;
let metrics: Metrics;
let server: MetricsServer;
const slack = new FakeSlack();

before(async () => {
  // Port 1 (tcpmux) is closed on any machine that runs these tests: the connection is refused at once.
  pool = createPool({ url: 'postgres://postgres@127.0.0.1:1/gone', schema: 'baton', connectionTimeoutMs: 1000 });
  metrics = createMetrics({ pool, jobsSchema: 'baton_jobs', log });
  server = await startMetricsServer({ host: '127.0.0.1', port: 0, metrics, log });
  await slack.start();
});

after(async () => {
  await server.stop();
  await slack.stop();
  await pool.end();
});

/** A raw request, so methods and targets fetch() would refuse or rewrite go out as they are. */
function send(url: string, method: string, path: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, path }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('only GET and HEAD /metrics are served: other paths are 404, other methods 405, a malformed target 404', async () => {
  for (const path of ['/', '/metrics/', '/metricsx', '/healthz', '/slack/events', '/webhooks/linear', '/constructor', 'http://[']) {
    const answer = await send(server.url, 'GET', path);
    assert.equal(answer.status, 404, path);
    assert.doesNotMatch(answer.body, /baton_/, path);
  }
  for (const method of ['POST', 'PUT', 'DELETE']) {
    const answer = await send(server.url, method, '/metrics');
    assert.equal(answer.status, 405, method);
    assert.equal(answer.headers.allow, 'GET, HEAD');
  }
  const head = await send(server.url, 'HEAD', '/metrics');
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  const get = await send(server.url, 'GET', '/metrics?name[]=baton_runs');
  assert.equal(get.status, 200, 'a query string does not change the path');
  assert.match(get.body, /^# HELP /);
});

test('the listener binds to the address it is given, and only there', async () => {
  // Every 127/8 address is this machine's loopback on Linux, so two of them stand for two interfaces.
  const other = await startMetricsServer({ host: '127.0.0.2', port: 0, metrics, log });
  try {
    assert.equal(other.url, `http://127.0.0.2:${other.port}`);
    assert.equal((await fetch(`${other.url}/metrics`)).status, 200);
    await assert.rejects(fetch(`http://127.0.0.1:${other.port}/metrics`), (error: Error & { cause?: { code?: string } }) => error.cause?.code === 'ECONNREFUSED');
  } finally {
    await other.stop();
  }
  assert.equal(server.url, `http://127.0.0.1:${server.port}`);
  await assert.rejects(fetch(`http://127.0.0.2:${server.port}/metrics`), (error: Error & { cause?: { code?: string } }) => error.cause?.code === 'ECONNREFUSED');
  // A port already taken fails the start, rather than leaving metrics silently off.
  await assert.rejects(startMetricsServer({ host: '127.0.0.1', port: server.port, metrics, log }), { code: 'EADDRINUSE' });
});

test('with the database down a scrape still answers: database_up 0, no jobs, runs or agent series, the in-memory counters, one warning', async () => {
  metrics.webhookDelivery('github', 'failed');
  for (let i = 0; i < 3; i += 1) {
    const response = await fetch(`${server.url}/metrics`);
    assert.equal(response.status, 200);
    const e = parseExposition(await response.text());
    assert.equal(e.value('baton_metrics_database_up'), 0);
    assert.deepEqual(e.select('baton_jobs'), []);
    assert.deepEqual(e.select('baton_runs'), []);
    assert.deepEqual(e.select('baton_agent_calls_total'), []);
    assert.equal(e.value('baton_webhook_deliveries_total', { source: 'github', outcome: 'failed' }), 1);
  }
  // Every scrape of this file so far found the database down; it was said once, at the first.
  const lines = logs.filter((l) => l.level >= 40);
  assert.deepEqual(lines.map((l) => [l.level, l.msg]), [[40, 'metrics: the database could not be read; jobs, runs and agent usage are left out until it can']]);
});

test("a failed Slack call is counted by API method and Slack's error code, and still fails for its caller; a call that works is not counted", async () => {
  const client = createSlackClient({ apiUrl: slack.apiUrl, token: slack.botToken, retries: 0, onError: metrics.slackError });
  await client.postMessage('C0ENG', { text: 'works' });
  slack.failMethod('chat.postMessage', 'channel_not_found');
  await assert.rejects(client.postMessage('C0GONE', { text: 'lost' }), (error: { data?: { error?: string } }) => error.data?.error === 'channel_not_found');
  slack.failMethod('chat.postMessage', 'channel_not_found');
  await assert.rejects(client.postMessage('C0GONE', { text: 'lost again' }));
  await assert.rejects(client.usergroupMembers('S0GONE'), (error: { data?: { error?: string } }) => error.data?.error === 'no_such_subteam');
  // A response_url that answers 404 (this very server has no such path).
  await assert.rejects(client.respond(`${server.url}/expired-response-url`, { text: 'late' }), { status: 404 });

  const e = parseExposition(await (await fetch(`${server.url}/metrics`)).text());
  assert.deepEqual(
    e.select('baton_slack_api_errors_total').map((s) => [s.labels.method, s.labels.code, s.value]).sort(),
    [
      ['chat.postMessage', 'channel_not_found', 2],
      ['response_url', 'http_404', 1],
      ['usergroups.users.list', 'no_such_subteam', 1],
    ],
  );
});
