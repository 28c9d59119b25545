import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { FakeRequest, Handler } from '../fakes/fake-server.ts';
import { FakeSlack } from '../fakes/fake-slack.ts';
import { FakeLinear } from '../fakes/fake-linear.ts';
import { FakeJira } from '../fakes/fake-jira.ts';
import { sendSignedSlack, slashCommandBody } from '../fakes/sign-slack-request.ts';
import { SLACK_DEFAULTS } from '../fakes/slack-defaults.ts';
import { flipOneByte, hmacHex } from '../bot/webhooks/sign.ts';
import { count, createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { startTestBaton, type TestBaton } from '../support/start-test-baton.ts';
import { jobFinished } from '../support/job-finished.ts';
import { eventually } from '../support/eventually.ts';
import {
  jiraDelivery,
  linearDelivery,
  sendDelivery,
  withBody,
  type JiraChange,
  type JiraFixture,
  type LinearChange,
  type LinearFixture,
  type WebhookAnswer,
  type WebhookDelivery,
} from '../support/webhook-deliveries.ts';

/*
 * Tickets arriving by Linear and Jira webhooks, end to end: signed bytes over HTTP into Baton as
 * `npm start` builds it, the delivery row and `intake.event` job in PostgreSQL, the worker's
 * intake decision, and the run it starts, cancels or resumes. Each test uses its own ticket key,
 * so the one-active-run-per-ticket rule does not tie tests together.
 */

const LINEAR_SECRET = 'lin_wh_current_5f2c9a';
const LINEAR_PREVIOUS = 'lin_wh_previous_81d0e4';
const JIRA_SECRET = 'jira_wh_current_0b7e13';
const JIRA_PREVIOUS = 'jira_wh_previous_c4a962';
const ENG_CHANNEL = 'C0ENG';
const OPS_CHANNEL = 'C0OPS';

/**
 * Linear whose requests can be held at the door until released: a tracker that hangs for exactly
 * as long as a test needs, with no timer to race. Built on the fake's public `route`, which its
 * constructor calls for every route it serves.
 */
class HoldableLinear extends FakeLinear {
  /** Requests that arrived while held and are not answered yet. */
  readonly waiting: FakeRequest[] = [];
  private gate: Promise<void> | undefined;

  override route(method: string, path: string, handler: Handler): this {
    return super.route(method, path, async (req) => {
      if (this.gate) {
        this.waiting.push(req);
        await this.gate;
        this.waiting.splice(this.waiting.indexOf(req), 1);
      }
      return handler(req);
    });
  }

  /** Holds every request from now on; the returned function lets them all through. */
  hold(): () => void {
    let open = (): void => undefined;
    this.gate = new Promise<void>((resolve) => (open = resolve));
    return () => {
      this.gate = undefined;
      open();
    };
  }
}

let db: TestDatabase;
let slack: FakeSlack;
let linear: HoldableLinear;
let jira: FakeJira;
let app: TestBaton;
let jobs: string;

before(async () => {
  db = await createTestDatabase();
  jobs = `${db.schema}_jobs.job`;
  slack = new FakeSlack();
  await slack.start();
  linear = new HoldableLinear();
  await linear.start();
  linear.addTeam({ key: 'ENG', name: 'Engineering' });
  linear.addLabel({ name: 'baton' });
  linear.addLabel({ name: 'Bug' });
  jira = new FakeJira();
  await jira.start();
  jira.addProject({
    key: 'OPS',
    name: 'Operations',
    statuses: [
      { name: 'To Do', category: 'new' },
      { name: 'Agent Ready', category: 'new' },
      { name: 'In Progress', category: 'indeterminate' },
      { name: 'Done', category: 'done' },
    ],
  });
  app = await startTestBaton({
    db,
    slack,
    linear,
    jira,
    env: {
      LINEAR_WEBHOOK_SECRET: LINEAR_SECRET,
      LINEAR_WEBHOOK_SECRET_PREVIOUS: LINEAR_PREVIOUS,
      JIRA_WEBHOOK_SECRET: JIRA_SECRET,
      JIRA_WEBHOOK_SECRET_PREVIOUS: JIRA_PREVIOUS,
    },
    policy: {
      webhooks: { max_body_kib: 16 },
      // The schedule's own ticks stay out of the way; tests send intake.reconcile themselves.
      scheduling: { reconcile_interval_minutes: 60 },
      teams: {
        ENG: { tracker: 'linear', channel: ENG_CHANNEL, intake: { label: 'baton' } },
        OPS: { tracker: 'jira', channel: OPS_CHANNEL, intake: { label: 'baton', state: 'Agent Ready' } },
      },
    },
  });
});

after(async () => {
  linear?.latency(0);
  await app?.stop();
  await slack?.stop();
  await linear?.stop();
  await jira?.stop();
  await db?.drop();
});

// ---- tickets -------------------------------------------------------------------------------

let nextNumber = 500;
const nextKey = (prefix: 'ENG' | 'OPS' | 'WEB'): string => `${prefix}-${nextNumber++}`;
const numberOf = (key: string): number => Number(key.split('-')[1]);

/** The ticket as the tracker holds it, so run.fix can read it and reconcile can find it. */
function seedLinear(key: string, labels: string[] = ['baton'], state = 'Todo'): void {
  linear.addIssue({ team: 'ENG', number: numberOf(key), title: `Webhook flow ${key}`, description: 'Steps to reproduce…', labels, state });
}

function seedJira(key: string, labels: string[] = ['baton'], status = 'To Do'): void {
  jira.addIssue({ project: 'OPS', number: numberOf(key), summary: `Webhook flow ${key}`, description: 'Disk full again', labels, status });
}

const fromLinear = (fixture: LinearFixture, change: LinearChange, secret: string | null = LINEAR_SECRET, deliveryId?: string): WebhookDelivery =>
  linearDelivery(fixture, change, { secret, deliveryId });
const fromJira = (fixture: JiraFixture, change: JiraChange, secret: string | null = JIRA_SECRET, deliveryId?: string): WebhookDelivery =>
  jiraDelivery(fixture, change, { secret, deliveryId });
const send = (delivery: WebhookDelivery, init?: Parameters<typeof sendDelivery>[2]): Promise<WebhookAnswer> => sendDelivery(app.url, delivery, init);

/** The same Jira delivery with another top-level `timestamp`, signed again with the current secret. */
function jiraSentAt(delivery: WebhookDelivery, timestamp: number): WebhookDelivery {
  const payload = JSON.parse(delivery.body.toString('utf8')) as Record<string, unknown>;
  payload.timestamp = timestamp;
  const body = Buffer.from(JSON.stringify(payload));
  return { ...delivery, body, headers: { ...delivery.headers, 'x-hub-signature': `sha256=${hmacHex(JIRA_SECRET, body)}` } };
}

/** The same bytes and signature under a new Linear-Delivery id, which the signature does not cover. */
function linearResentAs(delivery: WebhookDelivery, deliveryId: string): WebhookDelivery {
  return { ...delivery, deliveryId, headers: { ...delivery.headers, 'linear-delivery': deliveryId } };
}

/** The same bytes and signature under a new X-Atlassian-Webhook-Identifier, which the signature does not cover. */
function jiraResentAs(delivery: WebhookDelivery, deliveryId: string): WebhookDelivery {
  return { ...delivery, deliveryId, headers: { ...delivery.headers, 'x-atlassian-webhook-identifier': deliveryId } };
}

// ---- what Baton wrote --------------------------------------------------------------------

interface RunRow {
  id: string;
  ticket_key: string;
  source: string;
  status: string;
  status_reason: string | null;
  requested_by: string;
  channel_id: string | null;
  thread_ts: string | null;
}

async function runsOf(key: string): Promise<RunRow[]> {
  const { rows } = await db.pool.query<RunRow>('SELECT * FROM runs WHERE ticket_key = $1 ORDER BY created_at', [key]);
  return rows;
}

const sourceOf = (delivery: WebhookDelivery): string => delivery.path.slice('/webhooks/'.length);
const deliveryRows = (delivery: WebhookDelivery): Promise<number> =>
  count(db.pool, 'SELECT 1 FROM deliveries WHERE source = $1 AND delivery_id = $2', [sourceOf(delivery), delivery.deliveryId]);
const intakeJobs = (delivery: WebhookDelivery): Promise<number> =>
  count(db.pool, `SELECT 1 FROM ${jobs} WHERE name = 'intake.event' AND data->>'deliveryId' = $1`, [delivery.deliveryId]);
const runFixJobs = (runId: string): Promise<number> => count(db.pool, `SELECT 1 FROM ${jobs} WHERE name = 'run.fix' AND data->>'runId' = $1`, [runId]);
const audits = (runId: string, action: string): Promise<number> => count(db.pool, 'SELECT 1 FROM audit_log WHERE run_id = $1 AND action = $2', [runId, action]);

/** Everything a webhook request can write: the delivery rows and intake jobs (only webhooks make either). */
async function written(): Promise<{ deliveries: number; intakeJobs: number }> {
  return {
    deliveries: await count(db.pool, 'SELECT 1 FROM deliveries'),
    intakeJobs: await count(db.pool, `SELECT 1 FROM ${jobs} WHERE name = 'intake.event'`),
  };
}

/** Waits for a job to finish and fails with pg-boss's output if it did not complete. */
const finished = (where: string, values: unknown[], what: string): Promise<void> => jobFinished(db.pool, jobs, where, values, what);

/** The worker has taken the delivery's intake.event job and finished it. */
const processed = (delivery: WebhookDelivery): Promise<void> =>
  finished(`name = 'intake.event' AND data->>'deliveryId' = $1`, [delivery.deliveryId], `intake.event of delivery ${delivery.deliveryId}`);

/** run.fix has opened the run's thread, read the ticket and finished (the agent steps are not built). */
async function settled(key: string): Promise<RunRow> {
  const [run] = await eventually(async () => {
    const rows = await runsOf(key);
    return rows.length === 1 ? rows : undefined;
  }, 10_000, `a run for ${key}`);
  await finished(`name = 'run.fix' AND data->>'runId' = $1`, [run!.id], `run.fix for ${key}`);
  const [now] = await runsOf(key);
  assert.ok(now?.thread_ts, `${key}'s thread is open`);
  return now;
}

async function assertQueued(answer: WebhookAnswer, delivery: WebhookDelivery): Promise<void> {
  assert.equal(answer.status, 200, answer.text);
  assert.deepEqual(answer.json, { status: 'queued' });
  assert.equal(await deliveryRows(delivery), 1);
  assert.equal(await intakeJobs(delivery), 1);
}

async function assertOneRun(key: string, expected: { source: string; channel: string }): Promise<RunRow> {
  const runs = await runsOf(key);
  assert.equal(runs.length, 1, `one run for ${key}`);
  const run = runs[0]!;
  assert.equal(run.source, expected.source);
  assert.equal(run.channel_id, expected.channel);
  assert.equal(run.status, 'queued');
  assert.equal(await runFixJobs(run.id), 1, 'one run.fix job');
  assert.equal(await audits(run.id, 'run.requested'), 1);
  return run;
}

interface LogEntry {
  level: number;
  msg: string;
  reason?: string;
}

/** Baton's log lines from `mark` (an earlier `app.logs.length`) on. */
const logsSince = (mark: number): LogEntry[] => app.logs.slice(mark).map((line) => JSON.parse(line) as LogEntry);

/**
 * A signed delivery that is refused with 401 leaves no trace: no delivery row, no job, no run,
 * and one warning that gives the reason.
 */
async function assertRefused(delivery: WebhookDelivery, key: string, reason: RegExp): Promise<void> {
  const before = await written();
  const mark = app.logs.length;
  const answer = await send(delivery);
  assert.equal(answer.status, 401, answer.text);
  assert.equal(answer.json?.error, 'invalid_signature');
  assert.match(String(answer.json?.reason), reason);
  const logged = logsSince(mark).filter((e) => e.msg === 'webhook refused: signature check failed');
  assert.deepEqual(logged.map((e) => [e.level, e.reason]), [[40, answer.json?.reason]], 'one warning with the reason');
  assert.equal(await deliveryRows(delivery), 0);
  assert.equal(await intakeJobs(delivery), 0);
  assert.deepEqual(await written(), before);
  assert.equal((await runsOf(key)).length, 0);
}

// ---- Linear intake -------------------------------------------------------------------------

test('Linear: an issue created with the baton label starts one run in the team’s channel', async () => {
  const key = nextKey('ENG');
  seedLinear(key, ['baton', 'Bug']);
  const delivery = fromLinear('linear-issue-create.json', { key, labels: ['baton', 'Bug'] });
  await assertQueued(await send(delivery), delivery);
  const { rows } = await db.pool.query<{ event: string }>('SELECT event FROM deliveries WHERE delivery_id = $1', [delivery.deliveryId]);
  assert.equal(rows[0]?.event, 'Issue.create');
  await processed(delivery);
  const run = await assertOneRun(key, { source: 'linear', channel: ENG_CHANNEL });
  assert.equal(run.requested_by, 'linear webhook');
  // The worker carries on from there: the thread opens in the team's channel.
  const opened = await settled(key);
  assert.ok(slack.threadRoots(ENG_CHANNEL).some((m) => m.ts === opened.thread_ts));
});

test('Linear: an update that adds the baton label starts a run', async () => {
  const key = nextKey('ENG');
  seedLinear(key, ['baton', 'Bug']);
  const delivery = fromLinear('linear-issue-labelled.json', { key, labels: ['baton', 'Bug'], labelsBefore: ['Bug'] });
  await assertQueued(await send(delivery), delivery);
  await processed(delivery);
  await assertOneRun(key, { source: 'linear', channel: ENG_CHANNEL });
});

const linearNoRun: { name: string; prefix?: 'WEB'; build: (key: string) => WebhookDelivery }[] = [
  { name: 'an issue created without the baton label', build: (key) => fromLinear('linear-issue-create.json', { key, labels: ['Bug'] }) },
  {
    name: 'an update that only moves the state (the label was already there)',
    build: (key) => fromLinear('linear-issue-started.json', { key, labels: ['baton'], state: { name: 'In Progress', type: 'started' }, stateBefore: 'Todo' }),
  },
  {
    name: 'an update that only edits the title and description',
    build: (key) => fromLinear('linear-issue-labelled.json', { key, labels: ['baton'], titleBefore: 'Old title', description: 'New text', descriptionBefore: 'Old text' }),
  },
  {
    name: 'an update that adds another label to a ticket that has the baton label',
    build: (key) => fromLinear('linear-issue-labelled.json', { key, labels: ['baton', 'Bug'], labelsBefore: ['baton'] }),
  },
  { name: 'an update that removes the baton label', build: (key) => fromLinear('linear-issue-labelled.json', { key, labels: ['Bug'], labelsBefore: ['baton', 'Bug'] }) },
  {
    name: 'a baton-labelled issue of a team that is not in baton.yml',
    prefix: 'WEB',
    build: (key) => fromLinear('linear-issue-create.json', { key, labels: ['baton'] }),
  },
  {
    name: 'a Jira delivery for a key whose team baton.yml puts in Linear',
    build: (key) => fromJira('jira-issue-created.json', { key, labels: ['baton'] }),
  },
];

for (const { name, prefix, build } of linearNoRun) {
  test(`Linear: ${name} is recorded but starts no run`, async () => {
    const key = nextKey(prefix ?? 'ENG');
    const delivery = build(key);
    await assertQueued(await send(delivery), delivery);
    await processed(delivery);
    assert.equal((await runsOf(key)).length, 0);
  });
}

test('Linear: a Comment delivery is answered 200 "ignored" and nothing is recorded or enqueued', async () => {
  const key = nextKey('ENG');
  const before = await written();
  const delivery = fromLinear('linear-comment-create.json', { key });
  const answer = await send(delivery);
  assert.equal(answer.status, 200);
  assert.equal(answer.json?.status, 'ignored');
  assert.match(String(answer.json?.reason), /Comment/);
  assert.equal(await deliveryRows(delivery), 0);
  assert.deepEqual(await written(), before);
  assert.equal((await runsOf(key)).length, 0);
});

// ---- Jira intake ---------------------------------------------------------------------------

test('Jira: an issue created with the baton label starts one run in the project’s channel', async () => {
  const key = nextKey('OPS');
  seedJira(key, ['baton', 'infra']);
  const delivery = fromJira('jira-issue-created.json', { key, labels: ['baton', 'infra'] });
  await assertQueued(await send(delivery), delivery);
  await processed(delivery);
  const run = await assertOneRun(key, { source: 'jira', channel: OPS_CHANNEL });
  assert.equal(run.requested_by, 'jira webhook');
});

test('Jira: an update whose changelog adds the baton label starts a run', async () => {
  const key = nextKey('OPS');
  seedJira(key, ['baton', 'infra']);
  const delivery = fromJira('jira-issue-labelled.json', { key, labels: ['baton', 'infra'], labelsBefore: ['infra'] });
  await assertQueued(await send(delivery), delivery);
  await processed(delivery);
  await assertOneRun(key, { source: 'jira', channel: OPS_CHANNEL });
});

test('Jira: a transition into Agent Ready starts a run, without the label', async () => {
  const key = nextKey('OPS');
  seedJira(key, ['infra'], 'Agent Ready');
  const delivery = fromJira('jira-issue-transitioned.json', { key, labels: ['infra'], status: { name: 'Agent Ready', category: 'new' }, statusBefore: 'To Do' });
  await assertQueued(await send(delivery), delivery);
  await processed(delivery);
  await assertOneRun(key, { source: 'jira', channel: OPS_CHANNEL });
});

test('Jira: a transition into In Progress starts no run, even on a labelled ticket', async () => {
  const key = nextKey('OPS');
  const delivery = fromJira('jira-issue-transitioned.json', {
    key,
    labels: ['baton', 'infra'],
    status: { name: 'In Progress', category: 'indeterminate' },
    statusBefore: 'To Do',
  });
  await assertQueued(await send(delivery), delivery);
  await processed(delivery);
  assert.equal((await runsOf(key)).length, 0);
});

test('Jira: comment_created is answered 200 "ignored" and nothing is recorded or enqueued', async () => {
  const key = nextKey('OPS');
  const before = await written();
  const delivery = fromJira('jira-comment-created.json', { key });
  const answer = await send(delivery);
  assert.equal(answer.status, 200);
  assert.equal(answer.json?.status, 'ignored');
  assert.match(String(answer.json?.reason), /comment_created/);
  assert.equal(await deliveryRows(delivery), 0);
  assert.deepEqual(await written(), before);
});

// ---- signatures ----------------------------------------------------------------------------

const refusals: { name: string; key: () => string; build: (key: string) => WebhookDelivery; reason: RegExp }[] = [
  {
    name: 'Linear: one changed byte in the body',
    key: () => nextKey('ENG'),
    build: (key) => {
      const signed = fromLinear('linear-issue-create.json', { key, labels: ['baton'] });
      return withBody(signed, flipOneByte(signed.body));
    },
    reason: /does not match/,
  },
  {
    name: 'Jira: one changed byte in the body',
    key: () => nextKey('OPS'),
    build: (key) => {
      const signed = fromJira('jira-issue-created.json', { key, labels: ['baton'] });
      return withBody(signed, flipOneByte(signed.body));
    },
    reason: /does not match/,
  },
  {
    name: 'Linear: a correctly signed delivery whose webhookTimestamp is two minutes old',
    key: () => nextKey('ENG'),
    build: (key) => fromLinear('linear-issue-create.json', { key, labels: ['baton'], webhookTimestamp: Date.now() - 120_000 }),
    reason: /stale or replayed/,
  },
  {
    name: 'Linear: a correctly signed delivery whose webhookTimestamp is two minutes ahead',
    key: () => nextKey('ENG'),
    build: (key) => fromLinear('linear-issue-create.json', { key, labels: ['baton'], webhookTimestamp: Date.now() + 120_000 }),
    reason: /stale or replayed/,
  },
  {
    name: 'Jira: a correctly signed delivery whose timestamp is two hours old (Jira retries for about 30 minutes)',
    key: () => nextKey('OPS'),
    build: (key) => jiraSentAt(fromJira('jira-issue-created.json', { key, labels: ['baton'] }), Date.now() - 2 * 60 * 60_000),
    reason: /timestamp is 120 min old .* stale or replayed/,
  },
  {
    name: 'Jira: a correctly signed delivery whose timestamp is ten minutes ahead',
    key: () => nextKey('OPS'),
    build: (key) => jiraSentAt(fromJira('jira-issue-created.json', { key, labels: ['baton'] }), Date.now() + 10 * 60_000),
    reason: /timestamp is 10 min ahead .* stale or replayed/,
  },
  {
    name: 'Linear: no Linear-Signature header',
    key: () => nextKey('ENG'),
    build: (key) => fromLinear('linear-issue-create.json', { key, labels: ['baton'] }, null),
    reason: /missing Linear-Signature/,
  },
  {
    name: 'Jira: no X-Hub-Signature header',
    key: () => nextKey('OPS'),
    build: (key) => fromJira('jira-issue-created.json', { key, labels: ['baton'] }, null),
    reason: /missing X-Hub-Signature/,
  },
  {
    name: 'Linear: signed with a wrong secret',
    key: () => nextKey('ENG'),
    build: (key) => fromLinear('linear-issue-create.json', { key, labels: ['baton'] }, 'lin_wh_not_the_secret'),
    reason: /does not match/,
  },
  {
    name: 'Linear: signed with the Jira secret',
    key: () => nextKey('ENG'),
    build: (key) => fromLinear('linear-issue-create.json', { key, labels: ['baton'] }, JIRA_SECRET),
    reason: /does not match/,
  },
  {
    name: 'Jira: signed with a wrong secret',
    key: () => nextKey('OPS'),
    build: (key) => fromJira('jira-issue-created.json', { key, labels: ['baton'] }, 'jira_wh_not_the_secret'),
    reason: /does not match/,
  },
];

for (const { name, key: makeKey, build, reason } of refusals) {
  test(`401 and nothing written — ${name}`, async () => {
    const key = makeKey();
    await assertRefused(build(key), key, reason);
  });
}

test('with no JIRA_WEBHOOK_SECRET, Baton refuses Jira deliveries by default: 401 with how to configure it, nothing written', async () => {
  // A second process on the same database, web role (no workers), as `npm start` builds it with no Jira secret.
  const anonymousJira = await startTestBaton({ db, jira, role: 'web', env: { LINEAR_WEBHOOK_SECRET: LINEAR_SECRET } });
  try {
    const key = nextKey('OPS');
    seedJira(key);
    const before = await written();
    for (const delivery of [fromJira('jira-issue-created.json', { key, labels: ['baton'] }, null), fromJira('jira-issue-created.json', { key, labels: ['baton'] })]) {
      const answer = await sendDelivery(anonymousJira.url, delivery);
      assert.equal(answer.status, 401, answer.text);
      assert.equal(answer.json?.error, 'invalid_signature');
      assert.match(String(answer.json?.reason), /^no Jira webhook secret is configured: .*set JIRA_WEBHOOK_SECRET .*webhooks\.allow_unsigned/);
    }
    assert.deepEqual(await written(), before);
    assert.equal((await runsOf(key)).length, 0);
  } finally {
    await anonymousJira.stop();
  }
});

test('with webhooks.allow_unsigned: [jira] and no JIRA_WEBHOOK_SECRET, an unsigned Jira delivery is queued, and the start-up log says so', async () => {
  const policy = {
    scheduling: { reconcile_interval_minutes: 60 },
    webhooks: { allow_unsigned: ['jira'] },
    teams: { OPS: { tracker: 'jira', channel: OPS_CHANNEL, intake: { label: 'baton', state: 'Agent Ready' } } },
  };
  const openJira = await startTestBaton({ db, jira, role: 'web', env: { LINEAR_WEBHOOK_SECRET: LINEAR_SECRET }, policy });
  try {
    const warnings = openJira.logs.join('').split('\n').filter((line) => line.includes('"level":40') && line.includes('/webhooks/jira accepts unsigned deliveries'));
    assert.equal(warnings.length, 1, 'one start-up warning for the open Jira endpoint');
    const key = nextKey('OPS');
    seedJira(key);
    const unsigned = fromJira('jira-issue-created.json', { key, labels: ['baton'] }, null);
    const answer = await sendDelivery(openJira.url, unsigned);
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.json?.status, 'queued');
    await processed(unsigned);
    await assertOneRun(key, { source: 'jira', channel: OPS_CHANNEL });
  } finally {
    await openJira.stop();
  }
});

