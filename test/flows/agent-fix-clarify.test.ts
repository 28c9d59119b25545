import { test } from 'node:test';
import assert from 'node:assert/strict';
import type Anthropic from '@anthropic-ai/sdk';
import { askClarification, createFailingTest, finish, fixBug, lastToolResults, lastUserText, runTests, viewCalc } from '../agents/coder-fixture.ts';
import type { ScriptedResponse } from '../fakes/fake-anthropic.ts';
import { eventBody, sendSignedSlack } from '../fakes/sign-slack-request.ts';
import { SLACK_DEFAULTS } from '../fakes/slack-defaults.ts';
import { count } from '../support/test-database.ts';
import { eventually } from '../support/eventually.ts';
import { CHANNEL, startAgentFlow, TICKET, type AgentFlow, PUBLISHED } from '../support/agent-flow.ts';
import { linearDelivery, sendDelivery } from '../support/webhook-deliveries.ts';

/*
 * Clarification: the agent asks; the question goes to the ticket and the thread, and the run is
 * parked with its conversation, holding no worker and no slot. A person's reply in the thread is
 * the answer, and so is an edit of the ticket's description (a signed Linear webhook): either way
 * the run resumes with the answer in its context and reaches a PR.
 */

const QUESTION = 'Should range(1, 4) include 4, as the doc comment says?';
const ANSWER = 'Yes: both ends are included, the doc comment is right.';

const finishWhenGreen = (request: Anthropic.MessageCreateParams): ScriptedResponse =>
  /# fail 0/.test(lastToolResults(request).join('\n'))
    ? finish('range now includes its end; test/range.test.js covers it.')
    : { content: [{ type: 'text', text: 'still red' }] };

function reply(flow: AgentFlow, threadTs: string, event: Record<string, unknown>) {
  const ts = `${Math.floor(Date.now() / 1000)}.${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
  const body = eventBody({ type: 'message', channel: CHANNEL, channel_type: 'channel', ts, thread_ts: threadTs, ...event });
  return sendSignedSlack(flow.app.slackEventsUrl, 'event', body, { secret: SLACK_DEFAULTS.signingSecret });
}

test('a question parks the run (ticket and thread asked, no slot held); a thread reply resumes it with the answer to a PR', async (t) => {
  const flow = await startAgentFlow();
  t.after(() => flow.stop());
  flow.anthropic.script(viewCalc, askClarification(QUESTION));
  await flow.command(`fix ${TICKET.key}`);
  const parked = await flow.runWhere("status = 'needs_clarification'", 'the run to park with its question', 60_000);
  assert.equal(parked.question, QUESTION);
  await eventually(
    async () => (await count(flow.db.pool, 'SELECT 1 FROM runs WHERE id = $1 AND agent_holder IS NOT NULL AND agent_lease_until > now()', [parked.id])) === 0,
    10_000,
    'the parked run to hold no agent slot',
  );
  assert.equal(await count(flow.db.pool, 'SELECT 1 FROM agent_conversations WHERE run_id = $1', [parked.id]), 1, 'the conversation is saved');
  await eventually(async () => flow.slack.repliesTo(parked.thread_ts).find((m) => (m.text ?? '').includes('needs an answer')), 10_000, 'the question in the thread');
  assert.ok(JSON.stringify(flow.slack.repliesTo(parked.thread_ts)).includes('as the doc comment says?'));
  await eventually(async () => flow.linear.getIssue('ENG-42').comments.find((c) => c.body.includes(QUESTION)), 10_000, 'the question on the ticket');

  // Not answers: Baton's own message in the thread, and a bot's.
  await reply(flow, parked.thread_ts, { user: SLACK_DEFAULTS.botUserId, text: 'I am Baton' });
  await reply(flow, parked.thread_ts, { bot_id: 'B0OTHERBOT', subtype: 'bot_message', text: 'beep' });
  flow.anthropic.script(createFailingTest, runTests, fixBug, runTests, finishWhenGreen);
  const answered = await reply(flow, parked.thread_ts, { user: SLACK_DEFAULTS.userId, text: ANSWER });
  assert.equal(answered.status, 200);

  const done = await flow.runWhere(PUBLISHED, 'the answered run to reach its PR', 120_000);
  assert.equal(flow.github.pulls('acme', 'calc').length, 1);
  const requests = flow.anthropic.requests();
  const resumed = JSON.stringify(requests[2]!.messages);
  assert.ok(resumed.includes(ANSWER), 'the answer is in the resumed conversation');
  assert.ok(resumed.includes(QUESTION), 'after the question it answers');
  assert.ok(resumed.includes(`from=\\"Slack user ${SLACK_DEFAULTS.userId}`), 'the model is told who answered');
  assert.ok(!resumed.includes('I am Baton') && !resumed.includes('beep'), 'bot messages were not taken as answers');
  assert.equal(await count(flow.db.pool, "SELECT 1 FROM audit_log WHERE run_id = $1 AND action = 'run.resumed'", [done.id]), 1);
});

