import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelError } from '../../../src/agents/model-error.ts';
import { REPORT_SCHEMAS, type ReviewerResult } from '../../../src/domain/review.ts';
import { FakeAnthropic, type ScriptedResponse } from '../../fakes/fake-anthropic.ts';
import { reviewWorld } from './review-fixture.ts';
import {
  ACTION_PLAN_REPORT, BLAST_RADIUS_REPORT, SECURITY_REPORT, answer, lastUserText, REPORTS, reviewerOf, reviewersHandler, toolCall, WARM_UP_REPLY,
} from './review-script.ts';

const fake = new FakeAnthropic();
before(() => fake.start());
beforeEach(() => fake.reset());
after(() => fake.stop());

const statuses = (results: ReviewerResult[]) => results.map((r) => (r.status === 'answered' ? `${r.reviewer}: answered` : `${r.reviewer}: abstained`));
const reasonOf = (results: ReviewerResult[], reviewer: ReviewerResult['reviewer']): string => {
  const result = results.find((r) => r.reviewer === reviewer)!;
  return result.status === 'abstained' ? result.reason : '(answered)';
};
const requestsOf = (reviewer: string) => fake.requests().filter((r) => reviewerOf(r) === reviewer);

test('a report malformed twice (not JSON, then out of bounds) is an abstention, never a pass', async (t) => {
  const world = await reviewWorld(t, fake);
  // First as a gateway that ignores the format answers, then a risk past the 0–10 bound the grammar cannot enforce.
  const notJson: ScriptedResponse = { content: [{ type: 'text', text: 'Looks safe to me, ship it.' }], ignoreOutputFormat: true };
  fake.handle(reviewersHandler({ security: [() => notJson, () => answer({ ...SECURITY_REPORT, risk: 11 })] }));

  const results = await world.run();

  assert.deepEqual(statuses(results), ['security: abstained', 'blast_radius: answered', 'action_plan: answered']);
  assert.match(reasonOf(results, 'security'), /^No valid report after one retry: the security report does not fit its schema: report\.risk: Too big/);
  const security = requestsOf('security');
  assert.equal(security.length, 2, 'one retry, then no more calls');
  assert.match(lastUserText(security[1]!), /Baton could not accept that report: the reply is not JSON/);
  assert.equal(results[0]!.model, 'claude-sonnet-5-5');
  assert.ok(results[0]!.costUsd > 0, 'an abstention still reports what it cost');
});

test('a report malformed once and then valid is answered, after exactly one retry that says what was wrong', async (t) => {
  const world = await reviewWorld(t, fake);
  const tooLong = { ...BLAST_RADIUS_REPORT, summary: 'x'.repeat(1001) };
  fake.handle(reviewersHandler({ blast_radius: [() => answer(tooLong), () => answer(BLAST_RADIUS_REPORT)] }));

  const results = await world.run();

  assert.deepEqual(statuses(results), ['security: answered', 'blast_radius: answered', 'action_plan: answered']);
  const blast = results[1]!;
  assert.ok(blast.status === 'answered');
  assert.deepEqual(blast.report, BLAST_RADIUS_REPORT);
  const requests = requestsOf('blast_radius');
  assert.equal(requests.length, 2);
  assert.match(lastUserText(requests[1]!), /report\.summary: Too big: expected string to have <=1000 characters/);
  assert.deepEqual(world.calls.filter((c) => c.reviewer === 'blast_radius').map((c) => c.call.turn), [1, 2]);
});

test('a refusal is an abstention with the model\'s own reason', async (t) => {
  const world = await reviewWorld(t, fake);
  fake.handle(reviewersHandler({
    action_plan: [() => ({ content: [], stop_details: { category: 'cyber', explanation: 'This looks like a request for an exploit.' } })],
  }));

  const results = await world.run();

  assert.deepEqual(statuses(results), ['security: answered', 'blast_radius: answered', 'action_plan: abstained']);
  assert.equal(reasonOf(results, 'action_plan'), 'The model declined to review (cyber): This looks like a request for an exploit.');
  assert.equal(requestsOf('action_plan').length, 1, 'a refusal is not retried');
});

test('a conversation that fills the context window is an abstention saying so', async (t) => {
  const world = await reviewWorld(t, fake);
  fake.handle(reviewersHandler({ blast_radius: [() => ({ content: [{ type: 'text', text: 'Still reading' }], stop_reason: 'model_context_window_exceeded' })] }));

  const results = await world.run();

  assert.deepEqual(statuses(results), ['security: answered', 'blast_radius: abstained', 'action_plan: answered']);
  assert.match(reasonOf(results, 'blast_radius'), /^The conversation filled claude-sonnet-5-5's context window/);
});

test('a reviewer that never answers within review.max_turns abstains', async (t) => {
  const world = await reviewWorld(t, fake, { policy: { review: { max_turns: 2 } } });
  fake.handle(reviewersHandler({ security: [() => toolCall('str_replace_based_edit_tool', { command: 'view', path: '/repo/src/calc.js' })] }));

  const results = await world.run();

  assert.deepEqual(statuses(results), ['security: abstained', 'blast_radius: answered', 'action_plan: answered']);
  assert.equal(reasonOf(results, 'security'), 'No report within 2 model calls (review.max_turns in baton.yml).');
  assert.equal(requestsOf('security').length, 2);
});

test('a model error retrying will not fix is that reviewer\'s abstention; the others still answer', async (t) => {
  const world = await reviewWorld(t, fake);
  fake.handle(reviewersHandler({
    blast_radius: [() => ({ error: { status: 400, type: 'invalid_request_error', message: 'prompt is too long: 210000 tokens > 200000 maximum' } })],
  }));

  const results = await world.run();

  assert.deepEqual(statuses(results), ['security: answered', 'blast_radius: abstained', 'action_plan: answered']);
  assert.match(reasonOf(results, 'blast_radius'), /^The model call failed: .*prompt is too long/);
  assert.equal(results[1]!.model, null, 'no call answered');
  assert.equal(results[1]!.costUsd, 0);
});

test('a rate limit past the retries propagates for the queue to retry, and does not wait for the other reviewers', { timeout: 30_000 }, async (t) => {
  const world = await reviewWorld(t, fake);
  // The other two are held until the test lets them go: a review that waited for them would never settle.
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  fake.handle(async (request): Promise<ScriptedResponse> => {
    const who = reviewerOf(request);
    if (who === 'warm-up') return WARM_UP_REPLY;
    if (who === 'security') return { error: { status: 429, type: 'rate_limit_error', retryAfterSeconds: 30 } };
    await released;
    return answer(REPORTS[who]);
  });

  try {
    await assert.rejects(world.run(), (error: unknown) => {
      assert.ok(error instanceof ModelError, String(error));
      assert.equal(error.code, 'rate_limited');
      assert.equal(error.retryable, true);
      assert.equal(error.retryAfterSeconds, 30);
      return true;
    });
  } finally {
    release();
  }
  assert.deepEqual(world.calls.map((c) => c.reviewer), ['security'], 'only the warm-up was charged; the held calls were abandoned');
});

test('the sample reports the scripts use are valid, so the tests above fail for the reason they name', () => {
  assert.ok(REPORT_SCHEMAS.security.safeParse(SECURITY_REPORT).success);
  assert.ok(REPORT_SCHEMAS.blast_radius.safeParse(BLAST_RADIUS_REPORT).success);
  assert.ok(REPORT_SCHEMAS.action_plan.safeParse(ACTION_PLAN_REPORT).success);
});