test('the previous (rotation) secret is still accepted, for Linear and for Jira', async () => {
  const eng = nextKey('ENG');
  seedLinear(eng);
  const fromLinearPrevious = fromLinear('linear-issue-create.json', { key: eng, labels: ['baton'] }, LINEAR_PREVIOUS);
  await assertQueued(await send(fromLinearPrevious), fromLinearPrevious);
  const ops = nextKey('OPS');
  seedJira(ops);
  const fromJiraPrevious = fromJira('jira-issue-created.json', { key: ops, labels: ['baton'] }, JIRA_PREVIOUS);
  await assertQueued(await send(fromJiraPrevious), fromJiraPrevious);
  await processed(fromLinearPrevious);
  await processed(fromJiraPrevious);
  await assertOneRun(eng, { source: 'linear', channel: ENG_CHANNEL });
  await assertOneRun(ops, { source: 'jira', channel: OPS_CHANNEL });
});

// ---- redelivery ----------------------------------------------------------------------------

async function assertDeliveredOnce(delivery: WebhookDelivery, statuses: unknown[], key: string, expected: { source: string; channel: string }): Promise<void> {
  assert.deepEqual(statuses.filter((s) => s === 'queued'), ['queued'], `one "queued" among ${JSON.stringify(statuses)}`);
  assert.equal(statuses.filter((s) => s === 'duplicate').length, statuses.length - 1);
  assert.equal(await deliveryRows(delivery), 1);
  assert.equal(await intakeJobs(delivery), 1);
  await processed(delivery);
  await assertOneRun(key, expected);
}

