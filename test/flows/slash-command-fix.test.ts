import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeSlack } from '../fakes/fake-slack.ts';
import { FakeLinear } from '../fakes/fake-linear.ts';
import { sendSignedSlack, slashCommandBody } from '../fakes/sign-slack-request.ts';
import { SLACK_DEFAULTS } from '../fakes/slack-defaults.ts';
import { count, createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { startTestBaton, type TestBaton } from '../support/start-test-baton.ts';
import { eventually } from '../support/eventually.ts';

let db: TestDatabase;
let slack: FakeSlack;
let linear: FakeLinear;
let app: TestBaton;
const secret = SLACK_DEFAULTS.signingSecret;
const channel = SLACK_DEFAULTS.channelId;

const agent = (text: string, options: { timestamp?: number; signature?: string } = {}) =>
  sendSignedSlack(app.slackEventsUrl, 'command', slashCommandBody({ text, channel_id: channel }), { secret, ...options });
const runsFor = (key: string): Promise<number> => count(db.pool, 'SELECT 1 FROM runs WHERE ticket_key = $1', [key]);
const jobsFor = (key: string): Promise<number> =>
  count(db.pool, `SELECT 1 FROM ${db.schema}_jobs.job j JOIN runs r ON r.id::text = j.data->>'runId' WHERE j.name = 'run.fix' AND r.ticket_key = $1`, [key]);
const allRows = async (): Promise<number> =>
  (await count(db.pool, 'SELECT 1 FROM runs')) + (await count(db.pool, `SELECT 1 FROM ${db.schema}_jobs.job WHERE name = 'run.fix'`));

before(async () => {
  db = await createTestDatabase();
  slack = new FakeSlack();
  await slack.start();
  linear = new FakeLinear();
  await linear.start();
  linear.addTeam({ key: 'ENG', name: 'Engineering' });
  linear.addIssue({ team: 'ENG', number: 123, title: 'Checkout <button> does nothing', priority: 2 });
  const team = { tracker: 'linear', channel: 'C0ENGTEAM' };
  app = await startTestBaton({ db, slack, linear, policy: { teams: { ENG: team, SIG: team, OLD: team } } });
});
after(async () => {
  await app?.stop();
  await slack.stop();
  await linear.stop();
  await db.drop();
});

test('/agent fix ENG-123: 200 with an ephemeral reply, one run and one job, then one thread root', async () => {
  const response = await agent('fix ENG-123');
  assert.equal(response.status, 200);
  const reply = response.json as { response_type: string; text: string };
  assert.equal(reply.response_type, 'ephemeral');
  assert.match(reply.text, /Queued ENG-123/);
  assert.equal(await runsFor('ENG-123'), 1);
  assert.equal(await jobsFor('ENG-123'), 1);

  const run = await eventually(async () => {
    const { rows } = await db.pool.query('SELECT * FROM runs WHERE ticket_key = $1 AND status_reason IS NOT NULL', ['ENG-123']);
    return rows[0] as { thread_ts: string; status_ts: string; status: string; status_reason: string; thread_url: string; ticket_title: string } | undefined;
  }, 10_000, 'the worker to open the thread and read the ticket');
  // The thread opens where the command was typed; the ticket's title (escaped) joins the root once read.
  const roots = slack.threadRoots(channel);
  assert.equal(roots.length, 1);
  assert.equal(run.ticket_title, 'Checkout <button> does nothing');
  await eventually(async () => (roots[0]!.text ?? '').startsWith('ENG-123 · Checkout') || undefined, 5000, 'the root to show the title');
  assert.match(JSON.stringify(slack.threadRoots(channel)[0]!.blocks), /Checkout &lt;button&gt; does nothing/);
  assert.equal(roots[0]!.ts, run.thread_ts);
  const replies = slack.repliesTo(run.thread_ts);
  assert.equal(replies.length, 1, 'one status message in the thread');
  assert.equal(replies[0]!.ts, run.status_ts);
  // The status says honestly what the agent is missing (no model configured here); it is never "done".
  assert.equal(run.status, 'queued');
  assert.match(run.status_reason, /ANTHROPIC_API_KEY is not set/);
  assert.doesNotMatch(JSON.stringify(replies[0]!.blocks), /done/i);
  assert.ok(run.thread_url.includes(channel));
  // Every log line about the run carries its id and ticket.
  const runLines = app.logs.filter((l) => l.includes('thread opened'));
  assert.ok(runLines.length > 0 && runLines.every((l) => l.includes('"ticket":"ENG-123"') && l.includes('"runId"')));
});

test('a second /agent fix for the same ticket answers "already running" with the thread, and writes nothing', async () => {
  const before = await allRows();
  const response = await agent('fix eng-123');
  assert.equal(response.status, 200);
  const reply = response.json as { response_type: string; text: string };
  assert.equal(reply.response_type, 'ephemeral');
  assert.match(reply.text, /ENG-123 is already running/);
  assert.match(reply.text, /https:\/\/fake\.slack\.com\/archives\//);
  assert.equal(await allRows(), before);
});

test('a wrong signature is refused with 401 and nothing is written', async () => {
  const before = await allRows();
  const response = await agent('fix SIG-1', { signature: 'v0=' + '0'.repeat(64) });
  assert.equal(response.status, 401);
  assert.equal(await runsFor('SIG-1'), 0);
  assert.equal(await allRows(), before);
});

test('a request signed more than 5 minutes ago is refused with 401 and nothing is written', async () => {
  const before = await allRows();
  const response = await agent('fix OLD-1', { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
  assert.equal(response.status, 401);
  assert.equal(await allRows(), before);
});

test('an unknown subcommand gets the usage text, ephemerally', async () => {
  const response = await agent('deploy ENG-1');
  const reply = response.json as { response_type: string; text: string };
  assert.equal(reply.response_type, 'ephemeral');
  assert.match(reply.text, /don't know the command “deploy”/);
  assert.match(reply.text, /\/agent fix ENG-123/);
});

test('a malformed ticket key gets a clear message and writes nothing', async () => {
  const before = await allRows();
  const reply = (await agent('fix ENG123')).json as { text: string };
  assert.match(reply.text, /“ENG123” is not a ticket key.*like ENG-123/);
  assert.equal(await allRows(), before);
});

test('a ticket whose prefix is not a configured team is refused with the configured prefixes, and nothing is written', async () => {
  const before = await allRows();
  const reply = (await agent('fix WEB-9')).json as { text: string; response_type: string };
  assert.equal(reply.response_type, 'ephemeral');
  assert.match(reply.text, /WEB-9/);
  assert.match(reply.text, /ENG \(Linear\)/);
  assert.equal(await allRows(), before);
});

test('/agent status lists the active run with its thread', async () => {
  const reply = (await agent('status')).json as { text: string; response_type: string };
  assert.equal(reply.response_type, 'ephemeral');
  assert.match(reply.text, /ENG-123.* · queued/);
});

test('the run that waited for a model starts by itself once Baton restarts with the agent configured, once', async () => {
  const { rows } = await db.pool.query<{ id: string }>(`SELECT id FROM runs WHERE ticket_key = 'ENG-123'`);
  const runId = rows[0]!.id;
  await app.stop();
  const started: string[] = [];
  // Two workers start at once with the agent: the run's job is sent again by one of them.
  const agentStep = async ({ run }: { run: { id: string } }) => {
    started.push(run.id);
    return { kind: 'failed' as const, code: 'test_agent', reason: 'The stand-in agent ran.' };
  };
  const team = { tracker: 'linear', channel: 'C0ENGTEAM' };
  const workers = await Promise.all([1, 2].map(() => startTestBaton({ db, slack, linear, role: 'worker', agent: agentStep, policy: { teams: { ENG: team } } })));
  app = workers[0]!;
  try {
    const ended = await eventually(async () => {
      const { rows: now } = await db.pool.query<{ status: string; status_reason: string }>('SELECT status, status_reason FROM runs WHERE id = $1', [runId]);
      return now[0]!.status === 'failed' ? now[0] : undefined;
    }, 15_000, 'the waiting run to reach its agent');
    assert.match(ended.status_reason, /stand-in agent ran/);
    assert.deepEqual(started, [runId], 'its agent started once');
    const { rows: requeued } = await db.pool.query(`SELECT 1 FROM audit_log WHERE run_id = $1 AND action = 'run.requeued'`, [runId]);
    assert.equal(requeued.length, 1, 'one of the two workers sent its job again');
  } finally {
    await workers[1]!.stop();
  }
});
