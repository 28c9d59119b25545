import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeError, isRetryable, PermanentError, RetryableError, retryAfterSecondsOf, slackErrorCode } from '../../src/jobs/errors.ts';
import { ModelError } from '../../src/agents/model-error.ts';
import { TrackerError } from '../../src/integrations/trackers/ticket-tracker.ts';
import { GitHubError } from '../../src/integrations/github/github-error.ts';
import { GitError } from '../../src/integrations/git/git-error.ts';

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

test('GitHub and git failures: outages and busy locks are retried, refusals and conflicts are not', () => {
  assert.equal(isRetryable(new GitHubError('rate_limited', 'secondary rate limit', { status: 403, retryAfterSeconds: 60 })), true);
  assert.equal(isRetryable(new GitHubError('unavailable', 'GitHub could not be reached')), true);
  assert.equal(isRetryable(new GitHubError('conflict', 'head moved', { status: 409 })), false);
  assert.equal(isRetryable(new GitHubError('auth', 'bad credentials', { status: 401 })), false);
  assert.equal(isRetryable(new GitError('lock_timeout', 'another run holds the repository lock')), true);
  assert.equal(isRetryable(new GitError('lock_lost', 'the repository lock was broken while this run held it')), true);
  assert.equal(isRetryable(new GitError('git_timeout', 'fetch took too long')), true);
  assert.equal(isRetryable(new GitError('rebase_conflict', 'both changed src/a.ts', { files: ['src/a.ts'] })), false);
  assert.equal(isRetryable(new GitError('push_refused', 'only baton/* branches')), false);
});

test('reasons are one line for a person', () => {
  assert.equal(describeError(new TrackerError('not_found', 'ENG-999 not found in Linear')), 'ENG-999 not found in Linear');
  assert.equal(describeError({ data: { error: 'not_in_channel' }, message: 'An API error occurred: not_in_channel' }), 'Slack answered “not_in_channel”');
  assert.equal(describeError(new Error('first line\nstack')), 'first line');
  assert.equal(slackErrorCode({ data: { error: 'channel_not_found' } }), 'channel_not_found');
});

test('model failures: the model client decides, and a rate limit keeps the API’s Retry-After for the queue', () => {
  const limited = new ModelError('rate_limited', 'The model API is rate-limiting Baton', { retryable: true, retryAfterSeconds: 90, status: 429 });
  assert.equal(isRetryable(limited), true);
  assert.equal(retryAfterSecondsOf(limited), 90);
  assert.equal(isRetryable(new ModelError('connection', 'dropped', { retryable: true })), true);
  assert.equal(isRetryable(new ModelError('spend_limit', 'no credit', { retryable: false, status: 429 })), false);
  assert.equal(isRetryable(new ModelError('auth', 'bad key', { retryable: false, status: 401 })), false);
  assert.equal(describeError(limited), 'The model API is rate-limiting Baton');
});
