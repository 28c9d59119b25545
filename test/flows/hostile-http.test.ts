import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { randomUUID } from 'node:crypto';
import { FakeSlack } from '../fakes/fake-slack.ts';
import { blockActionsBody, eventBody, sendSignedSlack, signSlackBody, slashCommandBody, viewSubmissionBody } from '../fakes/sign-slack-request.ts';
import { SLACK_DEFAULTS } from '../fakes/slack-defaults.ts';
import { hmacHex } from '../bot/webhooks/sign.ts';
import { ACTIONS } from '../../src/bot/views/action-ids.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { startTestBaton, type TestBaton } from '../support/start-test-baton.ts';
import { eventually } from '../support/eventually.ts';

/*
 * Requests an outsider can send, answered by Baton as `npm start` builds it: each gets a 4xx (or a
 * 200 that ignores it), never a 5xx, and none makes Baton write an error-level log line. Some are
 * signed with the real secrets, because a payload Slack, GitHub or Jira never sends is still a
 * payload a leaked secret, a buggy proxy or a future API version can send.
 */

const SLACK_SECRET = SLACK_DEFAULTS.signingSecret;
const GITHUB_SECRET = 'gh_wh_hostile_8d1f20';
const JIRA_SECRET = 'jira_wh_hostile_3b9e71';
const LINEAR_SECRET = 'lin_wh_hostile_61ac0d';

let db: TestDatabase;
let slack: FakeSlack;
let app: TestBaton;

before(async () => {
  db = await createTestDatabase();
  slack = new FakeSlack();
  await slack.start();
  app = await startTestBaton({
    db,
    slack,
    env: { GITHUB_WEBHOOK_SECRET: GITHUB_SECRET, JIRA_WEBHOOK_SECRET: JIRA_SECRET, LINEAR_WEBHOOK_SECRET: LINEAR_SECRET },
  });
});

after(async () => {
  await app?.stop();
  await slack?.stop();
  await db?.drop();
});

interface LogEntry {
  level: number;
  msg: string;
  [field: string]: unknown;
}

const logsSince = (mark: number): LogEntry[] => app.logs.slice(mark).map((line) => JSON.parse(line) as LogEntry);

function assertNoErrorLines(mark: number): void {
  assert.deepEqual(logsSince(mark).filter((e) => e.level >= 50).map((e) => e.msg), [], 'no error-level log line');
}

/** Bytes over a plain socket, for what fetch would refuse to send; resolves with the whole answer. */
function rawRequest(bytes: string): Promise<string> {
  const { hostname, port } = new URL(app.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

const statusOf = (answer: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);

// ---- 1. methods other than POST on /slack/events ---------------------------------------------

for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
  test(`${method} /slack/events answers 405 with Allow: POST, and logs no error`, async () => {
    const mark = app.logs.length;
    const response = await fetch(app.slackEventsUrl, { method, ...(method === 'GET' ? {} : { body: 'x=1' }) });
    await response.text();
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'POST');
    assertNoErrorLines(mark);
  });
}

// ---- 2. request targets Node parses but URL does not -----------------------------------------

for (const target of ['http://[', 'http://baton:99999/slack/events', 'http://baton:99999/healthz', 'http://a b/']) {
  test(`the request target ${target} answers 400`, async () => {
    const mark = app.logs.length;
    const answer = await rawRequest(`GET ${target} HTTP/1.1\r\nHost: baton\r\nConnection: close\r\n\r\n`);
    assert.equal(statusOf(answer), 400, answer.split('\r\n')[0]);
    assertNoErrorLines(mark);
  });
}

// ---- 3. event and kind names that every plain object inherits --------------------------------

const INHERITED = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];

