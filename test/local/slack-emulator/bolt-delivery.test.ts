import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BlockAction, ButtonAction, SlackViewAction } from '@slack/bolt';
import pino from 'pino';
import { registerAgentCommand } from '../../../src/bot/commands/agent-command.ts';
import { createHttpServer } from '../../../src/bot/create-http-server.ts';
import { helpMessage } from '../../../src/bot/views/help-message.ts';
import { createSlackApp, type SlackApp } from '../../../src/bot/create-slack-app.ts';
import { eventually } from '../../support/eventually.ts';
import { LOCAL, startEmulator, type RunningEmulator } from './start-emulator.ts';

/*
 * The page's side of the emulator against a real Bolt app built the way Baton builds it
 * (createSlackApp: its guard and Bolt's HTTP receiver both check the signature), served by Baton's
 * own HTTP server: a slash command, a button click, a modal submitted, closed, a message with a
 * mention, the Home tab opened. A wrong signing secret is refused before any listener runs.
 */

type Json = Record<string, unknown>;
const seen = { commands: [] as Json[], clicks: [] as BlockAction<ButtonAction>[], submissions: [] as SlackViewAction[], closed: [] as SlackViewAction[], events: [] as Json[] };
let slack: SlackApp;
let server: Server;
let eventsUrl: string;
let local: RunningEmulator;

const card = (text: string) => [
  { type: 'section', text: { type: 'mrkdwn', text } },
  {
    type: 'actions',
    block_id: 'gate',
    elements: [
      { type: 'button', action_id: 'demo.approve', text: { type: 'plain_text', text: 'Approve' }, style: 'primary', value: 'run-1', confirm: { title: { type: 'plain_text', text: 'Sure?' }, text: { type: 'plain_text', text: 'Merge it' }, confirm: { type: 'plain_text', text: 'Yes' }, deny: { type: 'plain_text', text: 'No' } } },
      { type: 'button', action_id: 'demo.reject', text: { type: 'plain_text', text: 'Reject' }, style: 'danger', value: 'run-1' },
      { type: 'button', action_id: 'demo.steps', text: { type: 'plain_text', text: 'Steps' }, value: 'run-1' },
    ],
  },
];

function stepView(title: string) {
  return {
    type: 'modal' as const, callback_id: 'demo.steps', title: { type: 'plain_text' as const, text: title }, submit: { type: 'plain_text' as const, text: 'Next' },
    blocks: [{ type: 'input', block_id: 'next', label: { type: 'plain_text', text: 'Then?' }, element: { type: 'plain_text_input', action_id: 'text' } }],
  };
}

