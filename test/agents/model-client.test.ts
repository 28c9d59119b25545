import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { APIUserAbortError } from '@anthropic-ai/sdk';
import { FakeAnthropic } from '../fakes/fake-anthropic.ts';
import { createAnthropic } from '../../src/integrations/anthropic.ts';
import { createModelClient, MissingPriceError, type ModelCallParams } from '../../src/agents/model-client.ts';
import { ModelError } from '../../src/agents/model-error.ts';
import { costOf } from '../../src/domain/model-cost.ts';
import { isRetryable, retryAfterSecondsOf } from '../../src/jobs/errors.ts';
import type { ModelPrice } from '../../src/policy.ts';

const FIRST = 'claude-sonnet-5-5';
const SECOND = 'claude-opus-5-5';
const PRICES: Record<string, ModelPrice> = {
  [FIRST]: { input: 3, output: 15, cache_write_5m: 3.75, cache_write_1h: 6, cache_read: 0.3 },
  [SECOND]: { input: 5, output: 25, cache_write_5m: 6.25, cache_write_1h: 10, cache_read: 0.5 },
};
const PARAMS: ModelCallParams = { max_tokens: 1024, messages: [{ role: 'user', content: 'Fix ENG-1' }] };
const OK = { content: [{ type: 'text' as const, text: 'done' }] };
const OVERLOADED = { error: { status: 529, type: 'overloaded_error' as const } };

const fake = new FakeAnthropic();
const warnings: { fields: object; message: string }[] = [];
const log = { warn: (fields: object, message: string) => void warnings.push({ fields, message }) };

function client(options: { maxRetries?: number; url?: string; apiKey?: string } = {}) {
  const anthropic = createAnthropic({ baseUrl: options.url ?? fake.url, apiKey: options.apiKey ?? 'sk-ant-test', maxRetries: options.maxRetries ?? 2, timeoutMs: 10_000 });
  return createModelClient({ anthropic, models: [FIRST, SECOND], prices: PRICES, log });
}
const signal = () => new AbortController().signal;

async function rejection(promise: Promise<unknown>): Promise<ModelError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof ModelError, `expected a ModelError, got ${String(error)}`);
  return error;
}

before(() => fake.start());
beforeEach(() => {
  fake.reset();
  warnings.length = 0;
});
after(() => fake.stop());

test('a streamed call returns the message, the model, the usage the API reported and its cost', async () => {
  fake.script(OK);
  const call = await client().call(PARAMS, { signal: signal() });
  assert.equal(call.message.content[0]?.type === 'text' && call.message.content[0].text, 'done');
  assert.equal(call.model, FIRST);
  assert.equal(fake.requests()[0]?.stream, true, 'the call streams');
  assert.equal(call.usage.input, call.message.usage.input_tokens);
  assert.equal(call.usage.output, call.message.usage.output_tokens);
  assert.ok(call.usage.input > 0 && call.usage.output > 0);
  assert.equal(call.costUsd, costOf(call.usage, PRICES[FIRST]!));
  assert.ok(call.durationMs >= 0);
});

test('529 then success: the SDK retries it, same model', async () => {
  fake.script(OVERLOADED, OK);
  const call = await client().call(PARAMS, { signal: signal() });
  assert.equal(call.model, FIRST);
  assert.deepEqual(fake.requests().map((r) => r.model), [FIRST, FIRST]);
});

test('a 500 then success: the SDK retries it', async () => {
  fake.script({ error: { status: 500, type: 'api_error' } }, OK);
  const call = await client().call(PARAMS, { signal: signal() });
  assert.equal(call.model, FIRST);
  assert.equal(fake.requests().length, 2);
});

test('a model that stays overloaded past the retries hands over to the next, which keeps later calls for a while', async () => {
  fake.script(OVERLOADED, OVERLOADED, OVERLOADED, OK, OK);
  const models = client();
  const call = await models.call(PARAMS, { signal: signal() });
  assert.equal(call.model, SECOND);
  assert.equal(call.costUsd, costOf(call.usage, PRICES[SECOND]!), 'priced as the model that answered');
  assert.deepEqual(fake.requests().map((r) => r.model), [FIRST, FIRST, FIRST, SECOND]);
  assert.match(warnings[0]?.message ?? '', /overloaded past retries; falling back/);
  assert.equal((warnings[0]?.fields as { model?: string }).model, FIRST);

  const next = await models.call(PARAMS, { signal: signal() });
  assert.equal(next.model, SECOND, 'the overloaded model is not asked again right away');
  assert.equal(fake.requests().length, 5);
});

test('every model overloaded: a retryable overloaded ModelError', async () => {
  fake.script(OVERLOADED, OVERLOADED, OVERLOADED, OVERLOADED, OVERLOADED, OVERLOADED);
  const error = await rejection(client().call(PARAMS, { signal: signal() }));
  assert.equal(error.code, 'overloaded');
  assert.equal(error.retryable, true);
  assert.equal(isRetryable(error), true);
});

