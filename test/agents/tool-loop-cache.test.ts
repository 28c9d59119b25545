import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type Anthropic from '@anthropic-ai/sdk';
import { FakeAnthropic } from '../fakes/fake-anthropic.ts';
import { runToolLoop } from '../../src/agents/tool-loop.ts';
import { withMessageBreakpoints, withSystemBreakpoint, withToolsBreakpoint } from '../../src/agents/cache-breakpoints.ts';
import type { ModelCall } from '../../src/agents/model-client.ts';
import { costOf } from '../../src/domain/model-cost.ts';
import { MODEL, PRICES, blocksOf, customTool, finishTool, modelClient, type Stop } from './tool-loop-fixtures.ts';

/** Blocks carrying cache_control in a request, as the API counts them against its limit of 4. */
function countBreakpoints(request: {
  tools?: readonly Anthropic.ToolUnion[];
  system?: string | readonly Anthropic.TextBlockParam[];
  messages: readonly Anthropic.MessageParam[];
}): number {
  const marked = (items: readonly object[]) => items.filter((item) => (item as { cache_control?: unknown }).cache_control).length;
  const system = typeof request.system === 'string' ? [] : (request.system ?? []);
  const blocks = request.messages.flatMap((m) => (typeof m.content === 'string' ? [] : m.content));
  return marked(request.tools ?? []) + marked(system) + marked(blocks);
}

const fake = new FakeAnthropic();
before(() => fake.start());
after(() => fake.stop());

const TURNS = 10;
// Long enough to pass the fake's minimum cacheable length (1024 tokens), as a real system prompt does.
const SYSTEM: Anthropic.TextBlockParam[] = [
  { type: 'text', text: 'You are Baton\'s coder. Rules of the repository follow.\n' + 'Keep changes small and covered by a test. '.repeat(120) },
];
const TICKET = 'ENG-7: the invoice total is off by one when a discount applies.\n' + 'Steps to reproduce and the customer\'s report. '.repeat(40);

test(`over a ${TURNS}-turn loop most input is read from the cache the fake computes`, async () => {
  const read = customTool<Stop>('read_file', true, (input) => ({
    content: `// ${(input as { path: string }).path}\n` + 'export const line = 1; '.repeat(60),
  }));
  fake.handle((_request, info) =>
    info.turn < TURNS - 1
      ? { content: [{ type: 'text', text: `Reading file ${info.turn}.` }, { type: 'tool_use', name: 'read_file', input: { path: `src/f${info.turn}.ts` } }] }
      : { content: [{ type: 'tool_use', name: 'finish', input: { summary: 'fixed the discount rounding' } }] });
  const calls: ModelCall[] = [];

  const result = await runToolLoop<Stop>({
    model: modelClient(fake.url), system: SYSTEM, tools: [read, finishTool()],
    messages: [{ role: 'user', content: [{ type: 'text', text: TICKET }] }],
    maxTokens: 2048, signal: new AbortController().signal,
    onModelCall: async (call) => void calls.push(call),
  });

  assert.equal(result.end.kind, 'terminal');
  assert.equal(calls.length, TURNS);

  // Breakpoints: last tool, last system block, the ticket, the newest user message (the same block on turn 1).
  const requests = fake.requests();
  assert.deepEqual(requests.map((r) => countBreakpoints({ tools: r.tools, system: r.system, messages: r.messages })), [3, ...Array(TURNS - 1).fill(4)]);
  for (const r of requests.slice(1)) {
    const marked = r.messages.flatMap((m, i) => blocksOf(m).flatMap((b, j) => ('cache_control' in b && b.cache_control ? [`${i}.${j}`] : [])));
    const newest = r.messages.length - 1;
    assert.deepEqual(marked, ['0.0', `${newest}.${blocksOf(r.messages[newest]).length - 1}`], 'no stale moving breakpoint is left behind');
  }

  // Each turn reads from the cache everything the turn before sent: the prefix stayed byte-identical.
  const prompt = (c: ModelCall) => c.usage.input + c.usage.cacheRead + c.usage.cacheWrite5m + c.usage.cacheWrite1h;
  for (let n = 1; n < calls.length; n++) {
    assert.equal(calls[n]!.usage.cacheRead, prompt(calls[n - 1]!), `turn ${n + 1} read the whole prompt of turn ${n}`);
  }
  const read_ = calls.reduce((sum, c) => sum + c.usage.cacheRead, 0);
  const total = calls.reduce((sum, c) => sum + prompt(c), 0);
  assert.ok(read_ / total >= 0.8, `only ${((100 * read_) / total).toFixed(1)} % of input tokens came from the cache`);

  // Cost comes from every usage field, and caching makes the loop cheaper than the same tokens uncached.
  const cost = calls.reduce((sum, c) => sum + costOf(c.usage, PRICES[MODEL]!), 0);
  assert.ok(Math.abs(result.costUsd - cost) < 1e-12);
  const uncached = calls.reduce((sum, c) => sum + costOf({ input: prompt(c), output: c.usage.output, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 }, PRICES[MODEL]!), 0);
  assert.ok(result.costUsd < uncached * 0.5, `cached ${result.costUsd} vs uncached ${uncached}`);
});

