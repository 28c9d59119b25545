import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import pino from 'pino';
import { createHttpServer } from '../../../src/bot/create-http-server.ts';
import { createSlackApp, type SlackApp } from '../../../src/bot/create-slack-app.ts';
import { registerThreadReplies, REPLY_FAILED, type ThreadReply } from '../../../src/bot/events/thread-replies.ts';
import { FakeSlack } from '../../fakes/fake-slack.ts';
import { eventBody, sendSignedSlack } from '../../fakes/sign-slack-request.ts';
import { SLACK_DEFAULTS } from '../../fakes/slack-defaults.ts';
import { eventually } from '../../support/eventually.ts';

// The listener over Bolt's real HTTP receiver and signed events; the job behind it is a function
// handed in, as main.ts hands in answerInThread. Here it fails, as it would with the database down.
let slack: FakeSlack;
let slackApp: SlackApp;
let server: Server;
let eventsUrl: string;
const seen: ThreadReply[] = [];

before(async () => {
  slack = new FakeSlack();
  await slack.start();
  const log = pino({ level: 'silent' });
  slackApp = createSlackApp({
    slack: { botToken: SLACK_DEFAULTS.botToken, signingSecret: SLACK_DEFAULTS.signingSecret, appToken: undefined, apiUrl: slack.apiUrl },
    retries: 0,
    log,
  });
  registerThreadReplies(slackApp.app, {
    answerInThread: async (reply) => {
      seen.push(reply);
      throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    },
    log,
  });
  await slackApp.start();
  server = createHttpServer({ slack: slackApp.httpHandler, webhooks: {}, readiness: async () => ({ ready: true, checks: {} }), log });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  eventsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await slack.stop();
});

test('a thread reply that cannot be handled is acked, and its author is told (ephemerally, in the thread) that nothing resumed', async () => {
  const threadTs = '1700000000.000100';
  const body = eventBody({ type: 'message', channel: SLACK_DEFAULTS.channelId, channel_type: 'channel', user: SLACK_DEFAULTS.userId, text: 'Euros.', ts: '1700000001.000200', thread_ts: threadTs });
  const response = await sendSignedSlack(eventsUrl, 'event', body, { secret: SLACK_DEFAULTS.signingSecret });
  assert.equal(response.status, 200);
  const told = await eventually(async () => slack.ephemerals().find((e) => e.user === SLACK_DEFAULTS.userId), 10_000, 'the author to be told');
  assert.equal(told.text, REPLY_FAILED);
  assert.equal(told.thread_ts, threadTs);
  assert.deepEqual(seen, [{ channelId: SLACK_DEFAULTS.channelId, threadTs, userId: SLACK_DEFAULTS.userId, text: 'Euros.' }]);
});
