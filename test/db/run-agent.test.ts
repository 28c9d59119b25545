import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { migrate } from '../../src/db/migrate.ts';
import { withTransaction } from '../../src/db/pool.ts';
import {
  answerClarification, clarificationAnsweredBy, continueAfterBudget, listRunsWaitingForAgent, loadConversation, markProgress, markUnsandboxed, parkForBudget,
  parkForClarification, recordOutcome, saveConversation, setCostCap, startAgentClock, stopWaitingForAgent, waitForAgent,
} from '../../src/db/run-agent.ts';
import { getRun, insertRun, transitionRun } from '../../src/db/runs.ts';
import type { RunOutcome } from '../../src/domain/run.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
  await migrate(db.pool, db.schema);
});
after(() => db.drop());

let serial = 0;
async function runningRun(): Promise<string> {
  serial += 1;
  const run = (await insertRun(db.pool, { ticketKey: `AG-${serial}`, source: 'slack', requestedBy: 'U1', channelId: 'C1', priority: 0 }))!;
  await transitionRun(db.pool, run.id, ['queued'], 'running', null);
  return run.id;
}

// A conversation as the Messages API has it, with what must survive byte for byte.
const CONVERSATION = [
  { role: 'user', content: [{ type: 'text', text: 'Fix ENG-1 \u0000 (a NUL a test printed) and “quotes”' }] },
  {
    role: 'assistant',
    content: [
      { type: 'thinking', thinking: 'Look at add().', signature: 'EqQBCkgIARABGAIiQL+sig/==' },
      { type: 'tool_use', id: 'toolu_01', name: 'ask_clarification', input: { question: 'Which currency?' } },
    ],
  },
];

test('progress: steps are marked once each and kept in checklist order, whatever order they come in', async () => {
  const runId = await runningRun();
  assert.deepEqual((await markProgress(db.pool, runId, 'fix_written'))?.progress, ['fix_written']);
  assert.deepEqual((await markProgress(db.pool, runId, 'ticket_read'))?.progress, ['ticket_read', 'fix_written']);
  assert.equal(await markProgress(db.pool, runId, 'ticket_read'), undefined, 'a step already marked is no news');
  await Promise.all([markProgress(db.pool, runId, 'reproduced'), markProgress(db.pool, runId, 'workspace_ready'), markProgress(db.pool, runId, 'reproduced')]);
  assert.deepEqual((await getRun(db.pool, runId))!.progress, ['ticket_read', 'workspace_ready', 'reproduced', 'fix_written']);
});

test('the conversation comes back exactly as saved (thinking signatures, NUL, unicode), and a new save replaces it', async () => {
  const runId = await runningRun();
  assert.equal(await loadConversation(db.pool, runId), undefined);
  await saveConversation(db.pool, runId, CONVERSATION);
  assert.deepEqual(await loadConversation(db.pool, runId), CONVERSATION);
  const { rows } = await db.pool.query<{ text: string }>('SELECT messages::text AS text FROM agent_conversations WHERE run_id = $1', [runId]);
  assert.equal(rows[0]!.text, JSON.stringify(CONVERSATION), 'stored as the same JSON text');
  await saveConversation(db.pool, runId, CONVERSATION.slice(0, 1));
  assert.deepEqual(await loadConversation(db.pool, runId), CONVERSATION.slice(0, 1));
});

test('clarification: running → needs_clarification with the question and the conversation, then an answer queues it again', async () => {
  const runId = await runningRun();
  const parked = await withTransaction(db.pool, (tx) => parkForClarification(tx, runId, 'Which currency?', CONVERSATION));
  assert.equal(parked?.status, 'needs_clarification');
  assert.equal(parked?.question, 'Which currency?');
  assert.match(parked!.statusReason!, /reply in this thread, or update the ticket/);
  assert.deepEqual(await loadConversation(db.pool, runId), CONVERSATION);
  assert.equal(await withTransaction(db.pool, (tx) => parkForClarification(tx, runId, 'again?', [])), undefined, 'only a running run parks');
  const resumed = await withTransaction(db.pool, (tx) => answerClarification(tx, runId, { text: 'Euros.', by: 'U1' }, 'Answered in the thread; resuming.'));
  assert.equal(resumed?.status, 'queued');
  assert.equal(resumed?.clarificationAnswer, 'Euros.');
  assert.equal(await withTransaction(db.pool, (tx) => answerClarification(tx, runId, { text: 'Dollars.', by: 'U2' }, 'x')), undefined, 'a second answer does not resume it twice');
});

test('a run cancelled before it could park stays cancelled, and no conversation is saved for it', async () => {
  const runId = await runningRun();
  await transitionRun(db.pool, runId, ['running'], 'cancelled', 'Cancelled by U2');
  assert.equal(await withTransaction(db.pool, (tx) => parkForClarification(tx, runId, 'q?', CONVERSATION)), undefined);
  assert.equal(await withTransaction(db.pool, (tx) => parkForBudget(tx, runId, 'r', CONVERSATION)), undefined);
  assert.equal((await getRun(db.pool, runId))!.status, 'cancelled');
  assert.equal(await loadConversation(db.pool, runId), undefined);
});