test('Linear: the same delivery five times in a row is recorded, enqueued and run once', async () => {
  const key = nextKey('ENG');
  seedLinear(key);
  const delivery = fromLinear('linear-issue-labelled.json', { key, labels: ['baton'], labelsBefore: [] });
  const statuses: unknown[] = [];
  for (let i = 0; i < 5; i += 1) {
    const answer = await send(delivery);
    assert.equal(answer.status, 200);
    statuses.push(answer.json?.status);
  }
  assert.deepEqual(statuses, ['queued', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);
  await assertDeliveredOnce(delivery, statuses, key, { source: 'linear', channel: ENG_CHANNEL });
});

test('Linear: the same delivery five times at once is recorded, enqueued and run once', async () => {
  const key = nextKey('ENG');
  seedLinear(key);
  const delivery = fromLinear('linear-issue-create.json', { key, labels: ['baton'] });
  const answers = await Promise.all(Array.from({ length: 5 }, () => send(delivery)));
  assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 200, 200]);
  await assertDeliveredOnce(delivery, answers.map((a) => a.json?.status), key, { source: 'linear', channel: ENG_CHANNEL });
});

test('Jira: the same delivery five times at once is recorded, enqueued and run once', async () => {
  const key = nextKey('OPS');
  seedJira(key);
  const delivery = fromJira('jira-issue-created.json', { key, labels: ['baton'] });
  const answers = await Promise.all(Array.from({ length: 5 }, () => send(delivery)));
  assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 200, 200]);
  await assertDeliveredOnce(delivery, answers.map((a) => a.json?.status), key, { source: 'jira', channel: OPS_CHANNEL });
});

