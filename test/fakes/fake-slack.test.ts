import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebClient, ErrorCode, LogLevel, type WebClientOptions } from '@slack/web-api';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel as BoltLogLevel, isValidSlackRequest } from '@slack/bolt';
import { FakeServer } from './fake-server.ts';
import { FakeSlack } from './fake-slack.ts';
import { sendSignedSlack, signSlackBody, slashCommandBody } from './sign-slack-request.ts';

const fake = new FakeSlack({
  users: [{ id: 'U0ADA', real_name: 'Ada Admin', display_name: 'ada', tz: 'Europe/Berlin', is_admin: true }],
});

before(async () => {
  await fake.start();
});
after(async () => {
  await fake.stop();
});
beforeEach(() => fake.reset());

function client(token: string = fake.botToken, options: WebClientOptions = {}): WebClient {
  const quiet = { retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR };
  return new WebClient(token, { slackApiUrl: fake.apiUrl, ...quiet, ...options });
}

/** The WebClient surfaces Slack's `ok:false` as a platform error carrying the error code. */
async function rejectsWithSlackError(call: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(call, (e: { code?: string; data?: { error?: string } }) => {
    assert.equal(e.code, ErrorCode.PlatformError);
    assert.equal(e.data?.error, code);
    return true;
  });
}

const section = { type: 'section', text: { type: 'mrkdwn', text: '*hello*' } };

test('apiUrl ends with /api/ and auth.test answers as the bot', async () => {
  assert.match(fake.apiUrl, /^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
  const auth = await client().auth.test();
  assert.equal(auth.user_id, fake.botUserId);
  assert.equal(auth.bot_id, fake.botId);
  assert.equal(auth.team_id, fake.teamId);
});

test('postMessage, update, delete, replies, history and permalink round-trip', async () => {
  const slack = client();
  const root = await slack.chat.postMessage({ channel: 'C1', text: 'root', blocks: [section] });
  assert.match(root.ts ?? '', /^\d{10}\.\d{6}$/);
  assert.equal(root.channel, 'C1');
  assert.deepEqual(root.message?.blocks, [section]);
  const r1 = await slack.chat.postMessage({ channel: 'C1', thread_ts: root.ts!, text: 'one' });
  const r2 = await slack.chat.postMessage({ channel: 'C1', thread_ts: root.ts!, text: 'two' });
  assert.ok(r1.ts! > root.ts! && r2.ts! > r1.ts!, 'ts increases');

  const updated = await slack.chat.update({ channel: 'C1', ts: root.ts!, text: 'root v2' });
  assert.equal(updated.text, 'root v2');
  assert.equal(fake.threadRoots('C1')[0]?.text, 'root v2');
  assert.deepEqual(fake.threadRoots('C1')[0]?.blocks, [section], 'blocks kept when only text changes');

  const thread = await slack.conversations.replies({ channel: 'C1', ts: r1.ts! });
  assert.deepEqual(thread.messages?.map((m) => m.text), ['root v2', 'one', 'two']);
  assert.equal(thread.messages?.[0]?.reply_count, 2);

  await slack.chat.delete({ channel: 'C1', ts: r2.ts! });
  assert.deepEqual(fake.repliesTo(root.ts!).map((m) => m.text), ['one']);
  await rejectsWithSlackError(slack.chat.update({ channel: 'C1', ts: r2.ts!, text: 'x' }), 'message_not_found');

  const history = await slack.conversations.history({ channel: 'C1' });
  assert.deepEqual(history.messages?.map((m) => m.ts), [root.ts]);

  const link = await slack.chat.getPermalink({ channel: 'C1', message_ts: root.ts! });
  assert.equal(link.permalink, `https://fake.slack.com/archives/C1/p${root.ts!.replace('.', '')}`);
  const replyLink = await slack.chat.getPermalink({ channel: 'C1', message_ts: r1.ts! });
  assert.ok(replyLink.permalink?.endsWith(`?thread_ts=${root.ts}&cid=C1`));

  assert.deepEqual(new Set(fake.apiCalls('chat.postMessage').map((c) => c.token)), new Set([fake.botToken]));
});

test('ephemerals, modals and response_url posts are recorded', async () => {
  const slack = client();
  const eph = await slack.chat.postEphemeral({ channel: 'C1', user: 'U0ADA', text: 'only you' });
  assert.deepEqual(fake.ephemerals(), [{ channel: 'C1', user: 'U0ADA', text: 'only you', message_ts: eph.message_ts }]);

  const view = { type: 'modal' as const, title: { type: 'plain_text' as const, text: 'Edit' }, blocks: [] };
  const opened = await slack.views.open({ trigger_id: '1.2.abc', view });
  const viewId = opened.view!.id!;
  const hash = opened.view!.hash!;
  const updated = await slack.views.update({ view_id: viewId, hash, view: { ...view, callback_id: 'edit' } });
  assert.equal(updated.view?.callback_id, 'edit');
  const stale = slack.views.update({ view_id: viewId, hash, view });
  await rejectsWithSlackError(stale, 'hash_conflict');

  const answer = await fetch(fake.responseUrl('cmd-1'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text: 'done' }),
  });
  assert.equal(answer.status, 200);
  assert.deepEqual(fake.responses('cmd-1').map((r) => r.body), [{ text: 'done' }]);
  assert.deepEqual(fake.responses('other'), []);
});