function registerListeners(app: SlackApp['app']): void {
  app.command('/demo', async ({ command, ack, client }) => {
    seen.commands.push(command as unknown as Json);
    if (command.text === 'menu') {
      const button = { type: 'button', action_id: 'demo.more', text: { type: 'plain_text', text: 'More' }, value: 'more' };
      return void (await ack({ response_type: 'ephemeral', text: 'Menu', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Menu' }, accessory: button }] as never }));
    }
    await ack({ response_type: 'ephemeral', text: `Queued ${command.text}` });
    await client.chat.postMessage({ channel: command.channel_id, text: 'DEMO-1 ready for review', blocks: card('*DEMO-1* ready for review') as never });
  });
  app.action<BlockAction<ButtonAction>>('demo.approve', async ({ ack, body, client }) => {
    // Recorded before the ack: the page's request returns once Baton has acked.
    seen.clicks.push(body);
    await ack();
    await client.chat.update({ channel: body.channel!.id, ts: body.message!.ts, text: `Approved by <@${body.user.id}>`, blocks: [] });
  });
  app.action<BlockAction<ButtonAction>>('demo.reject', async ({ ack, body, client }) => {
    seen.clicks.push(body);
    await ack();
    await client.views.open({
      trigger_id: body.trigger_id,
      view: {
        type: 'modal', callback_id: 'demo.reason', private_metadata: body.actions[0]!.value ?? '', notify_on_close: true,
        title: { type: 'plain_text', text: 'Reject' }, submit: { type: 'plain_text', text: 'Reject' },
        blocks: [{ type: 'input', block_id: 'reason', label: { type: 'plain_text', text: 'Why?' }, element: { type: 'plain_text_input', action_id: 'text' } }],
      },
    });
  });
  app.action<BlockAction<ButtonAction>>('demo.steps', async ({ ack, body, client }) => {
    await ack();
    await client.views.open({ trigger_id: body.trigger_id, view: stepView('Step 1') });
  });
  // What to answer is what the person typed: `push`, `update` or `clear`.
  app.view('demo.steps', async ({ ack, view }) => {
    const next = view.state.values.next?.text?.value ?? '';
    if (next === 'push') return void (await ack({ response_action: 'push', view: stepView('Step 2') }));
    if (next === 'update') return void (await ack({ response_action: 'update', view: stepView('Step 2, updated') }));
    if (next === 'clear') return void (await ack({ response_action: 'clear' }));
    await ack();
  });
  app.action<BlockAction<ButtonAction>>('demo.more', async ({ ack, body, respond }) => {
    seen.clicks.push(body);
    await ack();
    await respond({ replace_original: true, text: 'More, as asked' });
  });
  app.view('demo.reason', async ({ ack, body, view }) => {
    const reason = view.state.values.reason?.text?.value?.trim() ?? '';
    if (!reason) return void (await ack({ response_action: 'errors', errors: { reason: 'Say why.' } }));
    seen.submissions.push(body);
    await ack();
  });
  app.view({ type: 'view_closed', callback_id: 'demo.reason' }, async ({ ack, body }) => {
    seen.closed.push(body);
    await ack();
  });
  app.event('message', async ({ event }) => void seen.events.push(event as unknown as Json));
  app.event('app_mention', async ({ event }) => void seen.events.push(event as unknown as Json));
  app.event('app_home_opened', async ({ event, client }) => {
    seen.events.push(event as unknown as Json);
    const refresh = { type: 'actions', elements: [{ type: 'button', action_id: 'demo.home', text: { type: 'plain_text', text: 'Refresh' }, value: 'home' }] };
    await client.views.publish({ user_id: event.user, view: { type: 'home', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `Hello <@${event.user}>` } }, refresh] as never } });
  });
  app.action<BlockAction<ButtonAction>>('demo.home', async ({ ack, body }) => {
    seen.clicks.push(body);
    await ack();
  });
}

before(async () => {
  const log = pino({ level: 'silent' });
  // The emulator needs Baton's URL and Baton needs the emulator's API URL: the server listens first.
  server = createHttpServer({ slack: (req, res) => slack.httpHandler!(req, res), webhooks: {}, readiness: async () => ({ ready: true, checks: {} }), log });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  eventsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  local = await startEmulator({ batonEventsUrl: eventsUrl });
  slack = createSlackApp({ slack: { botToken: LOCAL.botToken, signingSecret: LOCAL.signingSecret, appToken: undefined, apiUrl: local.apiUrl }, retries: 0, log });
  registerListeners(slack.app);
  // Baton's own /agent listener; `help` needs none of its dependencies.
  const unused = async (): Promise<never> => assert.fail('/agent help calls nothing');
  registerAgentCommand(slack.app, { startRun: unused, listRuns: unused, auditTrail: unused, checkTicketKey: () => assert.fail('not a fix'), log });
  await slack.start();
});
after(async () => {
  await local?.stop();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});
beforeEach(() => {
  for (const list of Object.values(seen)) list.length = 0;
});

async function cardFor(user: string): Promise<Json> {
  const sent = await local.page('/_/slack/command', { user, channel: LOCAL.channel, text: '/demo fix DEMO-1' });
  assert.deepEqual(sent, { status: 200, json: { ok: true } });
  let found: Json | undefined;
  await eventually(async () => {
    found = (await local.state(user)).messages.filter((m) => m.text === 'DEMO-1 ready for review').at(-1);
    return found !== undefined;
  }, 5000, 'the card');
  return found!;
}

test('a slash command reaches Bolt with Slack\'s fields, and its ack is the requester\'s ephemeral', async () => {
  await cardFor(LOCAL.requester);
  const [command] = seen.commands;
  assert.equal(command?.command, '/demo');
  assert.equal(command?.text, 'fix DEMO-1');
  assert.deepEqual([command?.user_id, command?.user_name, command?.channel_id, command?.team_id], [LOCAL.requester, 'riley', LOCAL.channel, LOCAL.team.id]);
  assert.match(String(command?.trigger_id), /^\d+\.\d+\.[0-9a-f]+$/);
  assert.ok(String(command?.response_url).startsWith(`${local.url}/_/slack/response/`));
  const state = await local.state(LOCAL.requester);
  assert.deepEqual(state.ephemerals.map((e) => e.text).at(-1), 'Queued fix DEMO-1');
  assert.equal((await local.state(LOCAL.approver)).ephemerals.length, 0);
});

