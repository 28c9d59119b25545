import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '@slack/web-api';
import { createSlackClient, createWebClient } from '../../../src/integrations/slack.ts';
import { createSlackUploader } from '../../../src/integrations/slack-upload.ts';
import { FakeServer } from '../../fakes/fake-server.ts';
import { LOCAL, startEmulator, type RunningEmulator } from './start-emulator.ts';

/*
 * Baton's own Slack clients (src/integrations) against the emulator over real HTTP, one Web API
 * method after another, and what each call leaves in the page's state. A stand-in for Baton's
 * /slack/events receives the slash commands that hand out triggers and response URLs.
 */

const baton = new FakeServer('baton');
let ack: unknown = '';
baton.route('POST', '/slack/events', () => (typeof ack === 'string' ? { raw: ack } : { body: ack }));
let local: RunningEmulator;
const options = () => ({ apiUrl: local.apiUrl, token: LOCAL.botToken, retries: 0 });

before(async () => {
  await baton.start();
  local = await startEmulator({ batonEventsUrl: `${baton.url}/slack/events` });
});
after(async () => {
  await local?.stop();
  await baton.stop();
});

async function rejectsWith(call: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(call, (e: { code?: string; data?: { error?: string } }) => {
    assert.equal(e.code, ErrorCode.PlatformError);
    assert.equal(e.data?.error, code);
    return true;
  });
}

/** A slash command typed by `user`, as Baton's stand-in received it (its form fields). */
async function command(text: string, user: string = LOCAL.requester): Promise<URLSearchParams> {
  const before = baton.calls.length;
  const sent = await local.page('/_/slack/command', { user, channel: LOCAL.channel, text });
  assert.deepEqual(sent, { status: 200, json: { ok: true } });
  return new URLSearchParams(baton.calls[before]!.rawBody.toString());
}

test('auth.test answers as the bot; a wrong token is invalid_auth, none is not_authed', async () => {
  const auth = await createWebClient(options()).auth.test();
  assert.deepEqual([auth.user_id, auth.bot_id, auth.team_id, auth.team, auth.url], [LOCAL.bot.userId, LOCAL.bot.botId, LOCAL.team.id, 'Local', `${local.url}/`]);
  await rejectsWith(createWebClient({ ...options(), token: 'xoxb-not-the-token' }).auth.test(), 'invalid_auth');
  const bare = await fetch(`${local.apiUrl}auth.test`, { method: 'POST' });
  assert.deepEqual(await bare.json(), { ok: false, error: 'not_authed' });
  const unknown = await fetch(`${local.apiUrl}chat.meMessage`, { method: 'POST', headers: { authorization: `Bearer ${LOCAL.botToken}` } });
  assert.equal(((await unknown.json()) as { error: string }).error, 'unknown_method');
});