test('users.info answers seeded users in Slack shape', async () => {
  const { user } = await client().users.info({ user: 'U0ADA' });
  assert.equal(user?.is_admin, true);
  assert.equal(user?.real_name, 'Ada Admin');
  assert.equal(user?.profile?.display_name, 'ada');
  assert.equal(user?.tz, 'Europe/Berlin');
  assert.ok(user?.tz_offset === 3600 || user?.tz_offset === 7200, 'offset derived from the zone');
  await rejectsWithSlackError(client().users.info({ user: 'U0NOBODY' }), 'user_not_found');
});

test('usergroups.users.list answers a defined group\'s members, no_such_subteam for others', async () => {
  const seeded = new FakeSlack({ usergroups: { S0SEEDED: ['U1'] } });
  await seeded.start();
  try {
    const web = new WebClient(seeded.botToken, { slackApiUrl: seeded.apiUrl, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR });
    assert.deepEqual((await web.usergroups.users.list({ usergroup: 'S0SEEDED' })).users, ['U1']);
  } finally {
    await seeded.stop();
  }
  fake.setUsergroup('S0APPROVERS', ['U0ADA', 'U0BOB']);
  const answer = await client().usergroups.users.list({ usergroup: 'S0APPROVERS' });
  assert.deepEqual([answer.ok, answer.users], [true, ['U0ADA', 'U0BOB']]);
  fake.setUsergroup('S0APPROVERS', ['U0BOB']);
  fake.reset();
  assert.deepEqual((await client().usergroups.users.list({ usergroup: 'S0APPROVERS' })).users, ['U0BOB'], 'replaced, and kept across reset');
  await rejectsWithSlackError(client().usergroups.users.list({ usergroup: 'S0NOPE' }), 'no_such_subteam');
  await rejectsWithSlackError(client().apiCall('usergroups.users.list', {}), 'invalid_arguments');
});

test('ephemerals can be read per user', async () => {
  await client().chat.postEphemeral({ channel: 'C1', user: 'U0ADA', text: 'for ada' });
  await client().chat.postEphemeral({ channel: 'C1', user: 'U0BOB', text: 'for bob', thread_ts: '1732170000.000100' });
  assert.deepEqual(fake.ephemerals('U0BOB').map((e) => [e.text, e.thread_ts]), [['for bob', '1732170000.000100']]);
  assert.equal(fake.ephemerals().length, 2);
  assert.deepEqual(fake.ephemerals('U0NOBODY'), []);
});

test('filesUploadV2 runs the three-step upload into a thread', async () => {
  const slack = client();
  const root = await slack.chat.postMessage({ channel: 'C1', text: 'PR ready' });
  const bytes = Buffer.from([0x64, 0x69, 0x66, 0x66, 0x00, 0xff, 0x0a]);
  const result = await slack.filesUploadV2({
    channel_id: 'C1',
    thread_ts: root.ts!,
    file: bytes,
    filename: 'change.diff',
    initial_comment: 'the diff',
  });
  assert.equal(result.ok, true);
  const completion = result.files[0] as { files?: { id?: string; name?: string; size?: number }[] };
  const file = completion.files?.[0];
  assert.equal(file?.name, 'change.diff');
  assert.equal(file?.size, bytes.length);

  const [upload] = fake.uploads();
  assert.equal(upload?.file_id, file?.id);
  assert.ok(upload?.data?.equals(bytes), 'binary bytes survive the multipart upload');
  assert.equal(upload?.completed, true);
  assert.equal(upload?.thread_ts, root.ts);
  const [share] = fake.repliesTo(root.ts!);
  assert.equal(share?.text, 'the diff');
  assert.equal(share?.files?.[0]?.id, file?.id);
});

