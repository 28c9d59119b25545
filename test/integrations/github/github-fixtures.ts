import assert from 'node:assert/strict';
import { FakeGitHub } from '../../fakes/fake-github.ts';
import { createGitHubClient, type GitHubClient, type GitHubClientOptions } from '../../../src/integrations/github/create-github-client.ts';
import { GitHubError, type GitHubErrorCode } from '../../../src/integrations/github/github-error.ts';

export const TOKEN = 'ghs_test';

/** A client on the fake with token auth, no read retries and quick dispatch polling. */
export function clientFor(fake: FakeGitHub, overrides: Partial<GitHubClientOptions> = {}): GitHubClient {
  return createGitHubClient({
    apiUrl: fake.url, auth: { kind: 'token', token: TOKEN }, retries: 0, retryDelayMs: 1,
    dispatchPoll: { attempts: 5, intervalMs: 5 }, ...overrides,
  });
}

export async function rejectsWithCode(promise: Promise<unknown>, code: GitHubErrorCode): Promise<GitHubError> {
  const error = await promise.then(() => assert.fail(`expected GitHubError ${code}`), (e: unknown) => e);
  assert.ok(error instanceof GitHubError, `expected GitHubError, got ${String(error)}`);
  assert.equal(error.code, code, error.message);
  return error;
}