test('breakpoints: stale ones are dropped, exactly one per place is set, the caller\'s objects are untouched', () => {
  const ephemeral = { type: 'ephemeral' as const };
  const tools: Anthropic.ToolUnion[] = [
    { name: 'a', input_schema: { type: 'object' }, cache_control: ephemeral },
    { type: 'bash_20250124', name: 'bash' },
  ];
  const system: Anthropic.TextBlockParam[] = [{ type: 'text', text: 'one', cache_control: ephemeral }, { type: 'text', text: 'two' }];
  const messages: Anthropic.MessageParam[] = [
    { role: 'user', content: 'the ticket' },
    { role: 'assistant', content: [{ type: 'text', text: 'ok' }] },
    { role: 'user', content: [{ type: 'text', text: 'an old moving breakpoint', cache_control: ephemeral }] },
    { role: 'assistant', content: [{ type: 'text', text: 'more' }] },
    { role: 'user', content: [{ type: 'text', text: 'newest' }] },
  ];
  const before = structuredClone({ tools, system, messages });

  const sent = { tools: withToolsBreakpoint(tools), system: withSystemBreakpoint(system), messages: withMessageBreakpoints(messages) };

  assert.deepEqual(sent.tools.map((t) => 'cache_control' in t && t.cache_control), [false, ephemeral]);
  assert.deepEqual(sent.system.map((b) => b.cache_control ?? false), [false, ephemeral]);
  assert.deepEqual(sent.messages.map((m) => blocksOf(m).map((b) => ('cache_control' in b && b.cache_control ? 'bp' : '-'))), [['bp'], ['-'], ['-'], ['-'], ['bp']]);
  assert.deepEqual(blocksOf(sent.messages[0]), [{ type: 'text', text: 'the ticket', cache_control: ephemeral }]);
  assert.equal(countBreakpoints(sent), 4);
  assert.deepEqual({ tools, system, messages }, before);
  assert.deepEqual(withToolsBreakpoint([]), []);
  assert.equal(countBreakpoints({ messages: withMessageBreakpoints([{ role: 'user', content: 'only' }]) }), 1);
});

test('promptCaching false: the same prompt goes with no cache_control anywhere, stale ones included, and nothing is read from cache', async () => {
  fake.reset();
  fake.handle((_request, info) =>
    info.turn < 2
      ? { content: [{ type: 'tool_use', name: 'read_file', input: { path: `src/f${info.turn}.ts` } }] }
      : { content: [{ type: 'tool_use', name: 'finish', input: { summary: 'done' } }] });
  const read = customTool<Stop>('read_file', true, () => ({ content: 'export const line = 1; '.repeat(60) }));
  const ephemeral = { type: 'ephemeral' as const };
  const calls: ModelCall[] = [];

  const result = await runToolLoop<Stop>({
    model: modelClient(fake.url), system: [{ ...SYSTEM[0]!, cache_control: ephemeral }], tools: [read, finishTool()],
    messages: [{ role: 'user', content: [{ type: 'text', text: TICKET, cache_control: ephemeral }] }],
    maxTokens: 2048, signal: new AbortController().signal, promptCaching: false,
    onModelCall: async (call) => void calls.push(call),
  });

  assert.equal(result.end.kind, 'terminal');
  const bodies = fake.callsTo('POST', '/v1/messages').map((c) => c.rawBody.toString('utf8'));
  assert.equal(bodies.length, 3);
  for (const body of bodies) assert.doesNotMatch(body, /cache_control/);
  assert.deepEqual(calls.map((c) => c.usage.cacheRead + c.usage.cacheWrite5m + c.usage.cacheWrite1h), [0, 0, 0]);
  assert.ok(calls.every((c) => c.usage.input > 1024), 'the prompt is long enough that caching would have applied');
});