test('an injected 429 with Retry-After surfaces as the rate-limited error', async () => {
  fake.fail({ status: 429, retryAfterSeconds: 7, match: (req) => req.path === '/api/chat.postMessage' });
  const call = client(fake.botToken, { rejectRateLimitedCalls: true }).chat.postMessage({ channel: 'C1', text: 'hi' });
  await assert.rejects(call, (e: { code?: string; retryAfter?: number }) => {
    assert.equal(e.code, ErrorCode.RateLimitedError);
    assert.equal(e.retryAfter, 7);
    return true;
  });
  assert.equal(fake.messages().length, 0);
});

test('an injected 500 surfaces as an HTTP error', async () => {
  fake.fail({ status: 500 });
  await assert.rejects(client().auth.test(), (e: { code?: string; statusCode?: number }) => {
    assert.equal(e.code, ErrorCode.HTTPError);
    assert.equal(e.statusCode, 500);
    return true;
  });
});

test('injected latency delays the answer', async () => {
  fake.latency(150);
  const started = performance.now();
  await client().auth.test();
  assert.ok(performance.now() - started >= 140, 'answer waited for the injected latency');
});

test('tokens: wrong is invalid_auth, missing is not_authed, a form token is accepted', async () => {
  await rejectsWithSlackError(client('xoxb-wrong').auth.test(), 'invalid_auth');
  const bare = await fetch(`${fake.apiUrl}auth.test`, { method: 'POST' });
  assert.deepEqual(await bare.json(), { ok: false, error: 'not_authed' });
  const form = await fetch(`${fake.apiUrl}auth.test`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `token=${fake.botToken}`,
  });
  assert.equal(((await form.json()) as { ok: boolean }).ok, true);
  assert.deepEqual(fake.apiCalls('auth.test').map((c) => c.token), ['xoxb-wrong', undefined, fake.botToken]);
});

test('failMethod answers the next call with a Slack error, then recovers', async () => {
  fake.failMethod('chat.postMessage', 'channel_not_found');
  await rejectsWithSlackError(client().chat.postMessage({ channel: 'C9', text: 'x' }), 'channel_not_found');
  const retried = await client().chat.postMessage({ channel: 'C9', text: 'x' });
  assert.equal(retried.ok, true);
});

test('signed Slack requests verify with an independent HMAC, and not with a wrong secret', () => {
  const secret = 'shh-signing-secret';
  const timestamp = Math.floor(Date.now() / 1000);
  const body = slashCommandBody({ text: 'fix the login bug', response_url: fake.responseUrl('cmd-1') });
  const fields = new URLSearchParams(body);
  const expectedFields = ['token', 'team_id', 'team_domain', 'channel_id', 'channel_name', 'user_id', 'user_name'];
  expectedFields.push('command', 'text', 'api_app_id', 'is_enterprise_install', 'response_url', 'trigger_id');
  for (const key of expectedFields) assert.ok(fields.has(key), `slash command carries ${key}`);
  assert.equal(fields.get('command'), '/agent');

  const headers = signSlackBody(secret, body, timestamp);
  assert.equal(headers['x-slack-request-timestamp'], String(timestamp));
  const expected = 'v0=' + createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex');
  assert.ok(timingSafeEqual(Buffer.from(headers['x-slack-signature']), Buffer.from(expected)));
  const wrong = 'v0=' + createHmac('sha256', 'not-the-secret').update(`v0:${timestamp}:${body}`).digest('hex');
  assert.notEqual(headers['x-slack-signature'], wrong);

  const boltHeaders = { 'x-slack-signature': headers['x-slack-signature'], 'x-slack-request-timestamp': timestamp };
  assert.equal(isValidSlackRequest({ signingSecret: secret, body, headers: boltHeaders }), true);
  assert.equal(isValidSlackRequest({ signingSecret: 'not-the-secret', body, headers: boltHeaders }), false);
});