const LINEAR_SECRET = 'lin_wh_clarify_flow_secret';
const EDITED = 'Edited after the question: range(1, 4) must give [1, 2, 3, 4]; both ends are included, as the doc comment says.';

test('a question parks the run; editing the ticket’s description (a signed Linear webhook) resumes it with the new description to a PR', async (t) => {
  const flow = await startAgentFlow({
    env: { LINEAR_WEBHOOK_SECRET: LINEAR_SECRET },
    policy: { teams: { ENG: { intake: { label: 'baton' } } } },
  });
  t.after(() => flow.stop());
  flow.anthropic.script(viewCalc, askClarification(QUESTION));
  await flow.command(`fix ${TICKET.key}`);
  const parked = await flow.runWhere("status = 'needs_clarification'", 'the run to park with its question', 60_000);
  assert.equal(parked.question, QUESTION);
  await eventually(async () => flow.linear.getIssue(TICKET.key).comments.find((c) => c.body.includes(QUESTION)), 10_000, 'the question on the ticket');
  await eventually(async () => flow.slack.repliesTo(parked.thread_ts).find((m) => (m.text ?? '').includes('needs an answer')), 10_000, 'the question in the thread');

  // The author edits the ticket in Linear, and Linear tells Baton with a signed Issue update.
  flow.linear.store.updateIssue(TICKET.key, { description: EDITED });
  flow.anthropic.script(createFailingTest, runTests, fixBug, runTests, finishWhenGreen);
  const edit = linearDelivery(
    'linear-issue-labelled.json',
    { key: TICKET.key, labels: ['bug'], description: EDITED, descriptionBefore: TICKET.description },
    { secret: LINEAR_SECRET },
  );
  const answer = await sendDelivery(flow.app.url, edit);
  assert.equal(answer.status, 200, answer.text);

  const done = await flow.runWhere(PUBLISHED, 'the resumed run to reach its PR', 120_000);
  assert.equal(done.id, parked.id, 'the same run, resumed');
  assert.equal(flow.github.pulls('acme', 'calc').length, 1);
  assert.equal(await count(flow.db.pool, "SELECT 1 FROM audit_log WHERE run_id = $1 AND action = 'run.resumed'", [done.id]), 1);
  await eventually(async () => flow.slack.repliesTo(parked.thread_ts).find((m) => /description was edited/.test(m.text ?? '')), 10_000, 'the thread told why the run resumed');

  const requests = flow.anthropic.requests();
  assert.ok(!JSON.stringify(requests[0]!.messages).includes(EDITED), 'the first request had the old description');
  const resumed = lastUserText(requests[2]!);
  const wrapped = /<untrusted_answer from="the ticket">\n([\s\S]*?)\n<\/untrusted_answer>/.exec(resumed);
  assert.ok(wrapped, `the resumed request carries the ticket's answer in its untrusted wrapper: ${resumed}`);
  assert.ok(wrapped[1]!.includes(EDITED), 'the new description, inside the wrapper');
  assert.ok(JSON.stringify(requests[2]!.messages).includes(QUESTION), 'after the question it answers');
});

test('the agent’s time limit counts the work before the question, not the wait for the answer', async (t) => {
  const flow = await startAgentFlow({ policy: { agent: { limits: { minutes: 30 } } } });
  t.after(() => flow.stop());
  flow.anthropic.script(viewCalc, askClarification(QUESTION));
  await flow.command(`fix ${TICKET.key}`);
  const parked = await flow.runWhere("status = 'needs_clarification'", 'the run to park with its question', 60_000);
  // The wait itself is free: the clock stood still (nothing runs it while parked).
  const { rows } = await flow.db.pool.query('SELECT agent_clock_started_at FROM runs WHERE id = $1', [parked.id]);
  assert.equal(rows[0].agent_clock_started_at, null);
  // As if the agent had worked its 30 minutes before it asked.
  await flow.db.pool.query('UPDATE runs SET agent_elapsed_ms = 30 * 60000 WHERE id = $1', [parked.id]);
  await reply(flow, parked.thread_ts, { user: SLACK_DEFAULTS.userId, text: ANSWER });
  const failed = await flow.runWhere("status = 'failed'", 'the resumed run to stop at its time limit', 60_000);
  assert.match(failed.status_reason ?? '', /30-minute limit/);
  assert.equal(flow.anthropic.requests().length, 2, 'no model call after the answer: the limit was already spent');
});
