import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { FakeAnthropic } from './fake-anthropic.ts';

// The replies a tool loop must survive, read through the real SDK's streaming (messages.stream + finalMessage).
const fake = new FakeAnthropic();
let client: Anthropic;

const MODEL = 'claude-sonnet-5-5';
const editTool: Anthropic.ToolTextEditor20250728 = { type: 'text_editor_20250728', name: 'str_replace_based_edit_tool' };
const base = { model: MODEL, max_tokens: 2048, tools: [editTool] };
const ask = (messages: Anthropic.MessageParam[]): Promise<Anthropic.Message> =>
  client.messages.stream({ ...base, messages }).finalMessage();
const rejectsWith = (pattern: RegExp) => (error: unknown): boolean => {
  assert.ok(error instanceof Anthropic.BadRequestError, String(error));
  assert.equal(error.type, 'invalid_request_error');
  assert.match(error.message, pattern);
  return true;
};

before(async () => {
  await fake.start();
  client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: fake.url, maxRetries: 0 });
});
beforeEach(() => fake.reset());
after(() => fake.stop());

test('thinking streams with a signature, goes back unchanged, and is refused when changed or dropped', async () => {
  const view = { command: 'view', path: 'src/app.ts' };
  fake.script(
    { content: [
      { type: 'thinking', thinking: 'The bug is probably in app.ts; look first.' },
      { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2YfWXGmKDxH4mPnZ5sQ7vB5URj' },
      { type: 'tool_use', id: 'toolu_view', name: 'str_replace_based_edit_tool', input: view },
    ] },
    { content: [{ type: 'text', text: 'Seen it.' }] },
  );
  const thinkingDeltas: string[] = [];
  const stream = client.messages.stream({ ...base, messages: [{ role: 'user', content: 'Fix ENG-1' }] });
  stream.on('thinking', (delta) => thinkingDeltas.push(delta));
  const first = await stream.finalMessage();

  assert.ok(thinkingDeltas.length > 1, 'thinking arrives in several deltas');
  const [thinking, redacted, toolUse] = first.content;
  assert.equal(thinking?.type === 'thinking' && thinking.thinking, 'The bug is probably in app.ts; look first.');
  assert.ok(thinking?.type === 'thinking' && thinking.signature.length > 20, 'the thinking block is signed');
  assert.equal(redacted?.type, 'redacted_thinking');
  assert.deepEqual(toolUse?.type === 'tool_use' && toolUse.input, view);

  const history = (content: Anthropic.ContentBlockParam[]): Anthropic.MessageParam[] => [
    { role: 'user', content: 'Fix ENG-1' },
    { role: 'assistant', content },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_view', content: 'export const x = 1;' }] },
  ];
  const second = await ask(history(first.content));
  assert.equal(second.content[0]?.type === 'text' && second.content[0].text, 'Seen it.');

  const edited = first.content.map((b) => (b.type === 'thinking' ? { ...b, thinking: `${b.thinking} ` } : b));
  await assert.rejects(ask(history(edited)), rejectsWith(/^400 .*messages\.1\.content\.0: Invalid `signature` in `thinking` block/));
  const resigned = first.content.map((b) => (b.type === 'thinking' ? { ...b, signature: fake.signThinking('something else') } : b));
  await assert.rejects(ask(history(resigned)), rejectsWith(/messages\.1\.content\.0: Invalid `signature` in `thinking` block/));
  const redactedEdited = first.content.map((b) => (b.type === 'redacted_thinking' ? { ...b, data: `${b.data}A` } : b));
  await assert.rejects(ask(history(redactedEdited)), rejectsWith(/messages\.1\.content\.1: Invalid `data` in `redacted_thinking` block/));
  const dropped = first.content.filter((b) => b.type === 'tool_use');
  await assert.rejects(ask(history(dropped)),
    rejectsWith(/messages\.1\.content\.0\.type: Expected `thinking` or `redacted_thinking`, but found `tool_use`/));
  assert.equal(fake.remaining(), 0, 'the refused requests consumed nothing');
});

test('a refusal carries stop_details in the stream and in the JSON', async () => {
  const details = { category: 'cyber' as const, explanation: 'This request asks for a working exploit.' };
  fake.script(
    { content: [{ type: 'text', text: 'I can' }], stop_details: details },
    { content: [], stop_reason: 'refusal' },
  );
  const streamed = await ask([{ role: 'user', content: 'write malware' }]);
  assert.equal(streamed.stop_reason, 'refusal');
  assert.deepEqual(streamed.stop_details, { type: 'refusal', ...details });

  const plain = await client.messages.create({ ...base, messages: [{ role: 'user', content: 'again' }] });
  assert.equal(plain.stop_reason, 'refusal');
  assert.deepEqual(plain.stop_details, { type: 'refusal', category: null, explanation: null });
});

test('max_tokens inside a tool call: the SDK silently drops the cut field, so the input looks whole', async () => {
  const input = { command: 'create', path: 'src/fix.ts', file_text: 'export function fixed(): number {\n  return 42;\n}\n' };
  fake.script({
    content: [{ type: 'text', text: 'Writing the fix.' }, { type: 'tool_use', name: 'str_replace_based_edit_tool', input },
      { type: 'text', text: 'never sent' }],
    truncateToolInput: true,
  });
  const json: string[] = [];
  const stream = client.messages.stream({ ...base, messages: [{ role: 'user', content: 'fix' }] });
  stream.on('inputJson', (partial) => json.push(partial));
  const message = await stream.finalMessage();

  assert.equal(message.stop_reason, 'max_tokens');
  assert.equal(message.usage.output_tokens, base.max_tokens);
  assert.deepEqual(message.content.map((b) => b.type), ['text', 'tool_use'], 'nothing after the cut block');
  assert.throws(() => JSON.parse(json.join('')), SyntaxError, 'the streamed JSON is cut');
  const toolUse = message.content[1];
  // What finalMessage() gives: every field that arrived whole, the cut one (file_text) gone without a trace.
  assert.deepEqual(toolUse?.type === 'tool_use' && toolUse.input, { command: 'create', path: 'src/fix.ts' });

  // Without streaming the fake gives the same partial input, so both paths look alike to a loop.
  fake.script({ content: [{ type: 'tool_use', name: 'str_replace_based_edit_tool', input }], truncateToolInput: 40 });
  const plain = await client.messages.create({ ...base, messages: [{ role: 'user', content: 'fix' }] });
  assert.equal(plain.stop_reason, 'max_tokens');
  assert.deepEqual(plain.content[0]?.type === 'tool_use' && plain.content[0].input, { command: 'create', path: 'src/fix.ts' });
});

test('pause_turn and model_context_window_exceeded come back as scripted', async () => {
  fake.script(
    { content: [{ type: 'text', text: 'Still working' }], stop_reason: 'pause_turn' },
    { content: [{ type: 'text', text: 'Out of room' }], stop_reason: 'model_context_window_exceeded' },
  );
  assert.equal((await ask([{ role: 'user', content: 'long task' }])).stop_reason, 'pause_turn');
  assert.equal((await ask([{ role: 'user', content: 'longer task' }])).stop_reason, 'model_context_window_exceeded');
});

test('a connection dropped mid-stream rejects finalMessage with a bare AnthropicError, not an APIConnectionError', async () => {
  fake.script({ drop: { afterEvents: 4 } });
  const events: string[] = [];
  const stream = client.messages.stream({ ...base, messages: [{ role: 'user', content: 'hi' }] });
  stream.on('streamEvent', (event) => events.push(event.type));
  await assert.rejects(stream.finalMessage(), (error: unknown) => {
    assert.ok(error instanceof Anthropic.AnthropicError);
    assert.ok(!(error instanceof Anthropic.APIError), 'no status: the 200 had already arrived');
    assert.ok(!(error instanceof Anthropic.APIConnectionError));
    assert.equal(error.message, 'terminated');
    return true;
  });
  assert.deepEqual(events, ['message_start', 'content_block_start', 'content_block_delta'], 'four frames, the ping included');
});

test('a connection dropped before any answer is an APIConnectionError, which the SDK retries', async () => {
  fake.script({ drop: { afterEvents: 0, beforeResponse: true } });
  await assert.rejects(ask([{ role: 'user', content: 'hi' }]), Anthropic.APIConnectionError);

  const retrying = new Anthropic({ apiKey: 'sk-ant-test', baseURL: fake.url, maxRetries: 1 });
  fake.script({ drop: { afterEvents: 0, beforeResponse: true } }, { content: [{ type: 'text', text: 'second try' }] });
  const message = await retrying.messages.stream({ ...base, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
  assert.equal(message.content[0]?.type === 'text' && message.content[0].text, 'second try');
});