test('sendSignedSlack posts the exact signed bytes, and can tamper or go stale', async () => {
  const app = new FakeServer('app').route('POST', '/slack/events', () => ({ raw: '' }));
  await app.start();
  try {
    const body = slashCommandBody({ text: 'hello & goodbye' });
    const sent = await sendSignedSlack(`${app.url}/slack/events`, 'command', body, { secret: 's3cret' });
    assert.equal(sent.status, 200);
    const [call] = app.calls;
    assert.equal(call?.rawBody.toString(), body);
    assert.equal(call?.headers['content-type'], 'application/x-www-form-urlencoded');
    const signature = String(call?.headers['x-slack-signature']);
    const ts = String(call?.headers['x-slack-request-timestamp']);
    assert.equal(signature, 'v0=' + createHmac('sha256', 's3cret').update(`v0:${ts}:${body}`).digest('hex'));

    const tamper = { secret: 's3cret', signature: 'v0=bad', timestamp: 1 };
    await sendSignedSlack(`${app.url}/slack/events`, 'event', '{}', tamper);
    assert.equal(app.calls[1]?.headers['x-slack-signature'], 'v0=bad');
    assert.equal(app.calls[1]?.headers['x-slack-request-timestamp'], '1');
    assert.equal(app.calls[1]?.headers['content-type'], 'application/json');
  } finally {
    await app.stop();
  }
});

test('a Bolt app verifies a signed slash command and talks to the fake', async () => {
  const secret = 'bolt-secret';
  const receiver = new HTTPReceiver({ signingSecret: secret, logLevel: BoltLogLevel.ERROR });
  const clientOptions = { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } };
  const app = new App({ token: fake.botToken, receiver, clientOptions });
  app.command('/agent', async ({ command, ack, client: boltClient, respond }) => {
    await ack();
    await boltClient.chat.postMessage({ channel: command.channel_id, text: `on it: ${command.text}` });
    await respond({ text: 'queued' });
  });
  const server = (await app.start(0)) as Server;
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  try {
    const body = slashCommandBody({ text: 'fix it', channel_id: 'C7', response_url: fake.responseUrl('cmd-7') });
    assert.equal((await sendSignedSlack(url, 'command', body, { secret })).status, 200);
    assert.equal((await fake.waitForMethod('chat.postMessage')).args.channel, 'C7');
    await fake.waitForCall((c) => c.path === '/response/cmd-7');
    assert.deepEqual(fake.messages('C7').map((m) => m.text), ['on it: fix it']);
    assert.deepEqual(fake.responses('cmd-7').map((r) => (r.body as { text?: string }).text), ['queued']);

    const tampered = await sendSignedSlack(url, 'command', body, { secret, signature: 'v0=deadbeef' });
    const tenMinutesAgo = Math.floor(Date.now() / 1000) - 600;
    const stale = await sendSignedSlack(url, 'command', body, { secret, timestamp: tenMinutesAgo });
    assert.deepEqual([tampered.status, stale.status], [401, 401]);
  } finally {
    server.closeAllConnections();
    await app.stop();
  }
});

test('message metadata is kept and listed by history and replies only with include_all_metadata', async () => {
  const slack = client();
  const metadata = { event_type: 'baton_run', event_payload: { run_id: 'r-1' } };
  const root = await slack.chat.postMessage({ channel: 'C9', text: 'root', metadata });
  await slack.chat.postMessage({ channel: 'C9', text: 'reply', thread_ts: root.ts!, metadata: { event_type: 'baton_run_status', event_payload: { run_id: 'r-1' } } });

  const plain = await slack.conversations.history({ channel: 'C9' });
  assert.equal(plain.messages?.[0]?.metadata, undefined);
  const tagged = await slack.conversations.history({ channel: 'C9', include_all_metadata: true });
  assert.deepEqual(tagged.messages?.[0]?.metadata, metadata);
  const thread = await slack.conversations.replies({ channel: 'C9', ts: root.ts!, include_all_metadata: true });
  assert.deepEqual(thread.messages?.map((m) => m.metadata?.event_type), ['baton_run', 'baton_run_status']);

  await rejectsWithSlackError(
    slack.chat.postMessage({ channel: 'C9', text: 'x', metadata: { event_payload: {} } as never }),
    'invalid_metadata_format',
  );
});