test('createSlackClient: post, reply, update, permalink, delete, ephemeral, user names and groups', async () => {
  const slack = createSlackClient(options());
  const root = await slack.postMessage(LOCAL.channel, { text: 'DEMO-1 · queued', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*DEMO-1*' } }] });
  const reply = await slack.postMessage(LOCAL.channel, { text: 'status' }, root.ts);
  await slack.updateMessage(LOCAL.channel, root.ts, { text: 'DEMO-1 · fixing' });
  assert.equal(await slack.permalink(LOCAL.channel, root.ts), `${local.url}/?channel=${LOCAL.channel}&ts=${root.ts}`);
  assert.equal(await slack.permalink(LOCAL.channel, reply.ts), `${local.url}/?channel=${LOCAL.channel}&ts=${reply.ts}&thread_ts=${root.ts}`);
  const gone = await slack.postMessage(LOCAL.channel, { text: 'to delete' });
  await slack.deleteMessage(LOCAL.channel, gone.ts);
  await slack.postEphemeral(LOCAL.channel, LOCAL.approver, { text: 'only Avery' }, root.ts);
  await rejectsWith(slack.postMessage('C0NOWHERE', { text: 'x' }), 'channel_not_found');
  assert.ok((await slack.postMessage('#baton-demo', { text: 'by name' })).ts, 'a channel may be named, as on Slack');

  assert.equal(await slack.userName(LOCAL.approver), 'Avery (approver)');
  await rejectsWith(slack.userName('U0NOBODY'), 'user_not_found');
  assert.deepEqual(await slack.usergroupMembers('S0APPROVERS'), [LOCAL.approver]);
  await rejectsWith(slack.usergroupMembers('S0NOPE'), 'no_such_subteam');

  const web = createWebClient(options());
  const thread = await web.conversations.replies({ channel: LOCAL.channel, ts: reply.ts });
  assert.deepEqual(thread.messages?.map((m) => m.text), ['DEMO-1 · fixing', 'status']);
  assert.equal(thread.messages?.[0]?.reply_count, 1);
  const history = await web.conversations.history({ channel: LOCAL.channel });
  assert.ok(history.messages?.some((m) => m.ts === root.ts) && !history.messages.some((m) => m.ts === reply.ts), 'history lists the root, not the reply');

  const state = await local.state(LOCAL.approver);
  const shown = state.messages.filter((m) => m.ts === root.ts || m.ts === reply.ts || m.ts === gone.ts);
  assert.deepEqual(shown.map((m) => [m.channel, m.text, m.thread_ts]), [[LOCAL.channel, 'DEMO-1 · fixing', root.ts], [LOCAL.channel, 'status', root.ts]]);
  assert.ok(shown[0]!.edited, 'an update shows as edited');
  assert.deepEqual(state.ephemerals.map((e) => [e.channel, e.user, e.text, e.thread_ts]), [[LOCAL.channel, LOCAL.approver, 'only Avery', root.ts]]);
  assert.match(String(state.ephemerals[0]!.ts), /^\d{10}\.\d{6}$/);
  assert.deepEqual((await local.state(LOCAL.requester)).ephemerals, [], "another person's ephemeral is not shown");
});

test('a slash command hands out a trigger (one use, for views.open) and a response_url (ephemeral, replace, in_channel, delete, five uses)', async () => {
  ack = { response_type: 'ephemeral', text: 'Queued DEMO-1' };
  const form = await command('/agent fix DEMO-1');
  ack = '';
  assert.deepEqual([form.get('command'), form.get('text'), form.get('user_id'), form.get('user_name'), form.get('channel_name')], ['/agent', 'fix DEMO-1', LOCAL.requester, 'riley', 'baton-demo']);
  const responseUrl = form.get('response_url')!;
  assert.ok(responseUrl.startsWith(`${local.url}/_/slack/response/`));
  const mine = async () => (await local.state(LOCAL.requester)).ephemerals.map((e) => e.text);
  assert.deepEqual(await mine(), ['Queued DEMO-1'], 'the ack is shown to the person who typed the command');

  const slack = createSlackClient(options());
  await slack.respond(responseUrl, { text: 'DEMO-1 finished' });
  assert.deepEqual(await mine(), ['Queued DEMO-1', 'DEMO-1 finished']);
  await slack.respond(responseUrl, { text: 'Queued DEMO-1 (replaced)', replaceOriginal: true });
  assert.deepEqual(await mine(), ['Queued DEMO-1 (replaced)', 'DEMO-1 finished']);
  const post = (body: unknown) => fetch(responseUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal((await post({ response_type: 'in_channel', text: 'for everyone' })).status, 200);
  assert.ok((await local.state(LOCAL.approver)).messages.some((m) => m.text === 'for everyone' && m.bot_id === LOCAL.bot.botId));
  assert.equal((await post({ delete_original: true })).status, 200);
  assert.deepEqual(await mine(), ['DEMO-1 finished']);
  assert.equal((await post({ text: 'fifth' })).status, 200);
  const sixth = await post({ text: 'sixth' });
  assert.deepEqual([sixth.status, await sixth.json()], [404, { ok: false, error: 'used_url' }]);
  const unknown = await fetch(`${local.url}/_/slack/response/nope`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"x"}' });
  assert.equal(unknown.status, 404);
  await assert.rejects(slack.respond(`${local.url}/_/slack/response/nope`, { text: 'x' }), /404/);

  const web = createWebClient(options());
  const trigger = form.get('trigger_id')!;
  const modal = { type: 'modal' as const, callback_id: 'demo', title: { type: 'plain_text' as const, text: 'Why?' }, blocks: [] };
  const opened = await web.views.open({ trigger_id: trigger, view: modal });
  await rejectsWith(web.views.open({ trigger_id: trigger, view: modal }), 'exchanged_trigger_id');
  await rejectsWith(web.views.open({ trigger_id: '1.2.made-up', view: modal }), 'expired_trigger_id');
  const updated = await web.views.update({ view_id: opened.view!.id!, hash: opened.view!.hash!, view: { ...modal, private_metadata: 'v2' } });
  await rejectsWith(web.views.update({ view_id: opened.view!.id!, hash: opened.view!.hash!, view: modal }), 'hash_conflict');
  const views = (await local.state(LOCAL.requester)).views;
  assert.deepEqual(views.map((v) => [v.id, v.view.callback_id, v.view.private_metadata, v.view.hash]), [[opened.view!.id, 'demo', 'v2', updated.view!.hash]]);
  assert.deepEqual((await local.state(LOCAL.approver)).views, [], "the modal is the requester's alone");
});

test('views.publish sets a person\'s App Home', async () => {
  const web = createWebClient(options());
  const home = { type: 'home' as const, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Your runs' } }] };
  const published = await web.views.publish({ user_id: LOCAL.approver, view: home });
  assert.equal(published.view?.type, 'home');
  const state = await local.state(LOCAL.approver);
  assert.deepEqual((state.home as { view: { id: string; blocks: unknown } }).view.blocks, home.blocks);
  assert.equal((await local.state(LOCAL.requester)).home, null);
  await rejectsWith(web.views.publish({ user_id: 'U0NOBODY', view: home }), 'user_not_found');
});

test('files.uploadV2 through createSlackUploader: the file is shared into the thread and served at /files/<id>', async () => {
  const slack = createSlackClient(options());
  const root = await slack.postMessage(LOCAL.channel, { text: 'PR ready' });
  const diff = '--- a/calc.js\n+++ b/calc.js\n-<script>alert(1)</script>\n+ok\n';
  const upload = createSlackUploader(options());
  const { fileId } = await upload(LOCAL.channel, root.ts, { filename: 'change.diff', title: 'The change', content: diff, initialComment: 'the diff', snippetType: 'diff' });
  const state = await local.state();
  assert.deepEqual(state.files, [{ id: fileId, name: 'change.diff', title: 'The change', filetype: 'diff', channel: LOCAL.channel, thread_ts: root.ts, url: `/files/${fileId}` }]);
  const share = state.messages.find((m) => m.thread_ts === root.ts && m.ts !== root.ts)!;
  assert.equal(share.text, 'the diff');
  assert.equal((share.files as { id: string; url_private: string }[])[0]?.url_private, `${local.url}/files/${fileId}`);
  const served = await fetch(`${local.url}/files/${fileId}`);
  assert.equal(await served.text(), diff);
  assert.equal(served.headers.get('content-type'), 'text/plain; charset=utf-8', 'a diff is shown as text, never as HTML');
  assert.equal(served.headers.get('x-content-type-options'), 'nosniff');
  assert.equal((await fetch(`${local.url}/files/F0NOPE`)).status, 404);
});

test('assistant.threads.setStatus shows the status under the thread until cleared', async () => {
  const web = createWebClient(options());
  const root = await createSlackClient(options()).postMessage(LOCAL.channel, { text: 'question' });
  await web.assistant.threads.setStatus({ channel_id: LOCAL.channel, thread_ts: root.ts, status: 'is thinking…' });
  const statuses = async () => (await local.state()).thread_statuses as { thread_ts: string; status: string }[];
  assert.deepEqual((await statuses()).filter((s) => s.thread_ts === root.ts).map((s) => s.status), ['is thinking…']);
  await web.assistant.threads.setStatus({ channel_id: LOCAL.channel, thread_ts: root.ts, status: '' });
  assert.deepEqual((await statuses()).filter((s) => s.thread_ts === root.ts), []);
});

test('form-encoded calls with the token in the body work too, as Slack takes them', async () => {
  const body = new URLSearchParams({ token: LOCAL.botToken, channel: LOCAL.channel, text: 'by form', blocks: JSON.stringify([{ type: 'divider' }]) });
  const response = await fetch(`${local.apiUrl}chat.postMessage`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  const json = (await response.json()) as { ok: boolean; message: { blocks: unknown } };
  assert.deepEqual([json.ok, json.message.blocks], [true, [{ type: 'divider' }]]);
});
