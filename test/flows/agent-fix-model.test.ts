import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type Anthropic from '@anthropic-ai/sdk';
import { CUT_OFF_CALL } from '../../src/agents/loop-messages.ts';
import { createFailingTest, editor, finish, fixBug, lastToolResults, lastUserText, runTests, viewCalc } from '../agents/coder-fixture.ts';
import type { ScriptedEntry, ScriptedMessage, ScriptedResponse } from '../fakes/fake-anthropic.ts';
import { fixtureGit } from '../integrations/git/git-fixtures.ts';
import { startAgentFlow, TICKET, type AgentFlow, type RunRow, PUBLISHED } from '../support/agent-flow.ts';
import { isReviewerRequest } from '../support/agent-world.ts';
import { eventually } from '../support/eventually.ts';

/*
 * The model misbehaving during a real `/agent fix`, at the run level: Baton as `npm start` builds it
 * (the real SDK with production's HTTP_RETRIES, the model client, the coder, the queue), the
 * scripted FakeAnthropic, real bubblewrap, git and PostgreSQL. Overloads, 5xx and dropped
 * connections are retried and the run still reaches its PR; the fallback model takes over; a spend
 * limit and a refusal end the run with their reason in the thread; a paused turn goes on; a tool
 * call cut off at max_tokens is never run.
 */

const A = 'claude-sonnet-5-5';
const B = 'claude-opus-5-5';
// retry-after in seconds: the SDK waits what the API asks, so its retries here take a millisecond.
const SOON = 0.001;

/**
 * test/support/agent-flow.ts's world, with the SDK's retries on as in production (HTTP_RETRIES=2;
 * startAgentFlow pins them to 0 unless told). One per test: each test is its own run of ENG-42.
 */
const startModelFlow = (models: string[]): Promise<AgentFlow> => startAgentFlow({ env: { HTTP_RETRIES: '2' }, policy: { agent: { models } } });

/** Sends `/agent fix ENG-42`. */
async function fix(flow: AgentFlow): Promise<void> {
  assert.equal((await flow.command(`fix ${TICKET.key}`)).status, 200);
}