test('Jira: a signed body resent under new X-Atlassian-Webhook-Identifiers is a duplicate: recorded, enqueued and run once', async () => {
  const key = nextKey('OPS');
  seedJira(key);
  const delivery = fromJira('jira-issue-created.json', { key, labels: ['baton'] });
  await assertQueued(await send(delivery), delivery);
  const before = await written();
  const replays = [randomUUID(), randomUUID(), randomUUID()].map((id) => jiraResentAs(delivery, id));
  const answers = [await send(replays[0]!), ...(await Promise.all(replays.slice(1).map((replay) => send(replay))))];
  assert.deepEqual(answers.map((a) => [a.status, a.json?.status]), [[200, 'duplicate'], [200, 'duplicate'], [200, 'duplicate']]);
  for (const replay of replays) {
    assert.equal(await deliveryRows(replay), 0);
    assert.equal(await intakeJobs(replay), 0);
  }
  assert.deepEqual(await written(), before, 'a replay writes nothing');
  await processed(delivery);
  await assertOneRun(key, { source: 'jira', channel: OPS_CHANNEL });
});

test('Linear: a signed body resent under a new Linear-Delivery id within its minute is a duplicate; a second event is still accepted', async () => {
  const key = nextKey('ENG');
  seedLinear(key);
  const delivery = fromLinear('linear-issue-labelled.json', { key, labels: ['baton'], labelsBefore: [] });
  await assertQueued(await send(delivery), delivery);
  const before = await written();
  const replay = linearResentAs(delivery, randomUUID());
  const answer = await send(replay);
  assert.deepEqual([answer.status, answer.json?.status], [200, 'duplicate']);
  assert.equal(await deliveryRows(replay), 0);
  assert.equal(await intakeJobs(replay), 0);
  assert.deepEqual(await written(), before, 'a replay writes nothing');
  await processed(delivery);
  await assertOneRun(key, { source: 'linear', channel: ENG_CHANNEL });
  // A real second event on the ticket (its title edited) has bytes of its own, so it is recorded and handled.
  const second = fromLinear('linear-issue-labelled.json', { key, labels: ['baton'], titleBefore: 'An older title' });
  await assertQueued(await send(second), second);
  await processed(second);
  await assertOneRun(key, { source: 'linear', channel: ENG_CHANNEL });
});