for (const name of INHERITED) {
  test(`a signed GitHub delivery with X-GitHub-Event: ${name} is ignored with 200`, async () => {
    const mark = app.logs.length;
    const body = Buffer.from(JSON.stringify({ action: 'closed', repository: { full_name: 'acme/shop' } }));
    const response = await fetch(`${app.url}/webhooks/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': name,
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': `sha256=${hmacHex(GITHUB_SECRET, body)}`,
      },
      body,
    });
    const json = (await response.json()) as { status?: string };
    assert.equal(response.status, 200);
    assert.equal(json.status, 'ignored');
    assertNoErrorLines(mark);
  });

  test(`a signed Jira delivery with "webhookEvent": "${name}" is ignored with 200`, async () => {
    const mark = app.logs.length;
    const body = Buffer.from(
      JSON.stringify({
        timestamp: Date.now(),
        webhookEvent: name,
        issue: { key: 'OPS-1', fields: { status: { name: 'To Do' }, priority: { name } } },
      }),
    );
    const response = await fetch(`${app.url}/webhooks/jira`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-atlassian-webhook-identifier': randomUUID(), 'x-hub-signature': `sha256=${hmacHex(JIRA_SECRET, body)}` },
      body,
    });
    const json = (await response.json()) as { status?: string };
    assert.equal(response.status, 200);
    assert.equal(json.status, 'ignored');
    assertNoErrorLines(mark);
  });
}

// ---- 4. a client that drops the connection mid-body ------------------------------------------

for (const path of ['/webhooks/linear', '/slack/events']) {
  test(`a client that closes the connection halfway through its body to ${path} is logged below error level`, async () => {
    const mark = app.logs.length;
    const { hostname, port } = new URL(app.url);
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => {
        socket.write(`POST ${path} HTTP/1.1\r\nHost: baton\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"half":`, () => {
          socket.destroy();
          resolve();
        });
      });
      socket.on('error', reject);
    });
    // Waits for Baton's line about it (an event, not a duration: no answer comes to a closed socket).
    const line = await eventually(
      async () => logsSince(mark).find((e) => /closed the connection|handler failed|Failed to parse/i.test(e.msg)),
      10_000,
      'a log line about the dropped request',
    );
    assert.ok(line.level <= 30, `logged at ${line.level}: ${line.msg}`);
    assertNoErrorLines(mark);
  });
}

// ---- 5. signed interactivity payloads that lack what Slack always sends -----------------------

const costButton = { type: 'button', action_id: ACTIONS.costContinue, block_id: 'cost', value: 'not-a-run', action_ts: '1700000000.000100' };

const MALFORMED: Record<string, { kind: 'interaction' | 'event' | 'command'; body: string }> = {
  'block_actions with no team and no user': { kind: 'interaction', body: blockActionsBody({ team: undefined, user: undefined, actions: [costButton] }) },
  'block_actions with no user': { kind: 'interaction', body: blockActionsBody({ user: undefined, actions: [costButton] }) },
  'block_actions whose actions is not a list': { kind: 'interaction', body: blockActionsBody({ actions: { 0: costButton } }) },
  'block_actions whose action is null': { kind: 'interaction', body: blockActionsBody({ actions: [null] }) },
  'block_actions with channel: null': { kind: 'interaction', body: blockActionsBody({ channel: null, actions: [costButton] }) },
  'view_submission with no user': { kind: 'interaction', body: viewSubmissionBody({ user: undefined }) },
  'view_submission whose view is null': { kind: 'interaction', body: new URLSearchParams({ payload: JSON.stringify({ type: 'view_submission', view: null, user: { id: 'U1' } }) }).toString() },
  'an interaction payload of JSON null': { kind: 'interaction', body: new URLSearchParams({ payload: 'null' }).toString() },
  'an event body of JSON null': { kind: 'event', body: 'null' },
  'an event body that is a list': { kind: 'event', body: '[1,2]' },
  'an event whose event is a string': { kind: 'event', body: JSON.stringify({ type: 'event_callback', team_id: SLACK_DEFAULTS.teamId, event: 'message' }) },
  'a message event whose channel is null': { kind: 'event', body: eventBody({ type: 'message', channel: null, user: 'U1', text: 'hi', ts: '1.1' }) },
  'an event whose authorizations hold null': { kind: 'event', body: eventBody({ type: 'app_mention', channel: 'C1', user: 'U1', text: 'hi', ts: '1.1' }, { authorizations: [null] }) },
  'a slash command with no text': { kind: 'command', body: slashCommandBody({ text: undefined }) },
  'a slash command with the text twice': { kind: 'command', body: `${slashCommandBody({ text: 'help' })}&text=status` },
  'a slash command from team_id constructor': { kind: 'command', body: slashCommandBody({ text: 'help', team_id: 'constructor' }) },
  'a slash command from team_id __proto__': { kind: 'command', body: slashCommandBody({ text: 'help', team_id: '__proto__' }) },
  'block_actions from team.id toString': { kind: 'interaction', body: blockActionsBody({ team: { id: 'toString' }, actions: [costButton] }) },
};

for (const [what, { kind, body }] of Object.entries(MALFORMED)) {
  test(`a signed ${what} answers 400, and logs no error`, async () => {
    const mark = app.logs.length;
    const answer = await sendSignedSlack(app.slackEventsUrl, kind, body, { secret: SLACK_SECRET });
    assert.equal(answer.status, 400, answer.text);
    assertNoErrorLines(mark);
  });
}

// ---- 6. payloads nothing in Baton listens for ------------------------------------------------

const UNHANDLED: Record<string, { kind: 'interaction' | 'event' | 'command'; body: string }> = {
  'a button with an action_id Baton never sent': {
    kind: 'interaction',
    body: blockActionsBody({ actions: [{ ...costButton, action_id: 'someone.elses.button' }] }),
  },
  'another slash command': { kind: 'command', body: slashCommandBody({ command: '/deploy', text: 'prod' }) },
  'a view submission Baton never opened': { kind: 'interaction', body: viewSubmissionBody({ view: { callback_id: 'not_baton' } }) },
  'a payload type Bolt does not know': { kind: 'event', body: JSON.stringify({ type: 'something_new', team_id: SLACK_DEFAULTS.teamId }) },
};

for (const [what, { kind, body }] of Object.entries(UNHANDLED)) {
  test(`${what} is acknowledged with 200 and logged once at info`, async () => {
    const mark = app.logs.length;
    const answer = await sendSignedSlack(app.slackEventsUrl, kind, body, { secret: SLACK_SECRET });
    assert.equal(answer.status, 200, answer.text);
    const lines = logsSince(mark).filter((e) => e.msg === 'Slack request acknowledged: nothing in Baton handles it');
    assert.deepEqual(lines.map((e) => e.level), [30]);
    assertNoErrorLines(mark);
  });
}

test('an event type with no listener (app_mention) is acknowledged with 200', async () => {
  const mark = app.logs.length;
  const body = eventBody({ type: 'app_mention', channel: SLACK_DEFAULTS.channelId, user: SLACK_DEFAULTS.userId, text: 'hi', ts: '1700000000.000200' });
  const answer = await sendSignedSlack(app.slackEventsUrl, 'event', body, { secret: SLACK_SECRET });
  assert.equal(answer.status, 200, answer.text);
  assertNoErrorLines(mark);
});

// ---- 7. the reply to an invalid /agent command ------------------------------------------------

interface Reply {
  text: string;
  blocks: { type: string; text?: { text: string }; elements?: { text: string }[] }[];
}

async function agent(text: string): Promise<Reply> {
  const answer = await sendSignedSlack(app.slackEventsUrl, 'command', slashCommandBody({ text }), { secret: SLACK_SECRET });
  assert.equal(answer.status, 200, answer.text);
  return answer.json as Reply;
}

const textsOf = (reply: Reply): string[] => [
  reply.text,
  ...reply.blocks.flatMap((b) => [b.text?.text ?? '', ...(b.elements ?? []).map((e) => e.text)]),
];

test('/agent fix with a 10,000-character key answers with sections inside Slack’s 3,000-character limit', async () => {
  const reply = await agent(`fix ${'A'.repeat(10_000)}`);
  for (const block of reply.blocks) {
    if (block.text) assert.ok(block.text.text.length <= 3000, `a ${block.type} of ${block.text.text.length} characters`);
  }
  assert.ok(reply.text.length <= 3000, `text of ${reply.text.length} characters`);
  assert.match(textsOf(reply).join('\n'), /is not a ticket key/);
});

for (const text of ['fix <!channel>', '<!here>', 'status <!everyone>', 'fix <https://evil.example|ENG-1>x', 'fix @channel']) {
  test(`/agent ${text} echoes the text inert`, async () => {
    const reply = await agent(text);
    for (const shown of textsOf(reply)) {
      assert.doesNotMatch(shown, /<!(channel|here|everyone)>|<https?:|@(channel|here|everyone)\b/, shown);
    }
    assert.match(textsOf(reply).join('\n'), /&lt;|@\u200B/);
  });
}

// ---- 8. Slack requests dated in the future ---------------------------------------------------

test('a Slack request signed with a timestamp 6 minutes ahead is refused with 401, before Bolt sees it', async () => {
  const mark = app.logs.length;
  const before = slack.calls.length;
  const answer = await sendSignedSlack(app.slackEventsUrl, 'command', slashCommandBody({ text: 'help' }), {
    secret: SLACK_SECRET,
    timestamp: Math.floor(Date.now() / 1000) + 6 * 60,
  });
  assert.equal(answer.status, 401);
  assert.equal(answer.text, '', 'no help reply');
  assert.equal(slack.calls.length, before, 'nothing sent to Slack');
  assert.ok(logsSince(mark).some((e) => e.level === 40 && /timestamp/.test(e.msg + String(e.reason))), 'one warning says why');
  assertNoErrorLines(mark);
});

test('a Slack request dated 4 minutes ahead (a clock a little fast) is still accepted', async () => {
  const reply = await sendSignedSlack(app.slackEventsUrl, 'command', slashCommandBody({ text: 'help' }), {
    secret: SLACK_SECRET,
    timestamp: Math.floor(Date.now() / 1000) + 4 * 60,
  });
  assert.equal(reply.status, 200);
  assert.match(reply.text, /Baton commands/);
});

test('a Slack request with a timestamp header that is not a number of seconds is refused with 401', async () => {
  const body = slashCommandBody({ text: 'help' });
  const signed = signSlackBody(SLACK_SECRET, body);
  const response = await fetch(app.slackEventsUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-signature': signed['x-slack-signature'], 'x-slack-request-timestamp': `${signed['x-slack-request-timestamp']}.0` },
    body,
  });
  assert.equal(response.status, 401);
});

test('no request in this file made Baton log an error', () => {
  assert.deepEqual(logsSince(0).filter((e) => e.level >= 50).map((e) => e.msg), []);
});