test('Baton\'s own /agent help answers with the help card, shown to the person who typed it', async () => {
  assert.deepEqual(await local.page('/_/slack/command', { user: LOCAL.approver, channel: LOCAL.channel, text: '/agent help' }), { status: 200, json: { ok: true } });
  const shown = (await local.state(LOCAL.approver)).ephemerals.at(-1);
  assert.deepEqual([shown?.text, shown?.blocks], [helpMessage().text, helpMessage().blocks]);
});

test('a button click is a block_actions Bolt routes by action_id, with the clicker, the value and the message', async () => {
  const message = await cardFor(LOCAL.requester);
  const clicked = await local.page('/_/slack/action', { user: LOCAL.approver, channel: LOCAL.channel, message_ts: message.ts, action_id: 'demo.approve', block_id: 'gate' });
  assert.deepEqual(clicked, { status: 200, json: { ok: true } });
  const [click] = seen.clicks;
  assert.equal(click?.user.id, LOCAL.approver);
  assert.deepEqual([click?.actions[0]?.action_id, click?.actions[0]?.value, click?.actions[0]?.block_id, click?.actions[0]?.type], ['demo.approve', 'run-1', 'gate', 'button']);
  assert.equal(click?.message?.ts, message.ts);
  assert.deepEqual(click?.container, { type: 'message', message_ts: message.ts, channel_id: LOCAL.channel, is_ephemeral: false });
  await eventually(async () => (await local.state(LOCAL.requester)).messages.some((m) => m.ts === message.ts && m.text === `Approved by <@${LOCAL.approver}>`), 5000, 'the card replaced');
  const missing = await local.page('/_/slack/action', { user: LOCAL.approver, channel: LOCAL.channel, message_ts: message.ts, action_id: 'demo.nothing', block_id: 'gate' });
  assert.deepEqual(missing, { status: 404, json: { ok: false, error: 'button_not_found' } });
});

test('a button on an ephemeral: is_ephemeral, no message, and respond() with replace_original replaces that ephemeral', async () => {
  assert.equal((await local.page('/_/slack/command', { user: LOCAL.requester, channel: LOCAL.channel, text: '/demo menu' })).status, 200);
  const menu = (await local.state(LOCAL.requester)).ephemerals.at(-1)!;
  assert.equal(menu.text, 'Menu');
  const wrongBlock = await local.page('/_/slack/action', { user: LOCAL.requester, channel: LOCAL.channel, message_ts: menu.ts, action_id: 'demo.more', block_id: 'b1', ephemeral: true });
  assert.equal(wrongBlock.status, 404, 'a block without an id is b<its index>, here b0');
  const clicked = await local.page('/_/slack/action', { user: LOCAL.requester, channel: LOCAL.channel, message_ts: menu.ts, action_id: 'demo.more', block_id: 'b0', ephemeral: true });
  assert.deepEqual(clicked, { status: 200, json: { ok: true } });
  const [click] = seen.clicks;
  assert.deepEqual([click?.container.is_ephemeral, click?.message, click?.actions[0]?.value, click?.actions[0]?.block_id], [true, undefined, 'more', 'b0']);
  await eventually(async () => (await local.state(LOCAL.requester)).ephemerals.some((e) => e.ts === menu.ts && e.text === 'More, as asked'), 5000, 'the ephemeral replaced');
  const other = await local.page('/_/slack/action', { user: LOCAL.approver, channel: LOCAL.channel, message_ts: menu.ts, action_id: 'demo.more', ephemeral: true });
  assert.equal(other.status, 404, "nobody else can click someone's ephemeral");
});