test('Jira: the same change sent twice with new timestamps (two real events) is two deliveries', async () => {
  const key = nextKey('OPS');
  const first = fromJira('jira-issue-transitioned.json', { key, labels: ['infra'], status: { name: 'In Progress', category: 'indeterminate' }, statusBefore: 'To Do' });
  const second = jiraResentAs(jiraSentAt(first, Date.now() + 1), randomUUID());
  await assertQueued(await send(first), first);
  await assertQueued(await send(second), second);
  await processed(first);
  await processed(second);
});

test('two different deliveries of the same change are both recorded, and still start one run', async () => {
  const key = nextKey('ENG');
  seedLinear(key);
  const first = fromLinear('linear-issue-create.json', { key, labels: ['baton'] });
  const second = fromLinear('linear-issue-create.json', { key, labels: ['baton'] });
  assert.notEqual(first.deliveryId, second.deliveryId);
  await assertQueued(await send(first), first);
  await assertQueued(await send(second), second);
  await processed(first);
  await processed(second);
  await assertOneRun(key, { source: 'linear', channel: ENG_CHANNEL });
});

// ---- the request itself --------------------------------------------------------------------

const padding = (bytes: number): string => 'x'.repeat(bytes);

test('a body over webhooks.max_body_kib (16 KiB) is refused with 413 and nothing is written, with or without Content-Length', async () => {
  const key = nextKey('ENG');
  const delivery = fromLinear('linear-issue-create.json', { key, labels: ['baton'], description: padding(20 * 1024) });
  assert.ok(delivery.body.length > 16 * 1024);
  const before = await written();
  for (const stream of [false, true]) {
    const answer = await send(delivery, { stream });
    assert.equal(answer.status, 413, `stream: ${stream}: ${answer.text}`);
    assert.equal(answer.json?.error, 'payload_too_large');
    assert.equal(answer.json?.limitBytes, 16 * 1024);
  }
  assert.equal(await deliveryRows(delivery), 0);
  assert.deepEqual(await written(), before);
  assert.equal((await runsOf(key)).length, 0);
});

