import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel, type BlockAction, type ButtonAction, type SlackViewAction } from '@slack/bolt';
import { FakeSlack } from '../fakes/fake-slack.ts';
import { SLACK_DEFAULTS } from '../fakes/slack-defaults.ts';
import { clickButton, submitView } from './slack-interactions.ts';

/*
 * The helpers against a real Bolt app: its signature check accepts them, it routes them by
 * action_id and callback_id, and what a listener reads (user, value, channel, message, trigger_id,
 * private_metadata, state) is what the test gave. A click opens a modal on the fake Slack, and the
 * modal as opened is what gets submitted.
 */

const slack = new FakeSlack();
const clicks: BlockAction<ButtonAction>[] = [];
const submissions: SlackViewAction[] = [];
let app: App;
let server: Server;
let url: string;

before(async () => {
  await slack.start();
  const receiver = new HTTPReceiver({ signingSecret: SLACK_DEFAULTS.signingSecret, logLevel: LogLevel.ERROR });
  app = new App({ token: slack.botToken, receiver, clientOptions: { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } } });
  app.action<BlockAction<ButtonAction>>('test.reject', async ({ ack, body, client }) => {
    await ack();
    clicks.push(body);
    await client.views.open({
      trigger_id: body.trigger_id,
      view: {
        type: 'modal', callback_id: 'test.reject.reason', private_metadata: body.actions[0]!.value ?? '',
        title: { type: 'plain_text', text: 'Reject' }, submit: { type: 'plain_text', text: 'Reject' },
        blocks: [{ type: 'input', block_id: 'reason', label: { type: 'plain_text', text: 'Why?' }, element: { type: 'plain_text_input', action_id: 'text' } }],
      },
    });
  });
  app.view('test.reject.reason', async ({ ack, body }) => {
    submissions.push(body);
    await ack();
  });
  server = (await app.start(0)) as Server;
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
});

after(async () => {
  server?.closeAllConnections();
  await app?.stop();
  await slack.stop();
});

test('a signed button click reaches the listener with who, what, where and the trigger; a modal it opens is submitted with its values', async () => {
  const value = JSON.stringify({ runId: 'r-1', gate: 'merge', headSha: 'abc1234' });
  const clicked = await clickButton(url, {
    actionId: 'test.reject', value, userId: 'U0GRACE', channelId: 'C0ENG', messageTs: '1732170000.000300',
    threadTs: '1732170000.000100', triggerId: '1234.5678.abcdef', blockId: 'baton.gate', message: { text: 'Ready to merge' },
  });
  assert.equal(clicked.status, 200);
  const view = await slack.waitForMethod('views.open');
  assert.equal(view.args.trigger_id, '1234.5678.abcdef');

  const [click] = clicks;
  assert.equal(click?.type, 'block_actions');
  assert.equal(click?.user.id, 'U0GRACE');
  assert.equal(click?.channel?.id, 'C0ENG');
  assert.equal(click?.message?.ts, '1732170000.000300');
  assert.equal(click?.message?.thread_ts, '1732170000.000100');
  assert.deepEqual(click?.container, { type: 'message', message_ts: '1732170000.000300', channel_id: 'C0ENG', is_ephemeral: false, thread_ts: '1732170000.000100' });
  assert.deepEqual([click?.actions[0]?.action_id, click?.actions[0]?.block_id, click?.actions[0]?.value], ['test.reject', 'baton.gate', value]);

  const [opened] = slack.openViews();
  assert.ok(opened);
  const submitted = await submitView(url, { view: opened, userId: 'U0GRACE', values: { reason: { text: 'Breaks the Safari flow' } } });
  assert.equal(submitted.status, 200);
  const [submission] = submissions;
  assert.equal(submission?.type, 'view_submission');
  assert.equal(submission?.user.id, 'U0GRACE');
  assert.equal(submission?.view.id, opened.id);
  assert.equal(submission?.view.callback_id, 'test.reject.reason');
  assert.equal(submission?.view.private_metadata, value);
  assert.deepEqual(submission?.view.state.values, { reason: { text: { type: 'plain_text_input', value: 'Breaks the Safari flow' } } });
});

test('signed with another secret, neither reaches a listener', async () => {
  const before = [clicks.length, submissions.length];
  const click = await clickButton(url, { actionId: 'test.reject', value: 'x', messageTs: '1732170000.000300' }, 'wrong-secret');
  const submit = await submitView(url, { callbackId: 'test.reject.reason' }, 'wrong-secret');
  assert.deepEqual([click.status, submit.status], [401, 401]);
  assert.deepEqual([clicks.length, submissions.length], before);
});