test('budget: the run parks in awaiting_budget, and Continue raises its cap once and queues it', async () => {
  const runId = await runningRun();
  assert.equal((await setCostCap(db.pool, runId, 5))?.costCapUsd, 5);
  const parked = await withTransaction(db.pool, (tx) => parkForBudget(tx, runId, 'Spent $4.02 of $5.00: Continue or Stop?', CONVERSATION));
  assert.equal(parked?.status, 'awaiting_budget');
  assert.deepEqual(await loadConversation(db.pool, runId), CONVERSATION);
  // Two clicks at once: one wins.
  const clicks = await Promise.all([
    withTransaction(db.pool, (tx) => continueAfterBudget(tx, runId, 10, 'U1', 'Continued by U1')),
    withTransaction(db.pool, (tx) => continueAfterBudget(tx, runId, 10, 'U2', 'Continued by U2')),
  ]);
  const won = clicks.filter((run) => run !== undefined);
  assert.equal(won.length, 1);
  assert.equal(won[0]!.status, 'queued');
  assert.equal(won[0]!.costCapUsd, 10);
  // Working again, it reaches the raised cap: it may park, but Continue is spent.
  await transitionRun(db.pool, runId, ['queued'], 'running', null);
  await withTransaction(db.pool, (tx) => parkForBudget(tx, runId, 'again', CONVERSATION));
  assert.equal(await withTransaction(db.pool, (tx) => continueAfterBudget(tx, runId, 20, 'U1', 'x')), undefined);
  assert.equal((await getRun(db.pool, runId))!.costCapRaisedBy, won[0]!.costCapRaisedBy);
});

test('outcome and the unsandboxed mark are kept on the run; head_sha (the push lease) is left alone', async () => {
  const runId = await runningRun();
  const outcome: RunOutcome = {
    summary: 'Fixed the off-by-one in add().',
    headSha: 'c'.repeat(40),
    diffStats: { files: 2, added: 14, removed: 1 },
    evidence: {
      testFiles: ['test/add.test.js'],
      sandboxed: false,
      runs: [
        { label: 'base_with_new_tests', command: 'npm test', exitCode: 1, timedOut: false, durationMs: 900 },
        { label: 'change', command: 'npm test', exitCode: 0, timedOut: false, durationMs: 870 },
      ],
    },
  };
  assert.equal((await markUnsandboxed(db.pool, runId))?.unsandboxed, true);
  assert.equal(await markUnsandboxed(db.pool, runId), undefined, 'already marked');
  const recorded = await withTransaction(db.pool, (tx) => recordOutcome(tx, runId, outcome));
  assert.deepEqual(recorded?.outcome, outcome);
  assert.equal(recorded?.headSha, null);
  await transitionRun(db.pool, runId, ['running'], 'failed', 'x');
  assert.equal(await withTransaction(db.pool, (tx) => recordOutcome(tx, runId, outcome)), undefined, 'an ended run records nothing');
  assert.equal(await setCostCap(db.pool, runId, 50), undefined, 'nor a new cap');
});

test('the agent clock runs across redeliveries and stops while the run waits for a person', async () => {
  const runId = await runningRun();
  const first = await startAgentClock(db.pool, runId);
  assert.ok(first !== undefined);
  // Ten minutes of agent work, as if the clock had started then.
  await db.pool.query(`UPDATE runs SET agent_clock_started_at = agent_clock_started_at - interval '10 minutes' WHERE id = $1`, [runId]);
  // A redelivery after a worker died goes on with the same clock.
  const redelivered = await startAgentClock(db.pool, runId);
  assert.equal(redelivered, first - 10 * 60_000);
  // Parked for a question: the ten minutes are kept, the clock stops.
  await withTransaction(db.pool, (tx) => parkForClarification(tx, runId, 'Which?', CONVERSATION));
  const { rows } = await db.pool.query('SELECT agent_clock_started_at, agent_elapsed_ms FROM runs WHERE id = $1', [runId]);
  assert.equal(rows[0].agent_clock_started_at, null);
  assert.ok(Number(rows[0].agent_elapsed_ms) >= 10 * 60_000);
  // A day later the answer resumes it: the wait does not count, the ten minutes do.
  await withTransaction(db.pool, (tx) => answerClarification(tx, runId, { text: 'This one.', by: 'U7' }, 'r'));
  assert.equal(await clarificationAnsweredBy(db.pool, runId), 'U7');
  const resumed = await startAgentClock(db.pool, runId);
  const agentTime = Date.now() - resumed!;
  assert.ok(agentTime >= 10 * 60_000 && agentTime < 11 * 60_000, `${agentTime} ms on the agent's clock`);
});

test('a run waiting for a model configuration is marked once, and taken off the wait once', async () => {
  const runId = await runningRun();
  await transitionRun(db.pool, runId, ['running'], 'queued', null);
  assert.equal((await waitForAgent(db.pool, runId, 'no model'))?.statusReason, 'no model');
  assert.deepEqual((await listRunsWaitingForAgent(db.pool)).map((r) => r.id).filter((id) => id === runId), [runId]);
  const both = await Promise.all([
    withTransaction(db.pool, (tx) => stopWaitingForAgent(tx, runId, 'starting')),
    withTransaction(db.pool, (tx) => stopWaitingForAgent(tx, runId, 'starting')),
  ]);
  assert.equal(both.filter(Boolean).length, 1, 'of two workers starting at once, one takes it');
  assert.ok(!(await listRunsWaitingForAgent(db.pool)).some((r) => r.id === runId));
});