test('a body just under the limit is accepted', async () => {
  const key = nextKey('ENG');
  const base = fromLinear('linear-issue-create.json', { key, labels: ['Bug'] }).body.length;
  const delivery = fromLinear('linear-issue-create.json', { key, labels: ['Bug'], description: padding(16 * 1024 - base - 100) });
  assert.ok(delivery.body.length < 16 * 1024 && delivery.body.length > 15 * 1024);
  await assertQueued(await send(delivery), delivery);
});

test('GET and PUT on the webhook routes are answered 405 with Allow: POST, and nothing is written', async () => {
  const before = await written();
  for (const delivery of [fromLinear('linear-issue-create.json', { key: nextKey('ENG') }), fromJira('jira-issue-created.json', { key: nextKey('OPS') })]) {
    for (const method of ['GET', 'PUT']) {
      const answer = await send(delivery, { method });
      assert.equal(answer.status, 405, `${method} ${delivery.path}`);
      assert.equal(answer.headers.get('allow'), 'POST');
    }
  }
  assert.deepEqual(await written(), before);
});

test('the webhook answers without waiting for the tracker: 200 while every tracker request is held', async () => {
  const key = nextKey('ENG');
  seedLinear(key);
  const delivery = fromLinear('linear-issue-create.json', { key, labels: ['baton'] });
  const aboutKey = (req: FakeRequest): boolean => JSON.stringify(req.body ?? '').includes(key);
  const release = linear.hold();
  try {
    // The timeout only turns a hang into a failure: a webhook that waited for the tracker would never answer here.
    const answer = await send(delivery, { signal: AbortSignal.timeout(20_000) });
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual(answer.json, { status: 'queued' });
    assert.ok(!linear.calls.some(aboutKey), 'Linear has answered nothing about the ticket');
    await processed(delivery);
    // The run's own work is what waits for the tracker, at the held door.
    await eventually(async () => linear.waiting.some(aboutKey), 20_000, `run.fix to ask Linear for ${key}`);
    assert.ok(!linear.calls.some(aboutKey), 'still nothing answered');
  } finally {
    release();
  }
  await assertOneRun(key, { source: 'linear', channel: ENG_CHANNEL });
  await settled(key);
});

