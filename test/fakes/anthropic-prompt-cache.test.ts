import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { FakeAnthropic } from './fake-anthropic.ts';

// The fake's own cache accounting, read from usage through the real SDK as a client (and the benchmark) reads it.
let clock = 1_000_000;
const fake = new FakeAnthropic({ now: () => clock });
let client: Anthropic;

const MINUTE = 60_000;
const MODEL = 'claude-sonnet-5-5';
const ephemeral = (ttl?: '5m' | '1h'): Anthropic.CacheControlEphemeral => ({ type: 'ephemeral', ...(ttl ? { ttl } : {}) });
/** About 1,200 tokens of the fake's count: over the 1,024 minimum on its own. */
const LONG = 'Baton fixes tickets in a sandbox and proves each change with the tests of the repository. '.repeat(55);

const tool = (ttl?: '5m' | '1h', description = 'Edit files'): Anthropic.Tool => ({
  name: 'edit', description, input_schema: { type: 'object', properties: { path: { type: 'string' } } },
  ...(ttl ? { cache_control: ephemeral(ttl) } : {}),
});
const system = (text = LONG, ttl?: '5m' | '1h'): Anthropic.TextBlockParam[] => [{ type: 'text', text, cache_control: ephemeral(ttl) }];
const user = (text: string, cached = true): Anthropic.MessageParam =>
  ({ role: 'user', content: [{ type: 'text', text, ...(cached ? { cache_control: ephemeral() } : {}) }] });
const reply = (text: string): Anthropic.MessageParam => ({ role: 'assistant', content: [{ type: 'text', text }] });

const usageOf = async (params: Partial<Anthropic.MessageCreateParamsNonStreaming>): Promise<Anthropic.Usage> =>
  (await client.messages.stream({ model: MODEL, max_tokens: 512, messages: [user('Fix ENG-1')], ...params }).finalMessage()).usage;
const figures = (u: Anthropic.Usage): number[] =>
  [u.cache_read_input_tokens ?? -1, u.cache_creation_input_tokens ?? -1, u.input_tokens];
const total = (u: Anthropic.Usage): number => (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0) + u.input_tokens;

before(async () => {
  await fake.start();
  client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: fake.url, maxRetries: 0 });
});
beforeEach(() => {
  fake.reset();
  fake.handle(() => ({ content: [{ type: 'text', text: 'ok' }] }));
});
after(() => fake.stop());

test('the first call writes the prefix, an identical second call reads it, a longer conversation reads and adds', async () => {
  const first = await usageOf({ tools: [tool()], system: system() });
  const written = first.cache_creation_input_tokens ?? 0;
  assert.ok(written > 1024, `wrote ${written}`);
  assert.deepEqual(figures(first), [0, written, 0], 'everything up to the breakpoint on the last block is written');
  assert.deepEqual(first.cache_creation, { ephemeral_5m_input_tokens: written, ephemeral_1h_input_tokens: 0 });

  const second = await usageOf({ tools: [tool()], system: system() });
  assert.deepEqual(figures(second), [written, 0, 0]);

  // The next turn moves the user breakpoint forward; the old one is found by looking back from it.
  const third = await usageOf({ tools: [tool()], system: system(), messages: [user('Fix ENG-1', false), reply('Looking.'), user('Tests pass now.')] });
  assert.equal(third.cache_read_input_tokens, written);
  assert.ok((third.cache_creation_input_tokens ?? 0) > 0);
  assert.equal(third.input_tokens, 0);
});

test('a changed early byte misses; a change after a breakpoint keeps the prefix before it', async () => {
  const first = await usageOf({ system: system() });
  const changedSystem = await usageOf({ system: system(`b${LONG.slice(1)}`) });
  assert.equal(changedSystem.cache_read_input_tokens, 0);
  assert.equal(changedSystem.cache_creation_input_tokens, first.cache_creation_input_tokens);

  const otherTool = await usageOf({ tools: [tool(undefined, 'Edit files!')], system: system() });
  assert.equal(otherTool.cache_read_input_tokens, 0, 'tools come first: changing one invalidates the system after it');

  const otherTicket = await usageOf({ system: system(), messages: [user('Fix ENG-2')] });
  const systemOnly = (await usageOf({ system: system(), messages: [user('x', false)] })).cache_read_input_tokens ?? 0;
  assert.ok(systemOnly > 1024, 'the system breakpoint was written on its own');
  assert.equal(otherTicket.cache_read_input_tokens, systemOnly, 'reads through the system breakpoint, writes the new message');
  assert.ok((otherTicket.cache_creation_input_tokens ?? 0) > 0);

  const otherModel = await usageOf({ model: 'claude-opus-5-5', system: system() });
  assert.equal(otherModel.cache_read_input_tokens, 0, 'each model has its own cache');
});