/** Finishes only once the last test run Baton executed for the model passed. */
const finishWhenGreen = (request: Anthropic.MessageCreateParams): ScriptedResponse => {
  if (!/# fail 0/.test(lastToolResults(request).join('\n'))) return { content: [{ type: 'text', text: 'The tests still fail.' }] };
  return finish('range stopped one short of its end (`i < end`); it now includes it. test/range.test.js covers it.');
};

const modelCalls = async (flow: AgentFlow, runId: string): Promise<{ turn: number; model: string; stop_reason: string }[]> =>
  (await flow.db.pool.query("SELECT turn, model, stop_reason FROM agent_calls WHERE run_id = $1 AND agent = 'coder' ORDER BY turn", [runId])).rows;

/** Everything Baton posted in the run's thread, as one text. */
const threadText = (flow: AgentFlow, run: RunRow): string => JSON.stringify(flow.slack.repliesTo(run.thread_ts)).replace(/\\n/g, '\n');

/** The requests that reached the fake, as their bodies, in order (failed ones included). */
/** The coder's requests (the reviewers' follow once the change is proven). */
const bodies = (flow: AgentFlow): Anthropic.MessageCreateParams[] => flow.anthropic.requests().filter((request) => !isReviewerRequest(request));

async function assertPullRequest(flow: AgentFlow, run: RunRow): Promise<void> {
  const pulls = flow.github.pulls('acme', 'calc') as { head: { ref: string } }[];
  assert.equal(pulls.length, 1, 'one PR');
  assert.equal(pulls[0]!.head.ref, run.branch);
  assert.equal(run.pr_url !== null, true);
}

test('a 529, a 500, a connection refused and a stream dropped midway are retried within the call; the run reaches its PR', async (t) => {
  const flow = await startModelFlow([A]);
  t.after(() => flow.stop());
  const overloaded: ScriptedResponse = { error: { status: 529, type: 'overloaded_error', retryAfterSeconds: SOON } };
  const serverError: ScriptedResponse = { error: { status: 500, type: 'api_error', retryAfterSeconds: SOON } };
  flow.anthropic.script(
    viewCalc,
    overloaded, createFailingTest,
    serverError, runTests,
    { drop: { afterEvents: 0, beforeResponse: true } }, fixBug,
    { drop: { afterEvents: 4 } }, runTests,
    finishWhenGreen,
  );
  await fix(flow);

  const run = await flow.runWhere(PUBLISHED, 'the run to open its PR', 120_000);
  assert.equal(flow.anthropic.remaining(), 0, 'every scripted answer, failures included, was asked for');
  await assertPullRequest(flow, run);

  // Each failure was retried as the same request (the same turn, the same conversation), not as a new turn.
  const sent = bodies(flow);
  assert.equal(sent.length, 10);
  for (const failed of [1, 3, 5, 7]) {
    assert.deepEqual(sent[failed + 1]!.messages, sent[failed]!.messages, `request ${failed + 2} retried request ${failed + 1} unchanged`);
  }
  // Only the answered calls are stored and charged: six turns, one model, none lost or counted twice.
  const calls = await modelCalls(flow, run.id);
  assert.deepEqual(calls.map((c) => c.turn), [1, 2, 3, 4, 5, 6]);
  assert.ok(calls.every((c) => c.model === A));
  assert.doesNotMatch(threadText(flow, run), /overloaded|Internal server error|terminated/i, 'nothing a retry fixed reached the thread');
});

test('agent.models [A, B] with A overloaded on every try: B takes over, gets A\'s thinking back unchanged, and the run completes', async (t) => {
  const flow = await startModelFlow([A, B]);
  t.after(() => flow.stop());
  const thinking = (text: string, step: ScriptedMessage): ScriptedMessage => ({ content: [{ type: 'thinking', thinking: text }, ...step.content] });
  const steps: ScriptedEntry[] = [
    thinking('Read range() first.', viewCalc), thinking('A test for both ends.', createFailingTest), runTests, fixBug, runTests, finishWhenGreen,
  ];
  // A answers the first two turns, then is overloaded on every request, retries included.
  flow.anthropic.handle((request, info) => {
    if (request.model === A && info.turn >= 2) return { error: { status: 529, type: 'overloaded_error', retryAfterSeconds: SOON } };
    const step = steps[info.turn];
    return typeof step === 'function' ? step(request, info) : step;
  });
  await fix(flow);

  const run = await flow.runWhere(PUBLISHED, 'the run to open its PR on the fallback model', 120_000);
  await assertPullRequest(flow, run);
  const calls = await modelCalls(flow, run.id);
  assert.deepEqual(calls.map((c) => `${c.turn}:${c.model}`), [`1:${A}`, `2:${A}`, `3:${B}`, `4:${B}`, `5:${B}`, `6:${B}`]);

  const sent = bodies(flow);
  const toA = sent.filter((r) => r.model === A);
  assert.equal(toA.length, 2 + 3, 'A: two answers, then one overloaded call (the SDK\'s 2 retries included), then skipped while it cools down');
  // B got the conversation as A left it: A's thinking blocks, signatures and all, in their place.
  const firstToB = sent.find((r) => r.model === B)!;
  const aThinking = firstToB.messages.flatMap((m) => (typeof m.content === 'string' ? [] : m.content.filter((b) => b.type === 'thinking')));
  assert.deepEqual(aThinking.map((b) => (b as Anthropic.ThinkingBlockParam).thinking), ['Read range() first.', 'A test for both ends.']);
  assert.ok(aThinking.every((b) => (b as Anthropic.ThinkingBlockParam).signature === flow.anthropic.signThinking((b as Anthropic.ThinkingBlockParam).thinking)));
});

test('a spend-limit 429 ends the run with its reason in the thread; the queue does not try again', async (t) => {
  const flow = await startModelFlow([A]);
  t.after(() => flow.stop());
  const said = 'This request would exceed your organization\'s monthly spend limit of $500.';
  flow.anthropic.handle((_request, info) =>
    info.turn === 0 ? viewCalc : { error: { status: 429, type: 'rate_limit_error', message: said, retryAfterSeconds: SOON } });
  await fix(flow);

  const run = await flow.runWhere("status = 'failed'", 'the run to fail on the spend limit');
  assert.match(run.status_reason!, /monthly spend limit of \$500/);
  assert.match(run.status_reason!, /Raise the organisation's spend limit with Anthropic, then retry the run/);
  // The thread is told after the run's state commits: wait for it.
  await eventually(async () => /monthly spend limit of \$500/.test(threadText(flow, run)) || undefined, 20_000, 'the reason in the thread');
  assert.deepEqual((await modelCalls(flow, run.id)).map((c) => c.turn), [1], 'the refused call is not charged');
  // The SDK cannot tell a spend limit from a rate limit by status, so it retries the 429 (HTTP_RETRIES) first.
  assert.equal(bodies(flow).length, 1 + 3);
  assert.equal(flow.github.pulls('acme', 'calc').length, 0);
  const { rows } = await flow.db.pool.query<{ retry_count: number; state: string }>(
    `SELECT retry_count, state FROM ${flow.db.schema}_jobs.job WHERE name = 'run.fix'`,
  );
  assert.deepEqual(rows.map((r) => r.retry_count), [0], 'run.fix ran once: waiting does not raise a spend limit');
});

test('a refusal ends the run with the refusal\'s explanation in the thread', async (t) => {
  const flow = await startModelFlow([A]);
  t.after(() => flow.stop());
  const explanation = 'The ticket asks for a change that would disable authentication checks for every user';
  flow.anthropic.script(viewCalc, {
    content: [{ type: 'text', text: 'I can\'t help with that.' }],
    stop_reason: 'refusal', stop_details: { category: 'cyber', explanation },
  });
  await fix(flow);

  const run = await flow.runWhere("status = 'failed'", 'the run to fail on the refusal');
  assert.match(run.status_reason!, /The model declined to work on this ticket \(cyber\): The ticket asks for a change that would disable authentication checks for every user\./);
  await eventually(async () => /disable authentication checks for every user/.test(threadText(flow, run)) || undefined, 20_000, "the refusal's explanation in the thread");
  assert.deepEqual((await modelCalls(flow, run.id)).map((c) => `${c.turn}:${c.stop_reason}`), ['1:tool_use', '2:refusal']);
  assert.equal(flow.anthropic.remaining(), 0);
  assert.equal(flow.github.pulls('acme', 'calc').length, 0);
});

test('pause_turn mid-run: the paused reply goes back unchanged, the model goes on, and the run reaches its PR', async (t) => {
  const flow = await startModelFlow([A]);
  t.after(() => flow.stop());
  const paused = 'Reading the tests before changing anything…';
  let sentBack: Anthropic.MessageParam | undefined;
  flow.anthropic.script(
    viewCalc,
    { content: [{ type: 'text', text: paused }], stop_reason: 'pause_turn' },
    (request) => {
      sentBack = request.messages.at(-1);
      return createFailingTest;
    },
    runTests, fixBug, runTests, finishWhenGreen,
  );
  await fix(flow);

  const run = await flow.runWhere(PUBLISHED, 'the run to open its PR after a paused turn', 120_000);
  assert.equal(flow.anthropic.remaining(), 0);
  await assertPullRequest(flow, run);
  assert.equal(sentBack?.role, 'assistant', 'the paused turn was sent back as the last message');
  assert.deepEqual(typeof sentBack?.content === 'string' ? sentBack.content : sentBack?.content.map((b) => (b.type === 'text' ? b.text : b.type)), [paused]);
  assert.deepEqual((await modelCalls(flow, run.id)).map((c) => c.stop_reason), ['tool_use', 'pause_turn', 'tool_use', 'tool_use', 'tool_use', 'tool_use', 'tool_use']);
});

test('a reply cut off at max_tokens inside a create is never run: the file exists nowhere, and the run goes on to its PR', async (t) => {
  const flow = await startModelFlow([A]);
  t.after(() => flow.stop());
  const leakInput = { command: 'create', path: 'src/leak.js', file_text: 'export const leaked = true;\n'.repeat(20) };
  const leak = editor(leakInput, 'Adding a helper.');
  let toldCutOff = '';
  let cutOffResult: Anthropic.ToolResultBlockParam | undefined;
  let cutOffCall: Anthropic.ContentBlockParam | undefined;
  flow.anthropic.script(
    viewCalc,
    // Cut just before the input's closing brace: the SDK fills the input from the partial JSON, so it is
    // a whole, valid create, and only the stop reason says the model had not finished.
    { ...leak, truncateToolInput: JSON.stringify(leakInput).length - 1 },
    (request, info) => {
      toldCutOff = lastUserText(request);
      cutOffResult = info.lastToolResults[0];
      const reply = request.messages.at(-2)?.content;
      cutOffCall = typeof reply === 'string' ? undefined : reply?.find((b) => b.type === 'tool_use');
      return createFailingTest;
    },
    runTests, fixBug, runTests, finishWhenGreen,
  );
  await fix(flow);

  const run = await flow.runWhere(PUBLISHED, 'the run to open its PR after the cut-off reply', 120_000);
  assert.equal(flow.anthropic.remaining(), 0);
  await assertPullRequest(flow, run);
  assert.deepEqual((await modelCalls(flow, run.id)).map((c) => c.stop_reason), ['tool_use', 'max_tokens', 'tool_use', 'tool_use', 'tool_use', 'tool_use', 'tool_use']);

  // What the SDK made of the cut-off call is a whole create, as valid as any...
  assert.ok(cutOffCall?.type === 'tool_use');
  assert.deepEqual(cutOffCall.input, leakInput, 'the cut-off input came through as if whole');
  // ...and the model was told the call did not run, and why.
  assert.equal(cutOffResult?.is_error, true);
  assert.equal(cutOffResult?.content, CUT_OFF_CALL);
  assert.match(toldCutOff, /cut off at the output limit .* none of its tool calls ran/);

  // The file is not on the pushed branch, nor anywhere in Baton's data directory (worktrees, mirror).
  const git = fixtureGit(flow.dataDir);
  const files = (await git(['ls-tree', '-r', '--name-only', run.branch!], flow.demo.remote.path)).split('\n');
  assert.ok(files.includes('test/range.test.js'), 'the branch holds the run\'s real change');
  assert.ok(!files.includes('src/leak.js'), 'the cut-off create is not on the branch');
  assert.deepEqual(await findFiles(flow.dataDir, 'leak.js'), [], 'the cut-off create wrote nothing on disk');
});

async function findFiles(root: string, name: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.name === name).map((e) => join(e.parentPath, e.name));
}
