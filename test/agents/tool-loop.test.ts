import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { FakeAnthropic } from '../fakes/fake-anthropic.ts';
import { runToolLoop } from '../../src/agents/tool-loop.ts';
import { CUT_OFF_CALL } from '../../src/agents/loop-messages.ts';
import { ModelError } from '../../src/agents/model-error.ts';
import type { ModelCall } from '../../src/agents/model-client.ts';
import {
  FALLBACK, SYSTEM, blocksOf, customTool, finishTool, hasCacheControl, modelClient, ticket, type Stop,
} from './tool-loop-fixtures.ts';

const fake = new FakeAnthropic();
const signal = () => new AbortController().signal;
const loop = (tools: Parameters<typeof runToolLoop<Stop>>[0]['tools'], extra: Partial<Parameters<typeof runToolLoop<Stop>>[0]> = {}) =>
  runToolLoop<Stop>({ model: modelClient(fake.url), system: SYSTEM, tools, messages: ticket(), maxTokens: 4096, signal: signal(), ...extra });
const finish = (summary = 'fixed') => ({ content: [{ type: 'tool_use' as const, name: 'finish', input: { summary } }] });

before(() => fake.start());
beforeEach(() => fake.reset());
after(() => fake.stop());

test('parallel calls: read-only ones run together, a write waits its turn, all answered in one message in call order', async () => {
  const events: string[] = [];
  let inFlight = 0;
  let most = 0;
  const read = customTool('read_file', true, async (input) => {
    const path = (input as { path: string }).path;
    events.push(`read ${path} start`);
    most = Math.max(most, ++inFlight);
    await new Promise((resolve) => setImmediate(resolve));
    inFlight--;
    events.push(`read ${path} end`);
    return { content: `contents of ${path}` };
  });
  const write = customTool('write_file', false, async (input) => {
    events.push(`write ${(input as { path: string }).path}`);
    return { content: 'written' };
  });
  fake.script(
    {
      content: [
        { type: 'text', text: 'Reading both, then writing.' },
        { type: 'tool_use', id: 't1', name: 'read_file', input: { path: 'a' } },
        { type: 'tool_use', id: 't2', name: 'read_file', input: { path: 'b' } },
        { type: 'tool_use', id: 't3', name: 'write_file', input: { path: 'c' } },
        { type: 'tool_use', id: 't4', name: 'read_file', input: { path: 'c' } },
      ],
    },
    finish('done'),
  );

  const result = await loop([read, write, finishTool()]);

  assert.deepEqual(result.end, { kind: 'terminal', value: { summary: 'done' } });
  assert.equal(result.turns, 2);
  assert.equal(most, 2, 'the two leading reads overlapped');
  assert.deepEqual(events.slice(2), ['read a end', 'read b end', 'write c', 'read c start', 'read c end']);
  const second = fake.requests()[1]!;
  assert.equal(second.messages.length, 3);
  const answers = blocksOf(second.messages[2]);
  assert.deepEqual(answers.map((b) => b.type === 'tool_result' && [b.tool_use_id, b.content]), [
    ['t1', 'contents of a'], ['t2', 'contents of b'], ['t3', 'written'], ['t4', 'contents of c'],
  ]);
  assert.deepEqual(result.messages.map((m) => m.role), ['user', 'assistant', 'user', 'assistant', 'user']);
  assert.equal(blocksOf(result.messages.at(-1))[0]?.type, 'tool_result', 'the finish call is answered too');
});

test('a tool that throws, or one that does not exist, answers is_error and the loop goes on', async () => {
  const explode = customTool('explode', false, () => {
    throw new Error('boom\nstack details that the model does not need');
  });
  let seen: Anthropic.ToolResultBlockParam[] = [];
  fake.script(
    { content: [{ type: 'tool_use', id: 'x1', name: 'explode', input: {} }, { type: 'tool_use', id: 'x2', name: 'no_such_tool', input: {} }] },
    (_request, info) => {
      seen = info.lastToolResults;
      return { content: [{ type: 'text', text: 'I could not do it.' }] };
    },
  );

  const result = await loop([explode, finishTool()]);

  assert.deepEqual(result.end, { kind: 'end_turn', text: 'I could not do it.' });
  assert.deepEqual(seen.map((r) => [r.tool_use_id, r.is_error, r.content]), [
    ['x1', true, 'explode failed: boom'],
    ['x2', true, 'There is no tool named “no_such_tool”. The tools are: explode, finish.'],
  ]);
});

