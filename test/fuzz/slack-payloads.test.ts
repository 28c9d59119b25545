import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import fc from 'fast-check';
import pino from 'pino';
import { ACTIONS, parseRunButtonValue, runButtonValue } from '../../src/bot/views/action-ids.ts';
import { parseThreadReply, registerThreadReplies } from '../../src/bot/events/thread-replies.ts';
import { handleCostCapAction, registerCostCapActions, type CostCapClick } from '../../src/bot/actions/cost-cap-actions.ts';
import { registerAgentCommand } from '../../src/bot/commands/agent-command.ts';
import { createSlackApp, type SlackApp } from '../../src/bot/create-slack-app.ts';
import { createHttpServer } from '../../src/bot/create-http-server.ts';
import { createWebClient } from '../../src/integrations/slack.ts';
import { FakeSlack } from '../fakes/fake-slack.ts';
import { SLACK_DEFAULTS } from '../fakes/slack-defaults.ts';
import { eventBody, sendSignedSlack, slashCommandBody } from '../fakes/sign-slack-request.ts';
import { check, checkAsync } from './fuzz-options.ts';
import { hostileString, mutated, PROTOTYPE_NAMES, randomJson } from './hostile.ts';
import { describe } from './result-shapes.ts';

/*
 * What Slack hands Baton's listeners: button values, message events and block_actions payloads.
 * They are signed by Slack, but their contents come from people (a message), from Baton's own
 * earlier messages (a button value, which a client can edit) or from Slack's changing payloads.
 * Each reader returns a value of its declared shape or a refusal, and each listener never throws.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const silent = pino({ level: 'silent' });

test('parseRunButtonValue: any value gives a run id that is a UUID, or a refusal with a reason', () => {
  const value = fc.oneof(
    fc.uuid().map(runButtonValue),
    fc.uuid().chain((id) => mutated(JSON.parse(runButtonValue(id)) as unknown).map((v) => JSON.stringify(v) ?? 'null')),
    fc.constantFrom(...PROTOTYPE_NAMES).map((k) => `{"${k}":{"runId":"x"},"runId":{}}`),
    hostileString,
    fc.anything(),
  );
  check(
    fc.property(value, (v) => {
      const parsed = parseRunButtonValue(v);
      if (parsed.ok) assert.ok(typeof parsed.value.runId === 'string' && UUID.test(parsed.value.runId), describe(parsed));
      else assert.ok(typeof parsed.reason === 'string' && parsed.reason.length > 0, describe(parsed));
    }),
    1000,
  );
});

test('parseRunButtonValue reads back every value runButtonValue writes', () => {
  check(fc.property(fc.uuid(), (id) => assert.deepEqual(parseRunButtonValue(runButtonValue(id)), { ok: true, value: { runId: id } })), 200);
});

const threadReply = {
  type: 'message',
  channel: SLACK_DEFAULTS.channelId,
  channel_type: 'channel',
  user: SLACK_DEFAULTS.userId,
  text: 'Euros.',
  ts: '1700000001.000200',
  thread_ts: '1700000000.000100',
  event_ts: '1700000001.000200',
};

test('parseThreadReply: any message event gives a reply whose fields are strings, or nothing', () => {
  const event = fc.oneof({ weight: 4, arbitrary: mutated(threadReply) }, { weight: 1, arbitrary: randomJson });
  check(
    fc.property(event, fc.option(hostileString), (e, botUserId) => {
      // Bolt hands listeners an object for every event; anything else is not a message event.
      if (typeof e !== 'object' || e === null) return;
      const reply = parseThreadReply(e as Parameters<typeof parseThreadReply>[0], botUserId ?? undefined);
      if (reply === undefined) return;
      for (const field of ['channelId', 'threadTs', 'userId', 'text'] as const) {
        assert.equal(typeof reply[field], 'string', `${field} is not a string in ${describe(reply)}`);
      }
    }),
    500,
  );
});

// One fake Slack for the listeners' WebClient and Bolt's, started once for the file.
let slack: FakeSlack;
let slackApp: SlackApp;
let server: Server;
let eventsUrl: string;

/** A block_actions payload for a budget button, as Slack sends it. */
function costCapPayload(runId: string): Record<string, unknown> {
  const action = { type: 'button', action_id: ACTIONS.costContinue, block_id: 'budget', value: runButtonValue(runId), action_ts: '1700000002.000300', text: { type: 'plain_text', text: 'Continue' } };
  return {
    type: 'block_actions',
    token: SLACK_DEFAULTS.verificationToken,
    api_app_id: SLACK_DEFAULTS.appId,
    team: { id: SLACK_DEFAULTS.teamId, domain: SLACK_DEFAULTS.teamDomain },
    user: { id: SLACK_DEFAULTS.userId, username: SLACK_DEFAULTS.userName, name: SLACK_DEFAULTS.userName, team_id: SLACK_DEFAULTS.teamId },
    channel: { id: SLACK_DEFAULTS.channelId, name: SLACK_DEFAULTS.channelName },
    container: { type: 'message', message_ts: '1700000000.000100', channel_id: SLACK_DEFAULTS.channelId, is_ephemeral: false },
    message: { type: 'message', ts: '1700000000.000100', text: 'budget', user: SLACK_DEFAULTS.botUserId },
    trigger_id: '1.2.3',
    is_enterprise_install: false,
    enterprise: null,
    actions: [action],
  };
}

