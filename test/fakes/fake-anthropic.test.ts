import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { FakeAnthropic } from './fake-anthropic.ts';

const fake = new FakeAnthropic();
let client: Anthropic;

const MODEL = 'claude-sonnet-5-5';
const ask = (text: string): Anthropic.MessageCreateParamsNonStreaming => ({
  model: MODEL, max_tokens: 1024, messages: [{ role: 'user', content: text }],
});

const editFileTool: Anthropic.Tool = {
  name: 'edit_file',
  description: 'Replace a file',
  input_schema: { type: 'object', properties: { path: { type: 'string' }, content: { type: 'string' } }, required: ['path'] },
};

before(async () => {
  await fake.start();
  client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: fake.url, maxRetries: 0 });
});

beforeEach(() => fake.reset());

after(() => fake.stop());

test('non-streaming text reply, with the request recorded', async () => {
  fake.script({ content: [{ type: 'text', text: 'Hello from the fake' }], usage: { input_tokens: 12, output_tokens: 5 } });

  const message = await client.messages.create({ ...ask('hi'), system: 'You are Baton.' });

  assert.equal(message.type, 'message');
  assert.equal(message.role, 'assistant');
  assert.equal(message.model, MODEL);
  assert.equal(message.stop_reason, 'end_turn');
  assert.deepEqual(message.content.map((b) => (b.type === 'text' ? b.text : b.type)), ['Hello from the fake']);
  assert.deepEqual([message.usage.input_tokens, message.usage.output_tokens], [12, 5]);
  assert.equal(fake.requests()[0]?.system, 'You are Baton.');
  assert.equal(fake.remaining(), 0);
});

test('tool_use round-trip: the second answer can depend on the tool_result sent', async () => {
  fake.script(
    { content: [{ type: 'text', text: 'Editing.' }, { type: 'tool_use', id: 'toolu_1', name: 'edit_file', input: { path: 'a.ts' } }] },
    (request) => {
      const last = request.messages.at(-1);
      const result = Array.isArray(last?.content) ? last.content.find((b) => b.type === 'tool_result') : undefined;
      return { content: [{ type: 'text', text: `saw ${result?.type === 'tool_result' ? result.tool_use_id : 'nothing'}` }] };
    },
  );

  const first = await client.messages.create({ ...ask('fix it'), tools: [editFileTool] });
  assert.equal(first.stop_reason, 'tool_use');
  const toolUse = first.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
  assert.deepEqual([toolUse?.id, toolUse?.name, toolUse?.input], ['toolu_1', 'edit_file', { path: 'a.ts' }]);

  const second = await client.messages.create({
    ...ask('fix it'),
    tools: [editFileTool],
    messages: [
      { role: 'user', content: 'fix it' },
      { role: 'assistant', content: first.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'ok' }] },
    ],
  });
  assert.deepEqual(second.content.map((b) => (b.type === 'text' ? b.text : '')), ['saw toolu_1']);
  assert.deepEqual(fake.requests()[0]?.tools?.map((t) => ('name' in t ? t.name : '')), ['edit_file']);
  assert.equal(fake.requests()[1]?.messages.length, 3);
});

test('streaming: finalMessage assembles text and tool input from several deltas', async () => {
  const input = { path: 'src/app.ts', content: 'export const answer = 42;\n' };
  fake.script({
    content: [{ type: 'text', text: 'Let me change that file for you.' }, { type: 'tool_use', name: 'edit_file', input }],
  });

  const stream = client.messages.stream({ ...ask('stream please'), tools: [editFileTool] });
  const textDeltas: string[] = [];
  const jsonDeltas: string[] = [];
  stream.on('text', (delta) => textDeltas.push(delta));
  stream.on('inputJson', (partial) => jsonDeltas.push(partial));
  const message = await stream.finalMessage();

  assert.ok(textDeltas.length > 1, 'text should arrive in several deltas');
  assert.ok(jsonDeltas.length > 1, 'tool input should arrive in several deltas');
  assert.equal(message.stop_reason, 'tool_use');
  assert.equal(message.content[0]?.type === 'text' && message.content[0].text, 'Let me change that file for you.');
  const toolUse = message.content[1];
  assert.equal(toolUse?.type, 'tool_use');
  assert.deepEqual(toolUse?.type === 'tool_use' && toolUse.input, input);
  assert.equal(fake.requests()[0]?.stream, true);
});

test('streaming with create({stream: true}) yields the real event sequence', async () => {
  fake.script({ content: [{ type: 'text', text: 'abc' }] });
  const events: string[] = [];
  for await (const event of await client.messages.create({ ...ask('raw'), stream: true })) events.push(event.type);
  assert.equal(events[0], 'message_start');
  assert.equal(events.at(-2), 'message_delta');
  assert.equal(events.at(-1), 'message_stop');
  assert.ok(events.includes('content_block_start') && events.includes('content_block_delta') && events.includes('content_block_stop'));
});

