import { test } from 'node:test';
import assert from 'node:assert/strict';
import type Anthropic from '@anthropic-ai/sdk';
import { createFailingTest, finish, fixBug, lastToolResults, runTests, viewCalc } from '../agents/coder-fixture.ts';
import type { ScriptedResponse } from '../fakes/fake-anthropic.ts';
import { blockActionsBody, sendSignedSlack } from '../fakes/sign-slack-request.ts';
import { SLACK_DEFAULTS } from '../fakes/slack-defaults.ts';
import { count } from '../support/test-database.ts';
import { eventually } from '../support/eventually.ts';
import { CHANNEL, startAgentFlow, TICKET, type AgentFlow, type RunRow, PUBLISHED } from '../support/agent-flow.ts';

/*
 * The dollar cap: a run near it pauses (awaiting_budget, holding no worker and no slot) and asks
 * Continue / Stop in its thread. The clicker is checked on the server; Continue raises the cap once
 * and the agent picks up its saved conversation; Stop ends the run.
 */

// A cap the first model call already passes a tenth of, and a raise that leaves room to finish.
const POLICY = { agent: { limits: { dollars: 0.01, ask_at_fraction: 0.1, raise_factor: 10 } } };
const REQUESTER = SLACK_DEFAULTS.userId;
const STRANGER = 'U0STRANGER1';

const finishWhenGreen = (request: Anthropic.MessageCreateParams): ScriptedResponse =>
  /# fail 0/.test(lastToolResults(request).join('\n'))
    ? finish('range now includes its end; test/range.test.js covers it.')
    : { content: [{ type: 'text', text: 'still red' }] };