/** Mutated, but still a block_actions payload for the budget button, so Bolt routes it to the listener. */
const costCapBody = fc.uuid().chain((id) =>
  mutated(costCapPayload(id)).map((raw) => {
    const body = (typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
    const actions = Array.isArray(body.actions) ? body.actions : [];
    const first = typeof actions[0] === 'object' && actions[0] !== null && !Array.isArray(actions[0]) ? (actions[0] as Record<string, unknown>) : {};
    return { ...body, type: 'block_actions', actions: [{ ...first, type: 'button', action_id: ACTIONS.costContinue }, ...actions.slice(1)] };
  }),
);

// Over HTTP the guard in front of Bolt refuses a payload with no user (400), but Socket Mode
// delivers without that guard: the listener itself must cope.
test('handleCostCapAction: any block_actions payload for the budget button is acked once and never throws; a decision gets a UUID and a user id', async () => {
  const client = createWebClient({ apiUrl: slack.apiUrl, token: SLACK_DEFAULTS.botToken, retries: 0 });
  await checkAsync(
    fc.asyncProperty(costCapBody, fc.constantFrom('continue', 'stop' as const), async (body, decision) => {
      let acks = 0;
      const clicks: CostCapClick[] = [];
      const action = (body.actions[0] ?? {}) as never;
      await handleCostCapAction(
        decision,
        { ack: async () => void acks++, body: body as never, action, client } as never,
        {
          decideCostCap: async (click) => {
            clicks.push(click);
            return { kind: 'refused', reply: { text: 'That run is not waiting for a budget decision.' } };
          },
          log: silent,
        },
      );
      assert.equal(acks, 1);
      for (const click of clicks) {
        assert.match(click.runId, UUID);
        assert.ok(typeof click.userId === 'string' && click.userId.length > 0, `userId ${describe(click.userId)}`);
      }
    }),
    150,
  );
});

// Over Bolt's own HTTP receiver, with every listener Baton registers, signed as Slack signs.
before(async () => {
  slack = new FakeSlack();
  await slack.start();
  slackApp = createSlackApp({
    slack: { botToken: SLACK_DEFAULTS.botToken, signingSecret: SLACK_DEFAULTS.signingSecret, appToken: undefined, apiUrl: slack.apiUrl },
    retries: 0,
    log: silent,
  });
  registerCostCapActions(slackApp.app, { decideCostCap: async () => ({ kind: 'refused', reply: { text: 'Not waiting.' } }), log: silent });
  registerThreadReplies(slackApp.app, { answerInThread: async () => undefined, log: silent });
  registerAgentCommand(slackApp.app, {
    startRun: async () => assert.fail('no run starts: checkTicketKey refuses every key'),
    checkTicketKey: (key) => ({ text: `${key} is not configured` }),
    listRuns: async () => [],
    auditTrail: async () => undefined,
    log: silent,
  });
  await slackApp.start();
  server = createHttpServer({ slack: slackApp.httpHandler, webhooks: {}, readiness: async () => ({ ready: true, checks: {} }), log: silent });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  eventsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await slack.stop();
});

const signed = { secret: SLACK_DEFAULTS.signingSecret };

test('over HTTP: a signed block_actions payload for the budget button, however mangled, never gets a 5xx', async () => {
  await checkAsync(
    fc.asyncProperty(costCapBody, async (payload) => {
      const response = await sendSignedSlack(eventsUrl, 'interaction', new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), signed);
      assert.ok(response.status < 500, `${response.status} ${response.text.slice(0, 200)}`);
    }),
    60,
  );
});

test('over HTTP: a signed message event, however mangled, from any team id, never gets a 5xx', async () => {
  const event = mutated(threadReply).map((e) => (typeof e === 'object' && e !== null && !Array.isArray(e) ? { ...e, type: 'message' } : { type: 'message' }));
  await checkAsync(
    fc.asyncProperty(event, fc.option(fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), hostileString)), async (e, teamId) => {
      const response = await sendSignedSlack(eventsUrl, 'event', eventBody(e, teamId === null ? {} : { team_id: teamId }), signed);
      assert.ok(response.status < 500, `${response.status} ${response.text.slice(0, 200)}`);
    }),
    60,
  );
});

test('over HTTP: a signed /agent command with any text or fields never gets a 5xx', async () => {
  const fields = fc.record(
    { text: hostileString, user_id: hostileString, channel_id: hostileString, response_url: hostileString, team_id: hostileString },
    { requiredKeys: ['text'] },
  );
  await checkAsync(
    fc.asyncProperty(fields, fc.option(fc.tuple(fc.constantFrom(...PROTOTYPE_NAMES), hostileString)), async (f, extra) => {
      // A form field named like a prototype member (`constructor=…`), beside the ones Slack sends.
      const body = slashCommandBody({ ...f, ...(extra ? { [extra[0]]: extra[1] } : {}) });
      const response = await sendSignedSlack(eventsUrl, 'command', body, signed);
      assert.ok(response.status < 500, `${response.status} ${response.text.slice(0, 200)}`);
    }),
    60,
  );
});