test('Reject opens a modal for the clicker; Baton\'s errors keep it open, a valid submission closes it', async () => {
  const message = await cardFor(LOCAL.requester);
  await local.page('/_/slack/action', { user: LOCAL.approver, channel: LOCAL.channel, message_ts: message.ts, action_id: 'demo.reject', block_id: 'gate' });
  let views: { id: string; view: Json }[] = [];
  await eventually(async () => (views = (await local.state(LOCAL.approver)).views).length === 1, 5000, 'the modal');
  const viewId = views[0]!.id;
  assert.equal(views[0]!.view.callback_id, 'demo.reason');

  const empty = await local.page('/_/slack/view_submit', { user: LOCAL.approver, view_id: viewId, values: { reason: { text: { type: 'plain_text_input', value: ' ' } } } });
  assert.deepEqual(empty, { status: 200, json: { ok: false, error: 'invalid_input', errors: { reason: 'Say why.' } } });
  assert.equal((await local.state(LOCAL.approver)).views.length, 1, 'still open');
  assert.deepEqual(await local.page('/_/slack/view_submit', { user: LOCAL.requester, view_id: viewId, values: {} }), { status: 404, json: { ok: false, error: 'view_not_found' } }, "another person cannot submit it");

  const done = await local.page('/_/slack/view_submit', { user: LOCAL.approver, view_id: viewId, values: { reason: { text: { type: 'plain_text_input', value: 'Wrong fix' } } } });
  assert.deepEqual(done, { status: 200, json: { ok: true } });
  const [submission] = seen.submissions;
  assert.equal(submission?.user.id, LOCAL.approver);
  assert.equal(submission?.view.private_metadata, 'run-1');
  assert.equal(submission?.view.state.values.reason?.text?.value, 'Wrong fix');
  assert.deepEqual((await local.state(LOCAL.approver)).views, [], 'an empty ack closes the modal');
});

test('Baton\'s response_action push, update and clear move the modal stack as Slack does; closing a pushed view goes back', async () => {
  const message = await cardFor(LOCAL.requester);
  await local.page('/_/slack/action', { user: LOCAL.approver, channel: LOCAL.channel, message_ts: message.ts, action_id: 'demo.steps', block_id: 'gate' });
  const stack = async () => (await local.state(LOCAL.approver)).views.map((v) => [v.id, (v.view.title as { text: string }).text]);
  await eventually(async () => (await stack()).length === 1, 5000, 'the modal');
  const submit = async (viewId: unknown, next: string) =>
    local.page('/_/slack/view_submit', { user: LOCAL.approver, view_id: viewId, values: { next: { text: { type: 'plain_text_input', value: next } } } });
  const rootId = (await stack())[0]![0];
  assert.deepEqual(await submit(rootId, 'push'), { status: 200, json: { ok: true } });
  const pushed = await stack();
  assert.deepEqual(pushed.map(([, title]) => title), ['Step 1', 'Step 2']);
  const pushedId = pushed[1]![0];
  assert.deepEqual(await submit(pushedId, 'update'), { status: 200, json: { ok: true } });
  assert.deepEqual(await stack(), [[rootId, 'Step 1'], [pushedId, 'Step 2, updated']], 'update replaces the view where it is, same id');
  assert.deepEqual(await local.page('/_/slack/view_close', { user: LOCAL.approver, view_id: pushedId }), { status: 200, json: { ok: true } });
  assert.deepEqual(await stack(), [[rootId, 'Step 1']], 'closing the pushed view goes back to the one below');
  await submit(rootId, 'push');
  assert.equal((await stack()).length, 2);
  assert.deepEqual(await submit((await stack())[1]![0], 'clear'), { status: 200, json: { ok: true } });
  assert.deepEqual(await stack(), [], 'clear closes the whole modal');
});

test('closing a modal that asked for notify_on_close delivers view_closed', async () => {
  const message = await cardFor(LOCAL.requester);
  await local.page('/_/slack/action', { user: LOCAL.approver, channel: LOCAL.channel, message_ts: message.ts, action_id: 'demo.reject', block_id: 'gate' });
  let views: { id: string }[] = [];
  await eventually(async () => (views = (await local.state(LOCAL.approver)).views).length === 1, 5000, 'the modal');
  assert.deepEqual(await local.page('/_/slack/view_close', { user: LOCAL.approver, view_id: views[0]!.id }), { status: 200, json: { ok: true } });
  assert.equal(seen.closed[0]?.user.id, LOCAL.approver);
  assert.deepEqual((await local.state(LOCAL.approver)).views, []);
});

