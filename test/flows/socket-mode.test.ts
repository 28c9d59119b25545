import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeSlack } from '../fakes/fake-slack.ts';
import { FakeLinear } from '../fakes/fake-linear.ts';
import { FakeSocketMode } from '../fakes/fake-socket-mode.ts';
import { eventBody, slashCommandBody } from '../fakes/sign-slack-request.ts';
import { SLACK_DEFAULTS } from '../fakes/slack-defaults.ts';
import { buttonClickBody } from '../support/slack-interactions.ts';
import { count, createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { startTestBaton, type TestBaton } from '../support/start-test-baton.ts';
import { eventually } from '../support/eventually.ts';

// Socket Mode as Slack runs it: Baton asks apps.connections.open (through SLACK_API_URL) for a
// WebSocket URL, Slack greets it, delivers envelopes on it and waits for each ack; when Slack drops
// the socket, Bolt's client must fetch a new URL and connect again. Nothing reaches /slack/events.

const APP_TOKEN = 'xapp-1-A0FAKEAPP-1-fakeapptoken';
const channel = SLACK_DEFAULTS.channelId;

let db: TestDatabase;
let slack: FakeSlack;
let socketMode: FakeSocketMode;
let linear: FakeLinear;
let app: TestBaton;

/** A slash command as the payload of a `slash_commands` envelope: the same fields as the HTTP form. */
const command = (text: string, name = '/agent'): Record<string, unknown> =>
  Object.fromEntries(new URLSearchParams(slashCommandBody({ command: name, text, channel_id: channel })));
const runsFor = (key: string): Promise<number> => count(db.pool, 'SELECT 1 FROM runs WHERE ticket_key = $1', [key]);

before(async () => {
  db = await createTestDatabase();
  slack = new FakeSlack();
  await slack.start();
  socketMode = new FakeSocketMode({ appToken: APP_TOKEN, forwardTo: slack.apiUrl });
  await socketMode.start();
  linear = new FakeLinear();
  await linear.start();
  linear.addTeam({ key: 'ENG', name: 'Engineering' });
  linear.addIssue({ team: 'ENG', number: 1, title: 'Search returns nothing', priority: 2 });
  app = await startTestBaton({
    db,
    slack,
    linear,
    env: { SLACK_APP_TOKEN: APP_TOKEN, SLACK_API_URL: socketMode.apiUrl },
    policy: { teams: { ENG: { tracker: 'linear', channel: 'C0ENGTEAM' } } },
  });
  // Start-up waits for the first hello; a socket URL asked of anywhere else retries for minutes.
}, { timeout: 60_000 });
after(async () => {
  await app?.stop();
  await socketMode?.stop();
  await slack?.stop();
  await linear?.stop();
  await db?.drop();
});

test('Baton connects over Socket Mode: the socket URL comes from apps.connections.open at SLACK_API_URL, with the app token', async () => {
  const first = await socketMode.waitForConnection(1);
  assert.equal(first.closedWith, undefined);
  assert.equal(socketMode.opens, 1);
  const open = socketMode.callsTo('POST', '/api/apps.connections.open');
  assert.equal(open.length, 1);
  assert.equal(open[0]!.headers.authorization, `Bearer ${APP_TOKEN}`);
  // The bot token's calls go through the same URL to the Web API (auth.test at start-up).
  assert.equal(slack.apiCalls('auth.test')[0]?.token, SLACK_DEFAULTS.botToken);
  assert.ok(app.logs.some((l) => l.includes('connected to Slack over Socket Mode')));
  const ready = (await (await fetch(`${app.url}/readyz`)).json()) as { checks?: { slack?: string } };
  assert.equal(ready.checks?.slack, 'socket');
});

test('/agent fix ENG-1 over the socket: the ack carries the ephemeral reply, then the run and its thread exist', async () => {
  const ack = await socketMode.deliver('slash_commands', command('fix ENG-1'));
  assert.equal(ack.connection, 1);
  const reply = ack.payload as { response_type?: string; text?: string };
  assert.equal(reply.response_type, 'ephemeral');
  assert.match(reply.text ?? '', /Queued ENG-1/);
  assert.equal(await runsFor('ENG-1'), 1);

  const run = await eventually(async () => {
    const { rows } = await db.pool.query<{ thread_ts: string | null }>('SELECT thread_ts FROM runs WHERE ticket_key = $1', ['ENG-1']);
    return rows[0]?.thread_ts ?? undefined;
  }, 10_000, 'the worker to open the run thread');
  const roots = slack.threadRoots(channel);
  assert.equal(roots.length, 1, 'one thread root, where the command was typed');
  assert.equal(roots[0]!.ts, run);
  assert.match(roots[0]!.text ?? '', /ENG-1/);
  assert.deepEqual(socketMode.strays, []);
});

test('envelopes nothing in Baton listens to are acked at once, with an empty payload, and logged at info', async () => {
  const otherCommand = await socketMode.deliver('slash_commands', command('hello', '/weather'));
  assert.deepEqual(otherCommand.payload, {});
  const unknownButton = JSON.parse(
    new URLSearchParams(buttonClickBody({ actionId: 'not_a_baton_button', value: 'x', messageTs: '1700000000.000100' })).get('payload')!,
  ) as Record<string, unknown>;
  const click = await socketMode.deliver('interactive', unknownButton);
  assert.deepEqual(click.payload, {});
  const reaction = JSON.parse(eventBody({ type: 'reaction_added', user: SLACK_DEFAULTS.userId, reaction: 'eyes', item: { type: 'message', channel, ts: '1700000000.000100' } })) as Record<string, unknown>;
  const event = await socketMode.deliver('events_api', reaction);
  assert.deepEqual(event.payload, {});
  const ignored = app.logs.filter((l) => l.includes('nothing in Baton handles it'));
  assert.ok(ignored.some((l) => l.includes('"command":"/weather"') && l.includes('"level":30')));
  assert.ok(ignored.some((l) => l.includes('"actionId":"not_a_baton_button"')));
  assert.equal(await runsFor('ENG-1'), 1, 'nothing else started a run');
  assert.deepEqual(socketMode.strays, []);
});

test('when Slack closes the socket, Baton fetches a new URL, reconnects, and answers /agent status on the new socket', async () => {
  const dropped = socketMode.drop('close');
  await socketMode.waitForClose(dropped);
  const second = await socketMode.waitForConnection(2);
  assert.equal(socketMode.opens, 2, 'a second apps.connections.open');
  assert.notEqual(second.ticket, dropped.ticket);

  const ack = await socketMode.deliver('slash_commands', command('status'));
  assert.equal(ack.connection, second.id);
  const reply = ack.payload as { response_type?: string; text?: string };
  assert.equal(reply.response_type, 'ephemeral');
  assert.match(reply.text ?? '', /ENG-1.* · queued/);
  assert.deepEqual(socketMode.strays, []);
});

test('a disconnect message (refresh_requested) makes Baton close and reconnect, and a second fix of the same ticket is refused on the new socket', async () => {
  const refreshed = socketMode.drop('refresh');
  await socketMode.waitForClose(refreshed);
  const third = await socketMode.waitForConnection(3);
  assert.equal(socketMode.opens, 3);

  const ack = await socketMode.deliver('slash_commands', command('fix eng-1'));
  assert.equal(ack.connection, third.id);
  assert.match((ack.payload as { text?: string }).text ?? '', /ENG-1 is already running/);
  assert.equal(await runsFor('ENG-1'), 1);
  assert.equal(slack.threadRoots(channel).length, 1, 'still one thread root after the reconnects');
  // Only one socket is open at the end: the dropped ones stay closed.
  assert.deepEqual(socketMode.connections.map((c) => c.closedWith === undefined), [false, false, true]);
  assert.deepEqual(socketMode.strays, []);
  // A socket Slack recycles is normal traffic: no error-level line for either reconnect.
  assert.deepEqual(app.logs.filter((l) => /"level":(50|60)/.test(l)), []);
});
