import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { WebClient } from '@slack/web-api';
import { WebSocket } from 'ws';
import { FakeSlack } from './fake-slack.ts';
import { FakeSocketMode } from './fake-socket-mode.ts';
import { SLACK_DEFAULTS } from './slack-defaults.ts';

const APP_TOKEN = 'xapp-1-A0FAKEAPP-1-selftest';
let slack: FakeSlack;
let socketMode: FakeSocketMode;
const open: WebSocket[] = [];

const client = (token: string): WebClient => new WebClient(token, { slackApiUrl: socketMode.apiUrl, retryConfig: { retries: 0 } });

/** Opens a socket on a fresh URL and resolves with it and the first message (the hello). */
async function connect(url?: string): Promise<{ socket: WebSocket; hello: Record<string, unknown> }> {
  const target = url ?? ((await client(APP_TOKEN).apps.connections.open({})).url as string);
  const socket = new WebSocket(target);
  open.push(socket);
  const [data] = (await once(socket, 'message')) as [Buffer];
  return { socket, hello: JSON.parse(data.toString()) as Record<string, unknown> };
}

const nextMessage = async (socket: WebSocket): Promise<Record<string, unknown>> =>
  JSON.parse(((await once(socket, 'message')) as [Buffer])[0].toString()) as Record<string, unknown>;

/** Closes the test's sockets and waits until the fake has seen every one close. */
async function closeAll(): Promise<void> {
  for (const socket of open.splice(0)) socket.close(1000);
  await Promise.all(socketMode.connections.map((c) => socketMode.waitForClose(c)));
}

before(async () => {
  slack = new FakeSlack();
  await slack.start();
  socketMode = new FakeSocketMode({ appToken: APP_TOKEN, forwardTo: slack.apiUrl });
  await socketMode.start();
});
after(async () => {
  for (const socket of open) socket.terminate();
  await socketMode.stop();
  await slack.stop();
});

test('apps.connections.open answers only the app-level token; other methods reach the Web API fake', async () => {
  await assert.rejects(client(SLACK_DEFAULTS.botToken).apps.connections.open({}), /not_allowed_token_type/);
  await assert.rejects(client('xapp-1-wrong').apps.connections.open({}), /invalid_auth/);
  const opened = await client(APP_TOKEN).apps.connections.open({});
  assert.match(opened.url ?? '', /^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=[0-9a-f]+&app_id=A0FAKEAPP$/);
  assert.equal(socketMode.opens, 1);
  const auth = await client(SLACK_DEFAULTS.botToken).auth.test();
  assert.equal(auth.user_id, SLACK_DEFAULTS.botUserId);
  assert.equal(slack.apiCalls('auth.test')[0]?.token, SLACK_DEFAULTS.botToken);
});

test('a socket URL opens one connection, greeted with a hello; the same URL again is refused', async () => {
  const url = (await client(APP_TOKEN).apps.connections.open({})).url as string;
  const { hello } = await connect(url);
  assert.equal(hello.type, 'hello');
  assert.deepEqual(hello.connection_info, { app_id: SLACK_DEFAULTS.appId });
  const again = new WebSocket(url);
  const [, response] = (await once(again, 'unexpected-response')) as [unknown, { statusCode: number }];
  assert.equal(response.statusCode, 401);
  // ws reports the abandoned handshake as an error once the refused request is dropped.
  const [error] = (await Promise.all([once(again, 'error'), again.terminate()]))[0] as [Error];
  assert.match(error.message, /closed before the connection was established/);
  await closeAll();
});

test('deliver resolves with the matching ack; acks for unknown envelopes are strays; no ack is a failure', async () => {
  const { socket } = await connect();
  const delivered = socketMode.deliver('slash_commands', { command: '/agent', text: 'status' });
  const envelope = await nextMessage(socket);
  assert.equal(envelope.type, 'slash_commands');
  assert.equal(envelope.accepts_response_payload, true);
  assert.deepEqual(envelope.payload, { command: '/agent', text: 'status' });
  socket.send(JSON.stringify({ envelope_id: 'not-delivered', payload: {} }));
  socket.send(JSON.stringify({ envelope_id: envelope.envelope_id, payload: { text: 'hi' } }));
  const ack = await delivered;
  assert.deepEqual(ack.payload, { text: 'hi' });
  assert.equal(ack.connection, socketMode.current()?.id);
  assert.deepEqual(socketMode.strays, [{ envelope_id: 'not-delivered', payload: {} }]);
  await assert.rejects(socketMode.deliver('events_api', { type: 'event_callback' }, { timeoutMs: 200 }), /waiting for the ack of events_api envelope/);
  await closeAll();
});

test('drop: refresh sends a disconnect message, close sends a close frame', async () => {
  const { socket } = await connect();
  const refreshed = socketMode.drop('refresh');
  assert.deepEqual((await nextMessage(socket)).type, 'disconnect');
  socket.close(1000);
  assert.equal(await socketMode.waitForClose(refreshed), 1000);

  const { socket: next } = await connect();
  const closing = once(next, 'close');
  const dropped = socketMode.drop('close');
  const [code] = (await closing) as [number];
  assert.equal(code, 1001);
  await socketMode.waitForClose(dropped);
  assert.equal(socketMode.current(), undefined);
  assert.throws(() => socketMode.drop(), /no open connection/);
});