test('a reply cut off at max_tokens inside a tool call: the call is never run, it is answered, and the model is asked for less', async () => {
  let writes = 0;
  const write = customTool('write_file', false, () => {
    writes++;
    return { content: 'written' };
  });
  let cutOff: Anthropic.ContentBlockParam[] = [];
  fake.script(
    {
      content: [
        { type: 'text', text: 'Writing the whole file.' },
        { type: 'tool_use', id: 'big', name: 'write_file', input: { path: 'src/total.ts', content: 'export const total = 1;\n'.repeat(40) } },
      ],
      truncateToolInput: true,
    },
    (request) => {
      cutOff = blocksOf(request.messages.at(-1));
      return finish('smaller now');
    },
  );

  const result = await loop([write, finishTool()]);

  assert.equal(writes, 0, 'the truncated call was not executed');
  assert.deepEqual(result.end, { kind: 'terminal', value: { summary: 'smaller now' } });
  const [answer, note] = cutOff;
  assert.deepEqual(answer, { type: 'tool_result', tool_use_id: 'big', content: CUT_OFF_CALL, is_error: true });
  assert.ok(note?.type === 'text' && /max_tokens = 4096/.test(note.text));
  const kept = blocksOf(result.messages[1]);
  assert.deepEqual(kept.map((b) => b.type), ['text', 'tool_use'], 'the complete text is kept, the cut call stays to be answered');
});

test('pause_turn: the paused reply goes back as it is and the model goes on', async () => {
  let last: Anthropic.MessageParam | undefined;
  fake.script(
    { content: [{ type: 'text', text: 'Still searching…' }], stop_reason: 'pause_turn' },
    (request) => {
      last = request.messages.at(-1);
      return { content: [{ type: 'text', text: 'Found it.' }] };
    },
  );

  const result = await loop([finishTool()]);

  assert.equal(last?.role, 'assistant');
  assert.deepEqual(blocksOf(last).map((b) => b.type === 'text' && b.text), ['Still searching…']);
  assert.deepEqual(result.end, { kind: 'end_turn', text: 'Found it.' });
  assert.equal(result.turns, 2);
  assert.deepEqual(result.messages.map((m) => m.role), ['user', 'assistant'], 'the continuation extends the paused turn');
});

test('a refusal ends the loop with its category and explanation', async () => {
  fake.script({ content: [{ type: 'text', text: 'I will not.' }], stop_details: { category: 'cyber', explanation: 'This asks for malware.' } });
  const result = await loop([finishTool()]);
  assert.deepEqual(result.end, { kind: 'refusal', category: 'cyber', explanation: 'This asks for malware.' });

  fake.script({ content: [], stop_reason: 'refusal' });
  const bare = await loop([finishTool()]);
  assert.equal(bare.end.kind, 'refusal');
  assert.ok(bare.end.kind === 'refusal' && bare.end.category === null && bare.end.explanation.length > 0);
  assert.equal(bare.messages.length, 1, 'an empty refusal adds nothing to the history');
});

test('the context window filled: the loop stops with a reason', async () => {
  fake.script({ content: [{ type: 'text', text: 'Half a thou' }], stop_reason: 'model_context_window_exceeded' });
  const result = await loop([finishTool()]);
  assert.equal(result.end.kind, 'context_window');
  assert.match(result.end.kind === 'context_window' ? result.end.reason : '', /context window .* does not compact/);
});

test('thinking and redacted thinking go back unchanged, in order (the fake refuses them altered)', async () => {
  const read = customTool('read_file', true, () => ({ content: 'export const total = (xs) => xs.length + 1;' }));
  fake.script(
    {
      content: [
        { type: 'thinking', thinking: 'The bug is probably in total.ts; read it first.' },
        { type: 'redacted_thinking', data: 'EuYBCkQYAiJA-opaque' },
        { type: 'text', text: 'Reading total.ts.' },
        { type: 'tool_use', id: 'r1', name: 'read_file', input: { path: 'total.ts' } },
      ],
    },
    { content: [{ type: 'thinking', thinking: 'Off by one: drop the + 1.' }, { type: 'tool_use', name: 'finish', input: { summary: 'dropped + 1' } }] },
  );

  const result = await loop([read, finishTool()]);

  assert.deepEqual(result.end, { kind: 'terminal', value: { summary: 'dropped + 1' } });
  const sent = blocksOf(fake.requests()[1]!.messages[1]);
  assert.deepEqual(sent.slice(0, 2), [
    { type: 'thinking', thinking: 'The bug is probably in total.ts; read it first.', signature: fake.signThinking('The bug is probably in total.ts; read it first.') },
    { type: 'redacted_thinking', data: 'EuYBCkQYAiJA-opaque' },
  ]);

  // The control: the same history with the thinking altered is refused by the fake, as by the API.
  const altered = structuredClone(result.messages);
  const thinking = blocksOf(altered[1])[0];
  assert.ok(thinking?.type === 'thinking');
  thinking.thinking += ' (edited)';
  const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: fake.url, maxRetries: 0 });
  await assert.rejects(
    client.messages.create({ model: 'claude-sonnet-5-5', max_tokens: 100, messages: [...altered, { role: 'user', content: 'go on' }] }),
    (error) => error instanceof Anthropic.BadRequestError && /Invalid `signature`/.test(error.message),
  );
});