test('below the minimum cacheable length nothing is written or read', async () => {
  const short = { system: system('You are Baton.'), tools: [tool('5m')] };
  const first = await usageOf(short);
  const second = await usageOf(short);
  for (const usage of [first, second]) {
    assert.deepEqual(figures(usage), [0, 0, total(usage)]);
    assert.deepEqual(usage.cache_creation, { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 });
  }
  assert.equal(fake.cachedPrefixes(), 0);
});

test('entries live five minutes from their last use, on the injected clock', async () => {
  const written = (await usageOf({ system: system() })).cache_creation_input_tokens;
  clock += 4 * MINUTE;
  assert.equal((await usageOf({ system: system() })).cache_read_input_tokens, written, 'alive after 4 min');
  clock += 4 * MINUTE;
  assert.equal((await usageOf({ system: system() })).cache_read_input_tokens, written, 'the read refreshed it');
  clock += 5 * MINUTE + 1;
  const expired = await usageOf({ system: system() });
  assert.deepEqual(figures(expired), [0, written, 0], 'expired, written again');
});

test('1h and 5m writes are split by breakpoint, and the 1h part outlives the 5m part', async () => {
  const params = { tools: [tool('1h', LONG)], system: system('You are Baton, working on a ticket.', '5m') };
  const first = await usageOf(params);
  const long = first.cache_creation?.ephemeral_1h_input_tokens ?? 0;
  const short = first.cache_creation?.ephemeral_5m_input_tokens ?? 0;
  assert.ok(long > 1024 && short > 0, `1h ${long}, 5m ${short}`);
  assert.equal(first.cache_creation_input_tokens, long + short);

  clock += 10 * MINUTE;
  const later = await usageOf(params);
  assert.equal(later.cache_read_input_tokens, long, 'the tools (1h) are still cached');
  assert.deepEqual(later.cache_creation, { ephemeral_5m_input_tokens: short, ephemeral_1h_input_tokens: 0 });
});

test('a top-level cache_control marks the last block; lookback reaches 20 blocks and no further', async () => {
  const messages = [user('Fix ENG-1', false)];
  const first = await usageOf({ system: system(), messages, cache_control: ephemeral() });
  assert.deepEqual(figures(first), [0, total(first), 0]);
  const near: Anthropic.MessageParam = { role: 'user', content: Array.from({ length: 19 }, (_, i) => ({ type: 'text' as const, text: `note ${i}` })) };
  const grown = await usageOf({ system: system(), messages: [user('Fix ENG-1', false), reply('ok'), near], cache_control: ephemeral() });
  assert.equal(grown.cache_read_input_tokens, total(first), 'found 20 blocks back');

  fake.reset();
  fake.handle(() => ({ content: [{ type: 'text', text: 'ok' }] }));
  const far: Anthropic.MessageParam = { role: 'user', content: Array.from({ length: 25 }, (_, i) => ({ type: 'text' as const, text: `note ${i}` })) };
  await usageOf({ messages: [user(LONG, false)], cache_control: ephemeral() });
  const beyond = await usageOf({ messages: [user(LONG, false), reply('ok'), far], cache_control: ephemeral() });
  assert.equal(beyond.cache_read_input_tokens, 0, '27 blocks back is out of reach');
});

test('more than 4 cache_control breakpoints are refused, the top-level one included', async () => {
  const messages = [user('one'), reply('r'), user('two'), reply('r'), user('three')];
  await assert.rejects(usageOf({ tools: [tool('1h')], system: system(), messages }), (error: unknown) => {
    assert.ok(error instanceof Anthropic.BadRequestError);
    assert.match(error.message, /A maximum of 4 blocks with cache_control may be provided\. Found 5\./);
    return true;
  });
  const four = await usageOf({ tools: [tool()], system: system(), messages: messages.slice(0, 3), cache_control: ephemeral() });
  assert.ok(total(four) > 0, 'four breakpoints are fine');
  await assert.rejects(usageOf({ tools: [tool()], system: system(), messages, cache_control: ephemeral() }), /Found 5\./);
});