async function pausedRun(flow: AgentFlow): Promise<{ run: RunRow; promptTs: string; value: string }> {
  await flow.command(`fix ${TICKET.key}`);
  const run = await flow.runWhere("status = 'awaiting_budget'", 'the run to pause at its budget', 60_000);
  const prompt = await eventually(
    async () => flow.slack.repliesTo(run.thread_ts).find((m) => JSON.stringify(m.blocks ?? []).includes('baton.cost.continue')),
    10_000,
    'the budget prompt in the thread',
  );
  const value = JSON.stringify(prompt.blocks).match(/"value":"(\{\\"runId\\":\\"[0-9a-f-]+\\"\})"/)![1]!.replace(/\\"/g, '"');
  return { run, promptTs: prompt.ts, value };
}

function click(flow: AgentFlow, actionId: string, value: string, promptTs: string, userId: string) {
  const body = blockActionsBody({
    user: { id: userId, username: userId, name: userId, team_id: SLACK_DEFAULTS.teamId },
    channel: { id: CHANNEL, name: SLACK_DEFAULTS.channelName },
    container: { type: 'message', message_ts: promptTs, channel_id: CHANNEL, is_ephemeral: false },
    message: { type: 'message', ts: promptTs, text: 'budget' },
    response_url: flow.slack.responseUrl(`click-${userId}`),
    actions: [{ type: 'button', action_id: actionId, block_id: 'baton.cost', value, action_ts: `${Date.now() / 1000}` }],
  });
  return sendSignedSlack(flow.app.slackEventsUrl, 'interaction', body, { secret: SLACK_DEFAULTS.signingSecret });
}

const slotsHeld = (flow: AgentFlow, runId: string) =>
  count(flow.db.pool, 'SELECT 1 FROM runs WHERE id = $1 AND agent_holder IS NOT NULL AND agent_lease_until > now()', [runId]);

test('paused at the budget: a stranger is refused, Continue raises the cap once and the run resumes to a PR; a second click changes nothing', async (t) => {
  const flow = await startAgentFlow({ policy: POLICY });
  t.after(() => flow.stop());
  flow.anthropic.script(viewCalc, createFailingTest, runTests, fixBug, runTests, finishWhenGreen);
  const { run, promptTs, value } = await pausedRun(flow);
  // Parked inside the slot (so no second agent can start), and the slot is given back right after.
  await eventually(async () => (await slotsHeld(flow, run.id)) === 0, 10_000, 'a paused run to hold no agent slot');
  assert.equal(flow.anthropic.remaining(), 5, 'the agent stopped after its first call');

  const refused = await click(flow, 'baton.cost.continue', value, promptTs, STRANGER);
  assert.equal(refused.status, 200, 'acked');
  const ephemeral = await eventually(async () => flow.slack.ephemerals().find((e) => e.user === STRANGER), 10_000, 'the refusal');
  assert.match(ephemeral.text, /Only .* can continue or stop ENG-42/);
  assert.equal((await flow.runWhere('true', 'the run')).status, 'awaiting_budget', 'the stranger changed nothing');

  await click(flow, 'baton.cost.continue', value, promptTs, REQUESTER);
  const resolved = await eventually(
    async () => flow.slack.apiCalls('chat.update').find((c) => c.args.ts === promptTs && /Continued by/.test(String(c.args.text))),
    10_000,
    'the prompt edited to say who continued',
  );
  assert.match(String(resolved.args.text), /new cap \$0\.10/);
  assert.ok(!JSON.stringify(resolved.args.blocks).includes('baton.cost.continue'), 'the buttons are gone');

  const done = await flow.runWhere(PUBLISHED, 'the resumed run to reach its PR', 120_000);
  assert.equal(Number(done.cost_cap_usd), 0.1);
  assert.equal(flow.github.pulls('acme', 'calc').length, 1);
  // The resumed agent went on from its saved conversation: its first request after the pause holds the view.
  const resumedRequest = flow.anthropic.requests()[1]!;
  assert.ok(JSON.stringify(resumedRequest.messages).includes('Carry on from where you stopped'));
  assert.ok(JSON.stringify(resumedRequest.messages).includes('range(start, end)'), 'the file the agent viewed before the pause');

  await click(flow, 'baton.cost.continue', value, promptTs, REQUESTER);
  await eventually(async () => flow.slack.ephemerals().find((e) => e.user === REQUESTER && /no longer waiting/.test(e.text)), 10_000, 'the double click answered');
  assert.equal(await count(flow.db.pool, "SELECT 1 FROM audit_log WHERE action = 'run.budget_continued'"), 1, 'raised once');
});

test('Stop at the budget, clicked by a production approver listed through a user group, ends the run cleanly, saying who stopped it at what spend', async (t) => {
  const MEMBER = 'U0ONCALL01';
  const flow = await startAgentFlow({ policy: { ...POLICY, gates: { production: { approvers: ['S0ONCALL'] } } } });
  t.after(() => flow.stop());
  flow.slack.setUsergroup('S0ONCALL', [MEMBER]);
  flow.anthropic.script(viewCalc);
  const { run, promptTs, value } = await pausedRun(flow);
  await click(flow, 'baton.cost.stop', value, promptTs, MEMBER);
  const ended = await flow.runWhere("status = 'cancelled'", 'the run to stop', 20_000);
  assert.match(ended.status_reason!, new RegExp(`Stopped by <@${MEMBER}> at \\$0\\.\\d\\d of its \\$0\\.01 budget`));
  assert.ok(flow.slack.apiCalls('usergroups.users.list').some((c) => c.args.usergroup === 'S0ONCALL'), 'the group was read from Slack at the click');
  await eventually(async () => flow.slack.apiCalls('chat.update').find((c) => c.args.ts === promptTs && /Stopped by/.test(String(c.args.text))), 10_000, 'the prompt edited');
  await eventually(async () => flow.slack.repliesTo(run.thread_ts).find((m) => /Stopped by @/.test(m.text ?? '')), 10_000, 'the end notice in the thread');
  assert.equal(flow.github.pulls('acme', 'calc').length, 0);
  assert.ok(![...(await flow.demo.remote.refs()).keys()].some((ref) => ref.startsWith('refs/heads/baton/')), 'nothing pushed');
});