test('beforeTurn stops the loop; onModelCall sees every call; costUsd is their sum', async () => {
  const read = customTool('read_file', true, () => ({ content: 'more' }));
  fake.handle(() => ({ content: [{ type: 'tool_use', name: 'read_file', input: { path: 'x' } }] }));
  const calls: (ModelCall & { turn: number })[] = [];
  const asked: { turn: number; costUsd: number }[] = [];

  const result = await loop([read, finishTool()], {
    beforeTurn: async (state) => {
      asked.push(state);
      return state.turn >= 3 ? 'turn limit reached' : undefined;
    },
    onModelCall: async (call) => void calls.push(call),
  });

  assert.deepEqual(result.end, { kind: 'stopped', value: 'turn limit reached' });
  assert.equal(result.turns, 3);
  assert.deepEqual(calls.map((c) => c.turn), [1, 2, 3]);
  assert.deepEqual(asked.map((s) => s.turn), [0, 1, 2, 3]);
  assert.ok(calls.every((c) => c.costUsd > 0));
  const sum = calls.reduce((total, c) => total + c.costUsd, 0);
  assert.ok(Math.abs(result.costUsd - sum) < 1e-12);
  assert.ok(Math.abs(asked[3]!.costUsd - sum) < 1e-12);
  assert.equal(blocksOf(result.messages.at(-1))[0]?.type, 'tool_result', 'stopped with every call answered');
});

test('a terminal tool ends the loop once every call of its turn is answered, and the history stays valid to resume', async () => {
  let reads = 0;
  const read = customTool('read_file', true, () => ({ content: String(++reads) }));
  const original = ticket();
  fake.script({
    content: [
      { type: 'tool_use', id: 'f1', name: 'finish', input: { summary: 'first' } },
      { type: 'tool_use', id: 'r1', name: 'read_file', input: { path: 'a' } },
    ],
  });

  const result = await loop([read, finishTool()], { messages: original });

  assert.deepEqual(result.end, { kind: 'terminal', value: { summary: 'first' } });
  assert.equal(reads, 1);
  assert.deepEqual(blocksOf(result.messages.at(-1)).map((b) => b.type === 'tool_result' && b.tool_use_id), ['f1', 'r1']);
  assert.equal(original.length, 1, "the caller's array is not modified");
  assert.equal(hasCacheControl(original), false, "the caller's blocks carry no breakpoint");
  assert.equal(hasCacheControl(result.messages), false, 'the kept history carries no breakpoint');

  // Resume (as after a clarification): the saved history plus an answer is a valid request.
  fake.script(finish('resumed'));
  const resumed = await loop([read, finishTool()], {
    messages: [...result.messages, { role: 'user', content: [{ type: 'text', text: 'The answer: use floor.' }] }],
  });
  assert.deepEqual(resumed.end, { kind: 'terminal', value: { summary: 'resumed' } });
});

test('a stream dropped mid-turn is retried and the loop completes', async () => {
  const read = customTool('read_file', true, () => ({ content: 'x' }));
  fake.script({ content: [{ type: 'tool_use', name: 'read_file', input: { path: 'a' } }] }, { drop: { afterEvents: 4 } }, finish('after the drop'));
  const result = await loop([read, finishTool()]);
  assert.deepEqual(result.end, { kind: 'terminal', value: { summary: 'after the drop' } });
  assert.equal(result.turns, 2);
  assert.equal(fake.requests().length, 3);
});

test('a spend limit stops the loop with the API\'s reason', async () => {
  fake.script({ error: { status: 400, type: 'billing_error', message: 'Your credit balance is too low to access the Anthropic API.' } });
  await assert.rejects(loop([finishTool()]), (error) =>
    error instanceof ModelError && error.code === 'spend_limit' && !error.retryable && /credit balance is too low/.test(error.message));
});

test('the fallback model carries the loop when the first is unknown', async () => {
  const picky = new FakeAnthropic({ knownModels: [FALLBACK] });
  await picky.start();
  try {
    picky.script(finish('on the fallback'));
    const models: string[] = [];
    const result = await runToolLoop<Stop>({
      model: modelClient(picky.url), system: SYSTEM, tools: [finishTool()], messages: ticket(), maxTokens: 1024, signal: signal(),
      onModelCall: async (call) => void models.push(call.model),
    });
    assert.deepEqual(result.end, { kind: 'terminal', value: { summary: 'on the fallback' } });
    assert.deepEqual(models, [FALLBACK]);
  } finally {
    await picky.stop();
  }
});

test('an aborted signal stops the loop before the next call', async () => {
  const controller = new AbortController();
  const read = customTool('read_file', true, () => {
    controller.abort(new Error('the run ended'));
    return { content: 'x' };
  });
  fake.script({ content: [{ type: 'tool_use', name: 'read_file', input: { path: 'a' } }] });
  await assert.rejects(loop([read, finishTool()], { signal: controller.signal }), /the run ended/);
  assert.equal(fake.requests().length, 1);
});