// ---- one run per ticket, whichever way it arrives ------------------------------------------

type Path = 'webhook' | 'slash command' | 'reconcile';
const RUN_SOURCE: Record<Path, string> = { webhook: 'linear', 'slash command': 'slack', reconcile: 'reconcile' };

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

/** A reconcile tick, sent through Baton's own queue to its own worker, and waited for. */
async function reconcileNow(): Promise<void> {
  const id = await eventually(
    async () => {
      try {
        return await app.baton.queue.enqueue(app.baton.pool, 'intake.reconcile', {});
      } catch (error) {
        // Stately: a tick the schedule queued first must run before another can wait.
        if (/refused the job/.test((error as Error).message)) return undefined;
        throw error;
      }
    },
    10_000,
    'room for an intake.reconcile job',
  );
  app.baton.queue.notify('intake.reconcile');
  await finished('id = $1', [id], 'intake.reconcile');
}

async function arrive(path: Path, key: string): Promise<void> {
  if (path === 'webhook') {
    const delivery = fromLinear('linear-issue-labelled.json', { key, labels: ['baton'], labelsBefore: [] });
    const answer = await send(delivery);
    assert.deepEqual(answer.json, { status: 'queued' });
    await processed(delivery);
  } else if (path === 'slash command') {
    const body = slashCommandBody({ text: `fix ${key}`, channel_id: ENG_CHANNEL });
    const answer = await sendSignedSlack(app.slackEventsUrl, 'command', body, { secret: SLACK_DEFAULTS.signingSecret });
    assert.equal(answer.status, 200);
    assert.match(String((answer.json as { text?: string } | undefined)?.text), new RegExp(`Queued ${key}|${key} is already running`));
  } else {
    await reconcileNow();
  }
}

for (const order of permutations<Path>(['webhook', 'slash command', 'reconcile'])) {
  test(`one run per ticket when it arrives by ${order.join(', then ')}`, async () => {
    const key = nextKey('ENG');
    seedLinear(key);
    for (const path of order) await arrive(path, key);
    await assertOneRun(key, { source: RUN_SOURCE[order[0]!], channel: ENG_CHANNEL });
  });
}

// ---- closing the ticket cancels its run ------------------------------------------------------

async function assertCancelled(run: RunRow, close: WebhookDelivery, tracker: 'Linear' | 'Jira', state: string): Promise<void> {
  await processed(close);
  const [cancelled] = await runsOf(run.ticket_key);
  assert.equal(cancelled?.id, run.id);
  assert.equal(cancelled.status, 'cancelled');
  assert.match(String(cancelled.status_reason), new RegExp(`${run.ticket_key} was moved to ${state} in ${tracker}`));
  const notice = slack.repliesTo(run.thread_ts!).find((m) => /cancelled this run/.test(m.text));
  assert.ok(notice, 'the thread is told');
  assert.match(notice.text, new RegExp(`${run.ticket_key} was moved to ${state} in ${tracker}, so Baton cancelled this run`));
  const root = slack.messages(run.channel_id!).find((m) => m.ts === run.thread_ts);
  assert.match(String(root?.text), /· cancelled$/);
  const { rows } = await db.pool.query<{ actor: string }>(`SELECT actor FROM audit_log WHERE run_id = $1 AND action = 'run.cancelled'`, [run.id]);
  assert.deepEqual(rows, [{ actor: `${tracker.toLowerCase()} webhook` }]);
  assert.equal((await runsOf(run.ticket_key)).length, 1, 'no new run');
}

test('Linear: moving the ticket to Done cancels its run, says so in the thread, and audits it', async () => {
  const key = nextKey('ENG');
  seedLinear(key);
  const start = fromLinear('linear-issue-create.json', { key, labels: ['baton'] });
  await assertQueued(await send(start), start);
  const run = await settled(key);
  // The tracker moves first; its webhook follows.
  linear.store.updateIssue(key, { stateId: linear.store.state(linear.store.team('ENG').id, 'Done').id });
  const close = fromLinear('linear-issue-started.json', { key, labels: ['baton'], state: { name: 'Done', type: 'completed' }, stateBefore: 'Todo' });
  await assertQueued(await send(close), close);
  await assertCancelled(run, close, 'Linear', 'Done');
});

test('Jira: moving the ticket to Done cancels its run, says so in the thread, and audits it', async () => {
  const key = nextKey('OPS');
  seedJira(key);
  const start = fromJira('jira-issue-created.json', { key, labels: ['baton'] });
  await assertQueued(await send(start), start);
  const run = await settled(key);
  jira.getIssue(key).status = 'Done';
  const close = fromJira('jira-issue-transitioned.json', { key, labels: ['baton'], status: { name: 'Done', category: 'done' }, statusBefore: 'In Progress' });
  await assertQueued(await send(close), close);
  await assertCancelled(run, close, 'Jira', 'Done');
});

