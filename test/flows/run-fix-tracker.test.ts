import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeSlack } from '../fakes/fake-slack.ts';
import { FakeLinear, LINEAR_RATELIMITED_BODY } from '../fakes/fake-linear.ts';
import { FakeJira } from '../fakes/fake-jira.ts';
import { sendSignedSlack, slashCommandBody } from '../fakes/sign-slack-request.ts';
import { SLACK_DEFAULTS } from '../fakes/slack-defaults.ts';
import { AGENT_NOT_CONFIGURED } from '../../src/jobs/run-fix.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { startTestBaton, type TestBaton } from '../support/start-test-baton.ts';
import { eventually } from '../support/eventually.ts';
import { clickButton } from '../support/slack-interactions.ts';
import { ACTIONS } from '../../src/bot/views/action-ids.ts';

/*
 * run.fix reads the ticket from the tracker its prefix routes to. Outages and rate limits are
 * retried with the queue's backoff (1 s first delay here) until the read succeeds; a ticket that
 * does not exist fails the run at once, with the reason in its thread.
 */

let db: TestDatabase;
let slack: FakeSlack;
let linear: FakeLinear;
let jira: FakeJira;
let app: TestBaton;
const channel = SLACK_DEFAULTS.channelId;

interface RunRow {
  id: string;
  status: string;
  status_reason: string | null;
  thread_ts: string | null;
  ticket_title: string | null;
}
interface JobRow {
  state: string;
  retry_count: number;
}

const fix = (key: string) =>
  sendSignedSlack(app.slackEventsUrl, 'command', slashCommandBody({ text: `fix ${key}`, channel_id: channel }), { secret: SLACK_DEFAULTS.signingSecret });

async function runOf(key: string): Promise<RunRow | undefined> {
  const { rows } = await db.pool.query<RunRow>('SELECT * FROM runs WHERE ticket_key = $1 ORDER BY created_at DESC LIMIT 1', [key]);
  return rows[0];
}

async function jobOf(runId: string): Promise<JobRow> {
  const { rows } = await db.pool.query<JobRow>(`SELECT state, retry_count FROM ${db.schema}_jobs.job WHERE name = 'run.fix' AND data->>'runId' = $1`, [runId]);
  assert.equal(rows.length, 1, 'one run.fix job for the run');
  return rows[0]!;
}

const ticketReads = (key: string): number =>
  linear.operations().filter((o) => o.name === 'BatonTicket' && JSON.stringify(o.variables).includes(key)).length;

before(async () => {
  db = await createTestDatabase();
  slack = new FakeSlack();
  linear = new FakeLinear();
  jira = new FakeJira();
  await Promise.all([slack.start(), linear.start(), jira.start()]);
  linear.addTeam({ key: 'ENG', name: 'Engineering' });
  for (const number of [1, 2, 3]) linear.addIssue({ team: 'ENG', number, title: `Linear ticket ${number}` });
  jira.addProject({ key: 'OPS' });
  jira.addIssue({ project: 'OPS', number: 1, summary: 'Jira ticket 1' });
  app = await startTestBaton({
    db, slack, linear, jira,
    policy: {
      queue: { retry_delay_seconds: 1 },
      teams: { ENG: { tracker: 'linear', channel: 'C0ENG' }, OPS: { tracker: 'jira', channel: 'C0OPS' } },
    },
  });
});
after(async () => {
  await app?.stop();
  await Promise.all([slack.stop(), linear.stop(), jira.stop()]);
  await db.drop();
});

test('Linear answering 503 twice: run.fix retries with backoff, then reads the ticket', async () => {
  linear.fail({ status: 503, times: 2, match: (req) => String(req.rawBody).includes('ENG-1"') });
  assert.equal((await fix('ENG-1')).status, 200);
  // The title is recorded as soon as the ticket is read, the reason a moment later: wait for the last write.
  const run = await eventually(async () => {
    const current = await runOf('ENG-1');
    return current?.ticket_title && current.status_reason ? current : undefined;
  }, 20_000, 'the ticket to be read and the run to say why it waits');
  assert.equal(run!.ticket_title, 'Linear ticket 1');
  assert.equal(run!.status, 'queued');
  assert.equal(run!.status_reason, AGENT_NOT_CONFIGURED);
  assert.equal(ticketReads('ENG-1'), 3, 'two failed reads, then one that worked');
  const job = await eventually(async () => {
    const j = await jobOf(run!.id);
    return j.state === 'completed' ? j : undefined;
  }, 5000, 'the job to complete');
  assert.equal(job.retry_count, 2);
});

