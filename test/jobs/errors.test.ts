import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeError, isRetryable, PermanentError, RetryableError, slackErrorCode } from '../../src/jobs/errors.ts';
import { TrackerError } from '../../src/integrations/trackers/ticket-tracker.ts';

test('service trouble is retried; what a retry cannot fix is not', () => {
  assert.equal(isRetryable(new RetryableError('x', 'busy')), true);
  assert.equal(isRetryable(new PermanentError('x', 'no')), false);
  assert.equal(isRetryable(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })), true);
  assert.equal(isRetryable({ status: 429 }), true);
  assert.equal(isRetryable({ status: 503 }), true);
  assert.equal(isRetryable({ status: 404 }), false);
  assert.equal(isRetryable({ code: 'slack_webapi_rate_limited_error' }), true);
  assert.equal(isRetryable({ code: 'slack_webapi_platform_error', data: { error: 'not_in_channel' } }), false);
  assert.equal(isRetryable({ code: 'slack_webapi_platform_error', data: { error: 'internal_error' } }), true);
  assert.equal(isRetryable(new TrackerError('rate_limited', 'slow down', { status: 400, retryAfterSeconds: 30 })), true);
  assert.equal(isRetryable(new TrackerError('unavailable', 'Linear is down')), true);
  assert.equal(isRetryable(new TrackerError('not_found', 'ENG-999 not found in Linear', { status: 404 })), false);
  assert.equal(isRetryable(new Error('bug')), false);
});

test('reasons are one line for a person', () => {
  assert.equal(describeError(new TrackerError('not_found', 'ENG-999 not found in Linear')), 'ENG-999 not found in Linear');
  assert.equal(describeError({ data: { error: 'not_in_channel' }, message: 'An API error occurred: not_in_channel' }), 'Slack answered “not_in_channel”');
  assert.equal(describeError(new Error('first line\nstack')), 'first line');
  assert.equal(slackErrorCode({ data: { error: 'channel_not_found' } }), 'channel_not_found');
});