test('429 with retry-after surfaces as RateLimitError with the header readable', async () => {
  fake.script({ error: { status: 429, type: 'rate_limit_error', retryAfterSeconds: 7 } });
  await assert.rejects(client.messages.create(ask('busy?')), (error: unknown) => {
    assert.ok(error instanceof Anthropic.RateLimitError);
    assert.equal(error.status, 429);
    assert.equal(error.headers.get('retry-after'), '7');
    assert.equal(error.type, 'rate_limit_error');
    return true;
  });
});

test('529 overloaded and 500 surface as APIError with their status', async () => {
  fake.script(
    { error: { status: 529, type: 'overloaded_error' } },
    { error: { status: 500, type: 'api_error' } },
  );
  for (const [status, type] of [[529, 'overloaded_error'], [500, 'api_error']] as const) {
    await assert.rejects(client.messages.create(ask('hello?')), (error: unknown) => {
      assert.ok(error instanceof Anthropic.APIError);
      assert.ok(error instanceof Anthropic.InternalServerError);
      assert.equal(error.status, status);
      assert.equal(error.type, type);
      assert.match(error.requestID ?? '', /^req_fake_/);
      return true;
    });
  }
});

test('an overloaded error in the middle of a stream rejects the stream', async () => {
  fake.script({ error: { status: 529, type: 'overloaded_error', midStream: true } });
  await assert.rejects(client.messages.stream(ask('stream')).finalMessage(), (error: unknown) => {
    assert.ok(error instanceof Anthropic.APIError);
    assert.equal(error.type, 'overloaded_error');
    return true;
  });
});

test('a bad key gets 401 authentication_error', async () => {
  const stranger = new Anthropic({ apiKey: 'sk-ant-wrong', baseURL: fake.url, maxRetries: 0 });
  fake.script({ content: [{ type: 'text', text: 'never sent' }] });
  await assert.rejects(stranger.messages.create(ask('hi')), (error: unknown) => {
    assert.ok(error instanceof Anthropic.AuthenticationError);
    assert.equal(error.status, 401);
    assert.equal(error.type, 'authentication_error');
    return true;
  });
  assert.equal(fake.remaining(), 1, 'a rejected request does not consume the script');
});

test('requests missing required fields get 400 invalid_request_error', async () => {
  const noMaxTokens = { model: MODEL, messages: [{ role: 'user', content: 'x' }] } as unknown as Anthropic.MessageCreateParamsNonStreaming;
  await assert.rejects(client.messages.create(noMaxTokens), (error: unknown) => {
    assert.ok(error instanceof Anthropic.BadRequestError);
    assert.equal(error.type, 'invalid_request_error');
    assert.match(error.message, /max_tokens: Field required/);
    return true;
  });
});

test('an empty script answers 500 saying the test forgot to script a response', async () => {
  await assert.rejects(client.messages.create(ask('unscripted')), (error: unknown) => {
    assert.ok(error instanceof Anthropic.APIError);
    assert.equal(error.status, 500);
    assert.match(error.message, /forgot to call fake\.script/);
    return true;
  });
});

test('latency injection delays the answer', async () => {
  fake.latency(200).script({ content: [{ type: 'text', text: 'slow' }] });
  const started = Date.now();
  await client.messages.create(ask('take your time'));
  assert.ok(Date.now() - started >= 190, `answered after ${Date.now() - started} ms`);
});

test('handlers answer by the request itself once the queue is empty, the queue first', async () => {
  fake.handle((request, info) => {
    const run = /run (\d+)/.exec(info.firstUserText)?.[1];
    return run ? { content: [{ type: 'text', text: `run ${run}, turn ${info.turn}, ${info.toolResults} results` }] } : undefined;
  });
  fake.handle(() => ({ content: [{ type: 'text', text: 'fallback' }] }));
  fake.script({ content: [{ type: 'text', text: 'queued' }] });

  const texts = await Promise.all(['run 1', 'run 2', 'run 3', 'no run'].map(async (text) => {
    const message = await client.messages.create(ask(text));
    return message.content[0]?.type === 'text' ? message.content[0].text : '';
  }));
  assert.equal(texts.filter((t) => t === 'queued').length, 1, 'one request took the queued reply');
  const expected = new Set(['run 1, turn 0, 0 results', 'run 2, turn 0, 0 results', 'run 3, turn 0, 0 results', 'fallback']);
  assert.ok(texts.filter((t) => t !== 'queued').every((t) => expected.has(t)), texts.join(' | '));
});