test('Linear rate-limiting once (its 400 + RATELIMITED answer): retried, then read', async () => {
  linear.fail({ status: 400, retryAfterSeconds: 1, body: LINEAR_RATELIMITED_BODY, match: (req) => String(req.rawBody).includes('ENG-2"') });
  await fix('ENG-2');
  const run = await eventually(async () => ((await runOf('ENG-2'))?.ticket_title ? runOf('ENG-2') : undefined), 20_000, 'the ticket to be read');
  assert.equal(run!.ticket_title, 'Linear ticket 2');
  assert.equal(ticketReads('ENG-2'), 2);
});

test('Jira answering 429 with Retry-After: retried, then read', async () => {
  jira.fail({ status: 429, retryAfterSeconds: 1, match: (req) => req.path.includes('OPS-1') });
  await fix('OPS-1');
  const run = await eventually(async () => ((await runOf('OPS-1'))?.ticket_title ? runOf('OPS-1') : undefined), 20_000, 'the ticket to be read');
  assert.equal(run!.ticket_title, 'Jira ticket 1');
  assert.equal(jira.callsTo('GET', /OPS-1/).length, 2);
});

test('a ticket that does not exist fails the run once, with "ENG-999 not found in Linear" in its thread, and no retries', async () => {
  await fix('ENG-999');
  const run = await eventually(async () => {
    const r = await runOf('ENG-999');
    return r?.status === 'failed' ? r : undefined;
  }, 10_000, 'the run to fail');
  await eventually(async () => slack.repliesTo(run.thread_ts!).some((m) => (m.text ?? '').includes('not found in Linear')) || undefined, 5000, 'the thread to be told');
  assert.equal(run.status_reason, 'ENG-999 not found in Linear');
  const notices = slack.repliesTo(run.thread_ts!).map((m) => m.text ?? '');
  assert.ok(notices.some((t) => t.includes('ENG-999 not found in Linear')), `the thread says why: ${notices.join(' | ')}`);
  const job = await eventually(async () => {
    const j = await jobOf(run.id);
    return j.state === 'completed' ? j : undefined;
  }, 5000, 'the job to be settled');
  assert.equal(job.retry_count, 0, 'no retry storm');
  assert.equal(ticketReads('ENG-999'), 1);
});

/** The Retry button on a thread message, and the message it is on. */
function retryButton(threadTs: string, says: RegExp): { value: string; ts: string } {
  for (const m of slack.repliesTo(threadTs)) {
    if (!says.test(m.text ?? '')) continue;
    for (const block of (m.blocks ?? []) as { elements?: { action_id?: string; value?: string }[] }[]) {
      const button = block.elements?.find((e) => e.action_id === ACTIONS.runRetry);
      if (button?.value) return { value: button.value, ts: m.ts };
    }
  }
  assert.fail(`no Retry button on a message saying ${says}`);
}

test('no model: the status says what is missing, with Retry; Retry tells the clicker it is still missing and changes nothing', async () => {
  const run = await eventually(async () => {
    const r = await runOf('ENG-1');
    return r?.thread_ts && slack.repliesTo(r.thread_ts).some((m) => JSON.stringify(m.blocks ?? []).includes(ACTIONS.runRetry)) ? r : undefined;
  }, 10_000, 'the Retry button on the status');
  const button = retryButton(run.thread_ts!, /ENG-1: queued/);
  const response = await clickButton(app.slackEventsUrl, { actionId: ACTIONS.runRetry, value: button.value, messageTs: button.ts, threadTs: run.thread_ts!, channelId: 'C0ENG' });
  assert.equal(response.status, 200);
  const told = await eventually(async () => slack.ephemerals(SLACK_DEFAULTS.userId).find((e) => /Still waiting/.test(e.text ?? '')), 5000, 'the clicker to be told');
  assert.match(told.text ?? '', /ANTHROPIC_API_KEY/);
  assert.equal((await runOf('ENG-1'))?.status, 'queued', 'nothing changed');
  assert.equal(slack.repliesTo(run.thread_ts!).length, 1, 'the status message alone: nothing posted beside it');
});

test('a failed run: Retry on its failure notice starts a new run of the ticket, requested by the clicker', async () => {
  const failed = (await runOf('ENG-999'))!;
  assert.equal(failed.status, 'failed');
  const button = retryButton(failed.thread_ts!, /not found in Linear/);
  await clickButton(app.slackEventsUrl, { actionId: ACTIONS.runRetry, value: button.value, messageTs: button.ts, threadTs: failed.thread_ts!, channelId: 'C0ENG', userId: 'U0RETRIER' });
  const again = await eventually(async () => {
    const r = await runOf('ENG-999');
    return r && r.id !== failed.id ? r : undefined;
  }, 10_000, 'a new run of ENG-999');
  const { rows } = await db.pool.query<{ requested_by: string }>('SELECT requested_by FROM runs WHERE id = $1', [again.id]);
  assert.equal(rows[0]!.requested_by, 'U0RETRIER');
  await eventually(async () => slack.ephemerals('U0RETRIER').find((e) => /Started a new run for ENG-999/.test(e.text ?? '')), 5000, 'the clicker to be told');
});