test('a message in a thread mentioning the app arrives as message and app_mention events', async () => {
  const message = await cardFor(LOCAL.requester);
  seen.events.length = 0;
  const text = `<@${LOCAL.bot.userId}> why this change?`;
  const sent = await local.page('/_/slack/command', { user: LOCAL.approver, channel: LOCAL.channel, text, thread_ts: message.ts });
  assert.equal(sent.json.ok, true);
  await eventually(async () => seen.events.length === 2, 5000, 'both events');
  const types = seen.events.map((e) => e.type).sort();
  assert.deepEqual(types, ['app_mention', 'message']);
  for (const event of seen.events) {
    assert.deepEqual([event.user, event.text, event.channel, event.thread_ts, event.ts], [LOCAL.approver, text, LOCAL.channel, message.ts, sent.json.ts]);
  }
  const reply = (await local.state(LOCAL.requester)).messages.find((m) => m.ts === sent.json.ts);
  assert.deepEqual([reply?.user, reply?.thread_ts, reply?.bot_id], [LOCAL.approver, message.ts, undefined]);
});

test('opening the Home tab delivers app_home_opened; what Baton publishes is that person\'s Home, and its buttons click as view actions', async () => {
  assert.deepEqual(await local.page('/_/slack/home_opened', { user: LOCAL.approver }), { status: 200, json: { ok: true } });
  // Bolt acks an event before its listener runs.
  await eventually(async () => seen.events.length > 0, 5000, 'the event');
  assert.deepEqual(seen.events.map((e) => [e.type, e.user, e.tab]), [['app_home_opened', LOCAL.approver, 'home']]);
  await eventually(async () => (await local.state(LOCAL.approver)).home !== null, 5000, 'the published home');
  const home = (await local.state(LOCAL.approver)).home as { view: { id: string; blocks: { text: { text: string } }[] } };
  assert.equal(home.view.blocks[0]?.text.text, `Hello <@${LOCAL.approver}>`);

  const clicked = await local.page('/_/slack/action', { user: LOCAL.approver, view_id: home.view.id, action_id: 'demo.home', block_id: 'b1' });
  assert.deepEqual(clicked, { status: 200, json: { ok: true } });
  const click = seen.clicks[0];
  assert.deepEqual([click?.container.type, click?.container.view_id, click?.view?.id, click?.actions[0]?.action_id, click?.user.id], ['view', home.view.id, home.view.id, 'demo.home', LOCAL.approver]);
  const notTheirs = await local.page('/_/slack/action', { user: LOCAL.requester, view_id: home.view.id, action_id: 'demo.home' });
  assert.equal(notTheirs.status, 404, "another person's Home is not theirs to click");
});

test('signed with the wrong secret, nothing reaches a listener: the page hears Baton\'s 401, the person Slack\'s error', async () => {
  const wrong = await startEmulator({ batonEventsUrl: eventsUrl, signingSecret: 'not-the-secret' });
  try {
    const sent = await wrong.page('/_/slack/command', { user: LOCAL.requester, channel: LOCAL.channel, text: '/agent help' });
    assert.deepEqual(sent, { status: 401, json: { ok: false, error: 'baton_refused', status: 401 } });
    assert.deepEqual(seen.commands, []);
    assert.deepEqual((await wrong.state()).ephemerals.map((e) => e.text), ['/agent failed with the error "dispatch_failed"']);
  } finally {
    await wrong.stop();
  }
});

test('bad page requests are 4xx with { ok: false, error }', async () => {
  const bad = await fetch(`${local.url}/_/slack/command`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
  assert.deepEqual([bad.status, await bad.json()], [400, { ok: false, error: 'invalid_json' }]);
  assert.deepEqual(await local.page('/_/slack/command', { user: 'U0NOBODY', channel: LOCAL.channel, text: 'hi' }), { status: 400, json: { ok: false, error: 'user_not_found' } });
  assert.deepEqual(await local.page('/_/slack/command', { user: LOCAL.requester, channel: 'C0NOPE', text: 'hi' }), { status: 400, json: { ok: false, error: 'channel_not_found' } });
  assert.deepEqual(await local.page('/_/slack/command', { user: LOCAL.requester, channel: LOCAL.channel, text: '  ' }), { status: 400, json: { ok: false, error: 'no_text' } });
  const big = await fetch(`${local.url}/_/slack/command`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'x'.repeat(1024 * 1024 + 1) }) });
  assert.equal(big.status, 413);
  assert.equal((await fetch(`${local.url}/_/slack/state?user=U0NOBODY`)).status, 400);
  assert.equal((await fetch(`${local.url}/_/slack/nothing`)).status, 404);
  assert.equal((await fetch(`${local.url}/_/slack/action`)).status, 405);
  assert.equal((await fetch(`${local.url}/elsewhere`)).status, 404, 'not the emulator\'s: handle returned false');
});
