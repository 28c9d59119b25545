import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type Anthropic from '@anthropic-ai/sdk';
import { migrate } from '../../src/db/migrate.ts';
import { withTransaction } from '../../src/db/pool.ts';
import { loadConversation, parkForClarification } from '../../src/db/run-agent.ts';
import { insertRun, transitionRun } from '../../src/db/runs.ts';
import { FakeAnthropic, type ScriptedMessage } from '../fakes/fake-anthropic.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { coderWorld, createFailingTest, finish, fixBug, runTests, viewCalc, withoutCacheControl } from './coder-fixture.ts';

/*
 * A parked run's conversation goes through PostgreSQL (agent_conversations.messages, a json column)
 * and back to the API. Thinking blocks are signed and tied to what came before them: the resumed
 * request must carry them exactly as the model sent them, in their order among the text and tool
 * calls. FakeAnthropic refuses a thinking block whose text or signature changed, and a tool turn
 * that lost its leading thinking, as the API does.
 */

const fake = new FakeAnthropic();
let db: TestDatabase;
before(async () => {
  await fake.start();
  db = await createTestDatabase();
  await migrate(db.pool, db.schema);
});
after(async () => {
  await fake.stop();
  await db.drop();
});

const thinking = (text: string, step: ScriptedMessage): ScriptedMessage => ({ content: [{ type: 'thinking', thinking: text }, ...step.content] });

test('thinking survives a park in PostgreSQL: the resumed request sends every block back unchanged and in order', async (t) => {
  const world = await coderWorld(t, fake);
  fake.script(
    thinking('range() is in src/calc.js — read it; note the “<” and the \\ in `i < end`.', viewCalc),
    {
      content: [
        { type: 'thinking', thinking: 'Both ends? The docs say so, the code disagrees. Ask.\n\u2028(line separator) 🧮' },
        { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP' },
        { type: 'text', text: 'One question before I change anything.' },
        { type: 'tool_use', name: 'ask_clarification', input: { question: 'Should range include its end?' } },
      ],
    },
  );
  const parked = await world.run();
  assert.deepEqual(parked.outcome, { kind: 'needs_clarification', question: 'Should range include its end?' });

  const run = (await insertRun(db.pool, { ticketKey: 'ENG-42', source: 'slack', requestedBy: 'U1', channelId: 'C1', priority: 0 }))!;
  await transitionRun(db.pool, run.id, ['queued'], 'running', null);
  assert.ok(await withTransaction(db.pool, (tx) => parkForClarification(tx, run.id, 'Should range include its end?', parked.conversation)));
  const loaded = await loadConversation<Anthropic.MessageParam>(db.pool, run.id);
  assert.deepEqual(loaded, parked.conversation, 'the database gives back the conversation as saved');

  let resumedWith: Anthropic.MessageParam[] = [];
  fake.script((request) => {
    resumedWith = request.messages;
    return createFailingTest;
  }, runTests, fixBug, runTests, finish('range includes its end now'));
  const result = await world.run({ resume: { conversation: loaded!, answer: 'Yes, both ends.', answeredBy: 'Ada' }, spentUsd: parked.costUsd });
  assert.equal(result.outcome.kind, 'proven', JSON.stringify(result.outcome));

  // The assistant turns went back block for block: type order, thinking text and signature, redacted data.
  const assistantBlocks = (messages: readonly Anthropic.MessageParam[]) =>
    messages.filter((m) => m.role === 'assistant').map((m) => (typeof m.content === 'string' ? [m.content] : m.content));
  const sentBack = assistantBlocks(withoutCacheControl(resumedWith) as Anthropic.MessageParam[]);
  assert.deepEqual(sentBack, assistantBlocks(parked.conversation));
  assert.deepEqual(sentBack.map((blocks) => blocks.map((b) => (typeof b === 'string' ? 'string' : b.type))), [
    ['thinking', 'text', 'tool_use'],
    ['thinking', 'redacted_thinking', 'text', 'tool_use'],
  ]);
  const signed = sentBack.flat().filter((b): b is Anthropic.ThinkingBlockParam => typeof b !== 'string' && b.type === 'thinking');
  assert.equal(signed.length, 2);
  for (const block of signed) assert.equal(block.signature, fake.signThinking(block.thinking), 'the signature the fake issued for this text');
});
