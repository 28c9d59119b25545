import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { zodOutputFormat } from '@anthropic-ai/sdk/helpers/zod';
import { z } from 'zod';
import { FakeAnthropic, type ScriptedResponse } from './fake-anthropic.ts';

// Structured output, forced tool choice and requests held open by async handlers, through the real SDK.
const fake = new FakeAnthropic();
let client: Anthropic;

const MODEL = 'claude-sonnet-5-5';
const verdict = z.object({ verdict: z.enum(['ship', 'hold']), reasons: z.array(z.string().max(80)), score: z.number().min(0).max(1) });
const format = zodOutputFormat(verdict);
const plainFormat = { type: format.type, schema: format.schema };
const ask = (text: string, extra: Partial<Anthropic.MessageCreateParamsNonStreaming> = {}): Anthropic.MessageCreateParamsNonStreaming => ({
  model: MODEL, max_tokens: 1024, messages: [{ role: 'user', content: text }], ...extra,
});
const refused = (status: number, pattern: RegExp) => (error: unknown): boolean => {
  assert.ok(error instanceof Anthropic.APIError, String(error));
  assert.equal(error.status, status);
  assert.match(error.message, pattern);
  return true;
};

before(async () => {
  await fake.start();
  client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: fake.url, maxRetries: 0 });
});
beforeEach(() => fake.reset());
after(() => fake.stop());

test('a structured-output request is answered with JSON the SDK parses, and the handler knows the schema was asked for', async () => {
  fake.handle((_request, info) => (info.outputSchema ? { content: [{ type: 'json', value: { verdict: 'ship', reasons: ['tests pass'], score: 0.9 } }] } : undefined));
  const message = await client.messages.parse(ask('review', { output_config: { format } }));
  assert.deepEqual(message.parsed_output, { verdict: 'ship', reasons: ['tests pass'], score: 0.9 });
  assert.deepEqual(fake.requests()[0]?.output_config, { format: plainFormat }, 'the parse function never leaves the client');
});

test('an answer the grammar could never produce is a script mistake; bounds outside the grammar can be broken', async () => {
  fake.script(
    { content: [{ type: 'json', value: { verdict: 'maybe', reasons: [], score: 0.5 } }] },
    { content: [{ type: 'text', text: 'Ship it!' }] },
    { content: [{ type: 'json', value: { verdict: 'hold', reasons: ['x'.repeat(200)], score: 7 } }] },
    { content: [{ type: 'text', text: 'Ship it!' }], ignoreOutputFormat: true },
    { content: [{ type: 'text', text: '{"verdict": "sh' }], stop_reason: 'max_tokens' },
  );
  const send = () => client.messages.create(ask('review', { output_config: { format: plainFormat } }));
  await assert.rejects(send(), refused(500, /breaks the grammar of output_config\.format.*\$\.verdict: .*maybe.* is not one of/));
  await assert.rejects(send(), refused(500, /the scripted answer is not JSON/));
  const outOfBounds = await send();
  assert.equal(outOfBounds.content[0]?.type === 'text' && JSON.parse(outOfBounds.content[0].text).score, 7, 'minimum/maximum are not in the grammar');
  const ignored = await send();
  assert.equal(ignored.content[0]?.type === 'text' && ignored.content[0].text, 'Ship it!', 'sent as scripted: a gateway that ignores the format');
  assert.equal((await send()).stop_reason, 'max_tokens', 'a cut answer is not checked');
});

test('output_config.format is checked as the API checks it', async () => {
  fake.script({ content: [{ type: 'text', text: 'never sent' }] });
  const open = { type: 'json_schema' as const, schema: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] } };
  await assert.rejects(client.messages.create(ask('x', { output_config: { format: open } })),
    refused(400, /output_config\.format\.schema: For 'object' type, 'additionalProperties' must be explicitly set to false/));
  const raw = { type: 'json_schema' as const, schema: z.toJSONSchema(verdict) as Record<string, unknown> };
  await assert.rejects(client.messages.create(ask('x', { output_config: { format: raw } })),
    refused(400, /properties\.reasons\.items: the `maxLength` keyword is not supported/));
  assert.equal(fake.remaining(), 1);
});

test('a forced tool_choice is refused by the 5-5 models, accepted by older ones, and auto is always fine', async () => {
  const tool: Anthropic.Tool = { name: 'report', input_schema: { type: 'object', properties: {} } };
  fake.handle(() => ({ content: [{ type: 'tool_use', name: 'report', input: {} }] }));
  for (const toolChoice of [{ type: 'tool', name: 'report' }, { type: 'any' }] as const) {
    await assert.rejects(client.messages.create(ask('x', { tools: [tool], tool_choice: toolChoice })),
      refused(400, /^400 .*forced tool use is not supported for this model/));
    await assert.rejects(client.messages.create(ask('x', { model: 'claude-opus-5-5', tools: [tool], tool_choice: toolChoice })),
      refused(400, /forced tool use is not supported/));
    const older = await client.messages.create(ask('x', { model: 'claude-opus-4-6', tools: [tool], tool_choice: toolChoice }));
    assert.equal(older.stop_reason, 'tool_use');
  }
  assert.equal((await client.messages.create(ask('x', { tools: [tool], tool_choice: { type: 'auto' } }))).stop_reason, 'tool_use');
});

test('an async handler holds requests open until it settles: three answered only once all three are in flight', async () => {
  const arrived: string[] = [];
  let open!: () => void;
  const allIn = new Promise<void>((resolve) => (open = resolve));
  fake.handle(async (_request, info): Promise<ScriptedResponse> => {
    arrived.push(info.firstUserText);
    if (arrived.length === 3) open();
    await allIn;
    return { content: [{ type: 'text', text: `${info.firstUserText} after ${arrived.length}` }] };
  });
  const texts = await Promise.all(['a', 'b', 'c'].map(async (text) => {
    const message = await client.messages.create(ask(text));
    return message.content[0]?.type === 'text' ? message.content[0].text : '';
  }));
  assert.deepEqual(texts.sort(), ['a after 3', 'b after 3', 'c after 3']);
});

test('the cache: concurrent requests miss a prefix none has written yet, a later one reads it, and the output schema is part of it', async () => {
  const long = 'The material every reviewer shares. '.repeat(200);
  const cached = (extra: Partial<Anthropic.MessageCreateParamsNonStreaming> = {}) =>
    ask('', { messages: [{ role: 'user', content: [{ type: 'text', text: long, cache_control: { type: 'ephemeral' } }] }], ...extra });
  let open!: () => void;
  const allIn = new Promise<void>((resolve) => (open = resolve));
  let waiting = 0;
  fake.handle(async (): Promise<ScriptedResponse> => {
    if (++waiting === 3) open();
    await allIn;
    return { content: [{ type: 'text', text: 'ok' }], ignoreOutputFormat: true };
  });

  const together = await Promise.all([1, 2, 3].map(() => client.messages.create(cached())));
  assert.deepEqual(together.map((m) => m.usage.cache_read_input_tokens), [0, 0, 0], 'sent together, none can read what the others write');
  assert.ok(together.every((m) => (m.usage.cache_creation_input_tokens ?? 0) > 1000), 'each pays the write');

  const later = await client.messages.create(cached());
  assert.equal(later.usage.cache_read_input_tokens, together[0]!.usage.cache_creation_input_tokens);
  const otherSchema = await client.messages.create(cached({ output_config: { format: plainFormat } }));
  assert.equal(otherSchema.usage.cache_read_input_tokens, 0, 'a structured-output schema changes the prefix');
});
