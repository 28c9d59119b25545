import { isReviewerRequest } from '../support/agent-world.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type Anthropic from '@anthropic-ai/sdk';
import { createFailingTest, finish, fixBug, lastToolResults, runTests, viewCalc } from '../agents/coder-fixture.ts';
import type { ScriptedResponse } from '../fakes/fake-anthropic.ts';
import { eventually } from '../support/eventually.ts';
import { count } from '../support/test-database.ts';
import { startAgentFlow, TICKET, PUBLISHED } from '../support/agent-flow.ts';

/*
 * pg-boss may deliver run.fix again while its agent works (the job's expiry passed, a retry raced
 * it). The agent's live slot lease tells the second delivery to end at once: one agent, one
 * branch, one PR.
 */

const finishWhenGreen = (request: Anthropic.MessageCreateParams): ScriptedResponse =>
  /# fail 0/.test(lastToolResults(request).join('\n'))
    ? finish('range now includes its end; test/range.test.js covers it.')
    : { content: [{ type: 'text', text: 'still red' }] };

test('run.fix delivered again while its agent works: the second delivery ends at once; one agent, one branch, one PR', async (t) => {
  const flow = await startAgentFlow();
  t.after(() => flow.stop());
  // The first model answer streams slowly, so the agent is surely mid-call when the job comes again.
  flow.anthropic.script({ ...viewCalc, chunkDelayMs: 250 }, createFailingTest, runTests, fixBug, runTests, finishWhenGreen);
  await flow.command(`fix ${TICKET.key}`);
  const run = await flow.runWhere("status = 'running'", 'the agent to start');
  await eventually(async () => flow.anthropic.requests().length === 1 || undefined, 20_000, 'the first model call');

  const jobs = `${flow.db.schema}_jobs.job`;
  await flow.app.baton.queue.enqueue(flow.db.pool, 'run.fix', { runId: run.id });
  await eventually(
    async () => (await count(flow.db.pool, `SELECT 1 FROM ${jobs} WHERE name = 'run.fix' AND data->>'runId' = $1 AND state = 'completed'`, [run.id])) >= 1,
    20_000,
    'the second delivery to end',
  );
  assert.equal(flow.anthropic.requests().length < 6, true, 'it ended while the first agent was still working');

  const done = await flow.runWhere(PUBLISHED, 'the run to reach its PR', 120_000);
  assert.equal(await count(flow.db.pool, `SELECT 1 FROM ${jobs} WHERE name = 'run.fix' AND data->>'runId' = $1 AND state = 'completed'`, [run.id]), 2);
  assert.equal(flow.anthropic.requests().filter((request) => !isReviewerRequest(request)).length, 6, 'one agent: every scripted turn once, none repeated');
  assert.equal(flow.github.pulls('acme', 'calc').length, 1);
  const branches = [...(await flow.demo.remote.refs()).keys()].filter((ref) => ref.startsWith('refs/heads/baton/'));
  assert.deepEqual(branches, [`refs/heads/${done.branch}`]);
  assert.equal(await count(flow.db.pool, "SELECT 1 FROM agent_calls WHERE run_id = $1 AND agent = 'coder'", [run.id]), 6);
});
