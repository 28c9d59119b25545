import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeGitHub } from '../../fakes/fake-github.ts';
import { closedPortUrl } from '../trackers/closed-port-url.ts';
import type { GitHubClient } from '../../../src/integrations/github/create-github-client.ts';
import { githubError, GitHubError } from '../../../src/integrations/github/github-error.ts';
import { isRetryable } from '../../../src/jobs/errors.ts';
import { clientFor, rejectsWithCode } from './github-fixtures.ts';

const fake = new FakeGitHub();
const repo = { owner: 'acme', name: 'app' };
let github: GitHubClient;
let number: number;

before(async () => {
  await fake.start();
  fake.seedRepo({ owner: 'acme', name: 'app' });
  number = fake.seedPull('acme', 'app', { head: 'baton/x' });
  github = clientFor(fake);
});
beforeEach(() => fake.reset());
after(() => fake.stop());

test('429 with Retry-After is rate_limited with retryAfterSeconds', async () => {
  fake.fail({ status: 429, retryAfterSeconds: 42, body: { message: 'You have exceeded a secondary rate limit.' } });
  const error = await rejectsWithCode(github.getPullRequest(repo, number), 'rate_limited');
  assert.deepEqual([error.status, error.retryAfterSeconds], [429, 42]);
  assert.match(error.message, /GitHub is rate-limiting Baton \(GET \/repos\/acme\/app\/pulls\/1\); retry in 42 s/);
});

test('403 with x-ratelimit-remaining: 0 is rate_limited until x-ratelimit-reset', async () => {
  const reset = Math.floor(Date.now() / 1000) + 90;
  fake.fail({ status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) }, body: { message: 'API rate limit exceeded for installation ID 1.' } });
  const error = await rejectsWithCode(github.getPullRequest(repo, number), 'rate_limited');
  assert.ok(error.retryAfterSeconds! >= 88 && error.retryAfterSeconds! <= 91, String(error.retryAfterSeconds));
});

test('403 naming the secondary rate limit with no headers waits a minute, as GitHub asks', async () => {
  fake.fail({ status: 403, body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' } });
  const error = await rejectsWithCode(github.commentOnPullRequest(repo, number, 'hi'), 'rate_limited');
  assert.equal(error.retryAfterSeconds, 60);
});

test('any other 403 is a permission problem (auth), pointing at the App permissions', async () => {
  fake.fail({ status: 403, headers: { 'x-ratelimit-remaining': '4999' }, body: { message: 'Resource not accessible by integration' } });
  const error = await rejectsWithCode(github.commentOnPullRequest(repo, number, 'hi'), 'auth');
  assert.match(error.message, /Resource not accessible by integration; check the token's or App's permissions \(docs\/github-app\.md\)/);
});

test('503 is unavailable; the job queue retries it, and does not retry a 404', async () => {
  fake.fail({ status: 503, body: { message: 'Service Unavailable' } });
  const error = await rejectsWithCode(github.getPullRequest(repo, number), 'unavailable');
  assert.equal(error.status, 503);
  assert.equal(error.message, 'GitHub is unavailable (HTTP 503 on GET /repos/acme/app/pulls/1)');
  assert.equal(isRetryable(error), true);
  const missing = await rejectsWithCode(github.getPullRequest(repo, 999), 'not_found');
  assert.equal(isRetryable(missing), false);
});

test('with retries, a read that met a 502 is tried again; a write is not', async () => {
  const retrying = clientFor(fake, { retries: 2 });
  fake.fail({ status: 502, times: 2 });
  assert.equal((await retrying.getPullRequest(repo, number)).number, number);
  assert.deepEqual(fake.callsTo('GET', `/repos/acme/app/pulls/${number}`).map((c) => c.status), [502, 502, 200]);

  fake.fail({ status: 502, times: 3 });
  await rejectsWithCode(retrying.getPullRequest(repo, number), 'unavailable');

  fake.reset();
  fake.fail({ status: 502 });
  await rejectsWithCode(retrying.commentOnPullRequest(repo, number, 'once'), 'unavailable');
  assert.equal(fake.callsTo('POST', /\/comments$/).length, 1, 'a POST that may have happened is not repeated');
});

test('a 429 is not retried in the client: the queue waits Retry-After', async () => {
  const retrying = clientFor(fake, { retries: 3 });
  fake.fail({ status: 429, retryAfterSeconds: 5 });
  await rejectsWithCode(retrying.getPullRequest(repo, number), 'rate_limited');
  assert.equal(fake.calls.length, 1);
});

test('401, 404, 409 and 422 map to auth, not_found, conflict and invalid', async () => {
  const stranger = clientFor(fake, { auth: { kind: 'token', token: 'ghs_wrong' } });
  const auth = await rejectsWithCode(stranger.getPullRequest(repo, number), 'auth');
  assert.match(auth.message, /HTTP 401 on GET \/repos\/acme\/app\/pulls\/1: Bad credentials\); check GITHUB_TOKEN/);
  const missing = await rejectsWithCode(github.getPullRequest({ owner: 'acme', name: 'nope' }, 1), 'not_found');
  assert.match(missing.message, /nothing at GET \/repos\/acme\/nope\/pulls\/1; check the name, and that Baton's token or App installation can see that repository/);
  fake.fail({ status: 409, body: { message: 'Git Repository is empty.' } });
  assert.equal((await rejectsWithCode(github.getPullRequest(repo, number), 'conflict')).githubMessage, 'Git Repository is empty.');
  fake.fail({ status: 422, body: { message: 'Validation Failed', errors: [{ resource: 'Issue', field: 'body', code: 'missing_field' }] } });
  const invalid = await rejectsWithCode(github.commentOnPullRequest(repo, number, 'x'), 'invalid');
  assert.equal(invalid.githubMessage, 'Validation Failed: body missing_field');
});

test('a server that does not answer is unavailable, named by its network code', async () => {
  const gone = clientFor(fake, { apiUrl: await closedPortUrl() });
  const error = await rejectsWithCode(gone.getPullRequest(repo, 1), 'unavailable');
  assert.equal(error.message, 'GitHub could not be reached (ECONNREFUSED)');
  assert.equal(error.status, undefined);
});

test('githubError passes a GitHubError through and rethrows what is not a GitHub failure', () => {
  const existing = new GitHubError('invalid', 'already translated');
  assert.equal(githubError(existing), existing);
  const bug = new TypeError('x is undefined');
  assert.throws(() => githubError(bug), (e) => e === bug);
});