test('a model outside knownModels gets 404 not_found_error, as the API answers', async () => {
  const strict = new FakeAnthropic({ knownModels: [MODEL] });
  await strict.start();
  try {
    const strictClient = new Anthropic({ apiKey: 'sk-ant-test', baseURL: strict.url, maxRetries: 0 });
    strict.script({ content: [{ type: 'text', text: 'for the known model' }] });
    await assert.rejects(strictClient.messages.create({ ...ask('hi'), model: 'claude-retired-1' }), (error: unknown) => {
      assert.ok(error instanceof Anthropic.NotFoundError);
      assert.equal(error.type, 'not_found_error');
      assert.match(error.message, /model: claude-retired-1/);
      return true;
    });
    assert.equal((await strictClient.messages.create(ask('hi'))).model, MODEL);
  } finally {
    await strict.stop();
  }
});

test('an unanswered tool_use, text before the tool_result and a stray tool_result are refused with the API wording', async () => {
  fake.script({ content: [{ type: 'text', text: 'never sent' }] });
  const toolTurn: Anthropic.MessageParam = {
    role: 'assistant',
    content: [{ type: 'tool_use', id: 'toolu_a', name: 'edit_file', input: {} }, { type: 'tool_use', id: 'toolu_b', name: 'edit_file', input: {} }],
  };
  const result = (id: string): Anthropic.ToolResultBlockParam => ({ type: 'tool_result', tool_use_id: id, content: 'ok' });
  const send = (next: Anthropic.ContentBlockParam[]) => client.messages.create({
    ...ask('x'), tools: [editFileTool], messages: [{ role: 'user', content: 'fix' }, toolTurn, { role: 'user', content: next }],
  });
  const refused = (pattern: RegExp) => (error: unknown): boolean => {
    assert.ok(error instanceof Anthropic.BadRequestError);
    assert.match(error.message, pattern);
    return true;
  };
  const unanswered = /messages\.1: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_b\. Each `tool_use` block must have a corresponding `tool_result` block in the next message\./;
  await assert.rejects(send([result('toolu_a')]), refused(unanswered));
  await assert.rejects(send([result('toolu_a'), { type: 'text', text: 'and' }, result('toolu_b')]), refused(unanswered));
  await assert.rejects(send([result('toolu_a'), result('toolu_b'), result('toolu_c')]),
    refused(/messages\.2\.content\.2: unexpected `tool_use_id` found in `tool_result` blocks: toolu_c\./));
  assert.equal(fake.remaining(), 1);
  await send([result('toolu_b'), result('toolu_a'), { type: 'text', text: 'both done' }]);
  assert.equal(fake.remaining(), 0, 'answered in any order, text after the results');
});

test('client tools must carry their trained names; a 1h breakpoint may not follow a 5m one', async () => {
  const refused = (pattern: RegExp) => (error: unknown): boolean => {
    assert.ok(error instanceof Anthropic.BadRequestError);
    assert.match(error.message, pattern);
    return true;
  };
  const wrongEditor = { type: 'text_editor_20250728', name: 'editor' } as unknown as Anthropic.ToolUnion;
  const wrongBash = { type: 'bash_20250124', name: 'shell' } as unknown as Anthropic.ToolUnion;
  await assert.rejects(client.messages.create({ ...ask('x'), tools: [wrongEditor] }),
    refused(/tools\.0\.text_editor_20250728\.name: Input should be 'str_replace_based_edit_tool'/));
  await assert.rejects(client.messages.create({ ...ask('x'), tools: [editFileTool, wrongBash] }),
    refused(/tools\.1\.bash_20250124\.name: Input should be 'bash'/));
  await assert.rejects(client.messages.create({
    ...ask('x'),
    system: [{ type: 'text', text: 'You are Baton.', cache_control: { type: 'ephemeral' } }],
    messages: [{ role: 'user', content: [{ type: 'text', text: 'x', cache_control: { type: 'ephemeral', ttl: '1h' } }] }],
  }), refused(/messages\.0\.content\.0\.cache_control: a ttl='1h' cache_control block must not come after a ttl='5m'/));
});

test('usage is computed by the fake unless scripted: cache_creation is filled, input counts the prompt', async () => {
  fake.script({ content: [{ type: 'text', text: 'a' }] }, { content: [{ type: 'text', text: 'a' }] });
  const short = await client.messages.create(ask('hi'));
  const long = await client.messages.create(ask('hi '.repeat(400)));
  assert.deepEqual(short.usage.cache_creation, { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 });
  assert.deepEqual([short.usage.cache_read_input_tokens, short.usage.cache_creation_input_tokens], [0, 0]);
  assert.ok(long.usage.input_tokens >= short.usage.input_tokens + 300, `${short.usage.input_tokens} → ${long.usage.input_tokens}`);
});