test('an unknown model hands over to the next one, and is not asked again', async () => {
  const picky = new FakeAnthropic({ knownModels: [SECOND] });
  await picky.start();
  try {
    picky.script(OK, OK);
    const models = client({ url: picky.url });
    assert.equal((await models.call(PARAMS, { signal: signal() })).model, SECOND);
    assert.equal((await models.call(PARAMS, { signal: signal() })).model, SECOND);
    assert.deepEqual(picky.requests().map((r) => r.model), [FIRST, SECOND, SECOND]);
    assert.match(warnings[0]?.message ?? '', /unknown to the API/);
  } finally {
    await picky.stop();
  }
});

test('no configured model is known: a permanent invalid_request', async () => {
  const picky = new FakeAnthropic({ knownModels: ['claude-other'] });
  await picky.start();
  try {
    const error = await rejection(client({ url: picky.url }).call(PARAMS, { signal: signal() }));
    assert.equal(error.code, 'invalid_request');
    assert.equal(error.retryable, false);
    assert.equal(isRetryable(error), false);
  } finally {
    await picky.stop();
  }
});

test('a stream dropped midway is retried by Baton (the SDK retries only before the response starts)', async () => {
  fake.script({ drop: { afterEvents: 3 } }, OK);
  const call = await client().call(PARAMS, { signal: signal() });
  assert.equal(call.model, FIRST);
  assert.equal(fake.requests().length, 2);
  assert.match(warnings[0]?.message ?? '', /stream broke off/);
});

test('an overloaded_error event midway through the stream is retried too', async () => {
  fake.script({ error: { status: 529, type: 'overloaded_error', midStream: true } }, OK);
  const call = await client().call(PARAMS, { signal: signal() });
  assert.equal(call.model, FIRST);
  assert.equal(fake.requests().length, 2);
});

test('a stream that keeps dropping ends as a retryable connection error for the queue', async () => {
  fake.script({ drop: { afterEvents: 2 } }, { drop: { afterEvents: 2 } }, { drop: { afterEvents: 2 } });
  const error = await rejection(client().call(PARAMS, { signal: signal() }));
  assert.equal(error.code, 'connection');
  assert.equal(error.retryable, true);
  assert.equal(isRetryable(error), true);
  assert.equal(fake.requests().length, 3);
});

test('no server at all: APIConnectionError becomes a retryable connection error', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address() as { port: number };
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const error = await rejection(client({ url: `http://127.0.0.1:${port}`, maxRetries: 0 }).call(PARAMS, { signal: signal() }));
  assert.equal(error.code, 'connection');
  assert.equal(isRetryable(error), true);
  assert.equal(error.status, undefined);
});

test('a spend-limit 429 stops with the API\'s reason, not retryable', async () => {
  const spent = { error: { status: 429, type: 'rate_limit_error' as const, message: 'You have reached your organization\'s monthly spend limit.' } };
  fake.script(spent, spent, spent);
  const error = await rejection(client().call(PARAMS, { signal: signal() }));
  assert.equal(error.code, 'spend_limit');
  assert.equal(error.retryable, false);
  assert.equal(isRetryable(error), false);
  assert.match(error.message, /monthly spend limit/);
});

test('a 400 billing_error (credit balance too low) is a spend limit too', async () => {
  fake.script({ error: { status: 400, type: 'billing_error' } });
  const error = await rejection(client().call(PARAMS, { signal: signal() }));
  assert.equal(error.code, 'spend_limit');
  assert.match(error.message, /credit balance is too low/);
  assert.equal(fake.requests().length, 1, 'a 400 is not retried');
});

test('a rate limit past the retries is retryable, with the Retry-After the queue honours', async () => {
  fake.script({ error: { status: 429, type: 'rate_limit_error', retryAfterSeconds: 30 } });
  const error = await rejection(client({ maxRetries: 0 }).call(PARAMS, { signal: signal() }));
  assert.equal(error.code, 'rate_limited');
  assert.equal(error.retryAfterSeconds, 30);
  assert.equal(isRetryable(error), true);
  assert.equal(retryAfterSecondsOf(error), 30);
});

test('a refused key is auth, and a malformed request is invalid_request: neither retryable', async () => {
  const auth = await rejection(client({ apiKey: 'sk-ant-wrong' }).call(PARAMS, { signal: signal() }));
  assert.equal(auth.code, 'auth');
  assert.equal(auth.retryable, false);
  fake.script({ error: { status: 400, type: 'invalid_request_error', message: 'messages.0.content: Field required' } });
  const invalid = await rejection(client().call(PARAMS, { signal: signal() }));
  assert.equal(invalid.code, 'invalid_request');
  assert.equal(isRetryable(invalid), false);
  assert.match(invalid.message, /Field required/);
});

test('an abort is rethrown as the SDK raised it, not turned into a ModelError', async () => {
  fake.script({ ...OK, chunkDelayMs: 200 });
  const controller = new AbortController();
  const pending = client().call(PARAMS, { signal: controller.signal });
  setTimeout(() => controller.abort(new Error('the run ended')), 50);
  await assert.rejects(pending, (error) => error instanceof APIUserAbortError);
});

test('a model without a price is refused when the client is built', () => {
  const anthropic = createAnthropic({ baseUrl: fake.url, apiKey: 'sk-ant-test', maxRetries: 0, timeoutMs: 1000 });
  assert.throws(() => createModelClient({ anthropic, models: [FIRST, 'claude-unpriced'], prices: PRICES, log }), (error) =>
    error instanceof MissingPriceError && error.code === 'model_price_missing' && /claude-unpriced/.test(error.message));
});
