import { after, before, test } from 'node:test';
import { ACTIONS } from '../../src/bot/views/action-ids.ts';
import assert from 'node:assert/strict';
import type Anthropic from '@anthropic-ai/sdk';
import { createFailingTest, finish, fixBug, lastToolResults, runTests, viewCalc } from '../agents/coder-fixture.ts';
import type { ScriptedResponse } from '../fakes/fake-anthropic.ts';
import { count } from '../support/test-database.ts';
import { CHANNEL, startAgentFlow, TICKET, type AgentFlow, PUBLISHED } from '../support/agent-flow.ts';

/*
 * The product's main path, end to end: a signed `/agent fix` becomes a PR. The scripted model
 * views the file, writes a failing test, runs it, fixes the bug, runs it again and finishes only
 * when the tool results it was sent show the suite green; Baton proves the change itself
 * (FAIL_TO_PASS), pushes the branch and opens the PR, and the thread shows it all.
 */

let flow: AgentFlow;
before(async () => {
  flow = await startAgentFlow();
});
after(async () => {
  await flow?.stop();
});

/** Finishes only once the last test run Baton executed for the model passed. */
const finishWhenGreen = (request: Anthropic.MessageCreateParams): ScriptedResponse => {
  const results = lastToolResults(request).join('\n');
  if (!/# fail 0/.test(results)) return { content: [{ type: 'text', text: `The tests still fail:\n${results.slice(0, 200)}` }] };
  return finish('range stopped one short of its end (`i < end`); it now includes it. test/range.test.js covers it.');
};

test('/agent fix → the agent fixes the bug in the sandbox → Baton proves it → one branch, one PR, and the thread shows it', async () => {
  flow.anthropic.script(viewCalc, createFailingTest, runTests, fixBug, runTests, finishWhenGreen);
  const response = await flow.command(`fix ${TICKET.key}`);
  assert.equal(response.status, 200);
  assert.match((response.json as { text: string }).text, /Queued ENG-42/);

  const run = await flow.runWhere(PUBLISHED, 'the run to open its PR and wait for people', 120_000);
  assert.equal(flow.anthropic.remaining(), 0, 'every scripted model turn was used');

  // Baton proved it itself: the new test failed on the base with only the test applied, and passed with the change.
  const outcome = run.outcome!;
  assert.deepEqual(outcome.evidence.testFiles, ['test/range.test.js']);
  const byLabel = new Map(outcome.evidence.runs.map((r) => [r.label, r.exitCode]));
  assert.notEqual(byLabel.get('base_with_new_tests'), 0, 'the new test fails on the base commit');
  assert.equal(byLabel.get('change'), 0, 'the suite passes with the change');

  // One branch on the remote at the proven commit, one PR on GitHub from it.
  const refs = await flow.demo.remote.refs();
  const branches = [...refs.keys()].filter((ref) => ref.startsWith('refs/heads/baton/'));
  assert.deepEqual(branches, [`refs/heads/${run.branch}`]);
  assert.match(run.branch!, /^baton\/ENG-42-/);
  const pulls = flow.github.pulls('acme', 'calc') as { head: { ref: string; sha: string }; html_url: string; body: string }[];
  assert.equal(pulls.length, 1);
  assert.equal(pulls[0]!.head.ref, run.branch);
  assert.equal(refs.get(`refs/heads/${run.branch}`), outcome.headSha, 'the pushed head is the commit Baton proved');
  assert.match(pulls[0]!.body, /Fixes ENG-42/);
  assert.equal(run.pr_url, pulls[0]!.html_url);

  // The ticket is linked and moved.
  const issue = flow.linear.getIssue('ENG-42');
  assert.equal(issue.state.name, 'In Review');
  assert.ok(issue.comments.some((c) => c.body.includes(run.pr_url!)));

  // The thread: the status checklist, the card (PR link, summary, diff preview) and the diff file; nothing else.
  const replies = flow.slack.repliesTo(run.thread_ts);
  const status = replies.find((m) => m.ts === run.status_ts)!;
  const statusText = JSON.stringify(status.blocks);
  for (const step of ['Ticket read', 'Workspace ready', 'Reproduction found', 'Fix written', 'Tests green', 'PR open']) {
    assert.match(statusText, new RegExp(`white_check_mark:? ${step}`), `checklist shows "${step}" done`);
  }
  const card = replies.find((m) => JSON.stringify(m.blocks ?? []).includes(ACTIONS.gateApprove))!;
  assert.ok(card, 'the review card, with its buttons');
  const cardText = JSON.stringify(card.blocks);
  assert.ok(cardText.includes(run.pr_url!), 'the PR link');
  assert.ok(cardText.includes('i &lt;= end'), 'the diff preview shows the fix');
  assert.ok(cardText.includes('Summary'), 'the summary');
  const uploads = flow.slack.uploads().filter((u) => u.completed);
  assert.equal(uploads.length, 1, 'one diff file');
  assert.equal(uploads[0]!.thread_ts, run.thread_ts);
  assert.equal(uploads[0]!.channel_id, CHANNEL);
  assert.match(uploads[0]!.data!.toString(), /\+\s+for \(let i = start; i <= end; i\+\+\)/);
  assert.match(uploads[0]!.data!.toString(), /test\/range\.test\.js/);
  assert.equal(replies.length, 3, `status, card and file, and no stream of messages: ${replies.map((r) => r.text).join(' | ')}`);

  // Real bubblewrap ran the tests: nothing in the thread says otherwise.
  const { rows } = await flow.db.pool.query<{ unsandboxed: boolean }>('SELECT unsandboxed FROM runs WHERE id = $1', [run.id]);
  assert.equal(rows[0]!.unsandboxed, false);
  assert.ok(!JSON.stringify(replies).includes('WITHOUT a sandbox'));

  // Every model call is stored and charged to the run: the coder's six, and the reviewers'.
  const calls = await count(flow.db.pool, "SELECT 1 FROM agent_calls WHERE run_id = $1 AND agent = 'coder'", [run.id]);
  assert.equal(calls, 6);
  assert.ok((await count(flow.db.pool, "SELECT 1 FROM agent_calls WHERE run_id = $1 AND agent LIKE 'reviewer:%'", [run.id])) >= 3, 'each reviewer answered');
  assert.ok(Number(run.cost_usd) > 0);
});

test('a redelivered run.publish changes nothing: still one PR, one card, one file', async () => {
  const { rows } = await flow.db.pool.query<{ id: string }>('SELECT id FROM runs WHERE ticket_key = $1', [TICKET.key]);
  const runId = rows[0]!.id;
  const { rows: jobs } = await flow.db.pool.query<{ data: unknown }>(
    `SELECT data FROM ${flow.db.schema}_jobs.job WHERE name = 'run.publish' AND data->>'runId' = $1`,
    [runId],
  );
  const repliesBefore = flow.slack.repliesTo((await flow.runWhere('true', 'the run')).thread_ts).length;
  await flow.app.baton.queue.enqueue(flow.db.pool, 'run.publish', jobs[0]!.data as never);
  await flow.runWhere(`(SELECT count(*) FROM ${flow.db.schema}_jobs.job WHERE name = 'run.publish' AND state = 'completed') = 2`, 'the second delivery to complete', 30_000);
  assert.equal(flow.github.pulls('acme', 'calc').length, 1);
  assert.equal(flow.slack.uploads().filter((u) => u.completed).length, 1);
  assert.equal(flow.slack.repliesTo((await flow.runWhere('true', 'the run')).thread_ts).length, repliesBefore);
});