test('closing the ticket while run.fix is still reading it: the run stays cancelled, with the cancel as its reason', async () => {
  const key = nextKey('ENG');
  seedLinear(key);
  // Only this ticket's read is slow, so the close lands while run.fix waits for Linear.
  linear.fail({ delayMs: 2000, match: (req) => (req.body as { variables?: { id?: unknown } } | undefined)?.variables?.id === key });
  const start = fromLinear('linear-issue-create.json', { key, labels: ['baton'] });
  await assertQueued(await send(start), start);
  const [opened] = await eventually(async () => {
    const rows = await runsOf(key);
    return rows[0]?.thread_ts && rows[0].status_reason === null ? rows : undefined;
  }, 10_000, `${key}'s thread to open`);
  linear.store.updateIssue(key, { stateId: linear.store.state(linear.store.team('ENG').id, 'Done').id });
  const close = fromLinear('linear-issue-started.json', { key, labels: ['baton'], state: { name: 'Done', type: 'completed' }, stateBefore: 'Todo' });
  await assertQueued(await send(close), close);
  await processed(close);
  const [cancelled] = await runsOf(key);
  assert.equal(cancelled?.status, 'cancelled', 'cancelled before run.fix finished reading the ticket');
  await finished(`name = 'run.fix' AND data->>'runId' = $1`, [opened!.id], `run.fix for ${key}`);
  const [after] = await runsOf(key);
  assert.equal(after?.status, 'cancelled');
  assert.match(String(after?.status_reason), /was moved to Done in Linear/);
  const root = slack.messages(ENG_CHANNEL).find((m) => m.ts === opened!.thread_ts);
  assert.match(String(root?.text), /· cancelled$/);
});

// ---- a description edit resumes a run waiting for clarification -----------------------------

async function waitForClarification(key: string): Promise<RunRow> {
  const run = await settled(key);
  await db.pool.query(`UPDATE runs SET status = 'needs_clarification' WHERE id = $1`, [run.id]);
  return run;
}

async function assertResumed(run: RunRow): Promise<void> {
  await eventually(async () => (await runFixJobs(run.id)) === 2, 10_000, `${run.ticket_key}'s second run.fix job`);
  const [now] = await runsOf(run.ticket_key);
  assert.equal(now?.id, run.id);
  // Back in the queue (run.fix takes the new job and, with no agent steps built, leaves it queued).
  assert.equal(now?.status, 'queued');
  assert.equal((await runsOf(run.ticket_key)).length, 1, 'the same run, not a new one');
  assert.equal(await audits(run.id, 'run.resumed'), 1);
  await eventually(async () => slack.repliesTo(run.thread_ts!).some((m) => /description was edited/.test(m.text)), 5000, 'the thread to be told');
}

test('Linear: a description edit resumes a run that waits for clarification: back to queued, with a new run.fix job', async () => {
  const key = nextKey('ENG');
  seedLinear(key);
  const start = fromLinear('linear-issue-create.json', { key, labels: ['baton'] });
  await assertQueued(await send(start), start);
  const run = await waitForClarification(key);
  const edit = fromLinear('linear-issue-labelled.json', { key, labels: ['baton'], description: 'Now with steps', descriptionBefore: 'Steps to reproduce…' });
  await assertQueued(await send(edit), edit);
  await processed(edit);
  await assertResumed(run);
});

test('Jira: a description edit resumes a run that waits for clarification', async () => {
  const key = nextKey('OPS');
  seedJira(key);
  const start = fromJira('jira-issue-created.json', { key, labels: ['baton'] });
  await assertQueued(await send(start), start);
  const run = await waitForClarification(key);
  const edit = fromJira('jira-issue-labelled.json', { key, labels: ['baton'], description: 'Disk full on db-2 too', descriptionBefore: 'Disk full again' });
  await assertQueued(await send(edit), edit);
  await processed(edit);
  await assertResumed(run);
});

test('a description edit on a run that is not waiting for clarification changes nothing', async () => {
  const key = nextKey('ENG');
  seedLinear(key);
  const start = fromLinear('linear-issue-create.json', { key, labels: ['baton'] });
  await assertQueued(await send(start), start);
  const run = await settled(key);
  const replies = slack.repliesTo(run.thread_ts!).length;
  const edit = fromLinear('linear-issue-labelled.json', { key, labels: ['baton'], description: 'Now with steps', descriptionBefore: 'Steps to reproduce…' });
  await assertQueued(await send(edit), edit);
  await processed(edit);
  const runs = await runsOf(key);
  assert.equal(runs.length, 1);
  assert.equal(runs[0]!.status, 'queued');
  assert.equal(await runFixJobs(run.id), 1);
  assert.equal(await audits(run.id, 'run.resumed'), 0);
  assert.equal(slack.repliesTo(run.thread_ts!).length, replies);
});

// ---- reconcile starts what webhooks missed, and only that ------------------------------------

test('reconcile starts a Jira ticket that moved to Agent Ready without the label, when its webhook was missed', async () => {
  const key = nextKey('OPS');
  // The same ticket as "a transition into Agent Ready starts a run", minus the delivery.
  seedJira(key, ['infra'], 'Agent Ready');
  await reconcileNow();
  await assertOneRun(key, { source: 'reconcile', channel: OPS_CHANNEL });
});

test('reconcile does not restart a labelled ticket whose run has ended, while nothing about the ticket changed', async () => {
  const key = nextKey('ENG');
  seedLinear(key);
  const start = fromLinear('linear-issue-create.json', { key, labels: ['baton'] });
  await assertQueued(await send(start), start);
  const run = await settled(key);
  // As failRun leaves a run whose last attempt failed (the agent steps that fail runs are not built yet).
  await db.pool.query(`UPDATE runs SET status = 'failed', status_reason = 'tests kept failing', finished_at = now() WHERE id = $1`, [run.id]);
  await reconcileNow();
  const runs = await runsOf(key);
  assert.deepEqual(runs.map((r) => `${r.source}:${r.status}`), ['linear:failed']);
});

// Each refusal test checks its own warning (assertRefused), so this one holds however many tests ran.
test('no request made Baton log an error, and no webhook secret reached the logs', () => {
  assert.deepEqual(logsSince(0).filter((e) => e.level >= 50).map((e) => e.msg), []);
  for (const secret of [LINEAR_SECRET, LINEAR_PREVIOUS, JIRA_SECRET, JIRA_PREVIOUS]) {
    assert.ok(!app.logs.some((line) => line.includes(secret)), 'no webhook secret in the logs');
  }
});
