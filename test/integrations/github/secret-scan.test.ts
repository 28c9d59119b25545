import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { FakeGitHub } from '../../fakes/fake-github.ts';
import { capturingLogger } from '../git/git-fixtures.ts';
import { closedPortUrl } from '../trackers/closed-port-url.ts';
import { createGitHubClient, type GitHubClient } from '../../../src/integrations/github/create-github-client.ts';
import { GitHubError } from '../../../src/integrations/github/github-error.ts';

/*
 * Baton's invariant: secrets never reach Slack, a PR or a log. A GitHubError's message goes to
 * Slack and the log as is, so neither it nor anything reachable from it may hold a credential.
 * The logger here does no redaction of its own: whatever is written, the client wrote.
 */

const SECRET = 'ghp_BatonSecretScan0123456789abcdefXYZ';
const fake = new FakeGitHub({ token: SECRET });
const repo = { owner: 'acme', name: 'app' };

before(async () => {
  await fake.start();
  fake.seedRepo({ owner: 'acme', name: 'app' });
  fake.seedPull('acme', 'app', { head: 'baton/scan' });
});
after(() => fake.stop());

/** Every way the error could be shown or serialized; none may contain `secret`. */
function assertClean(error: unknown, secrets: string[], context: string): void {
  assert.ok(error instanceof GitHubError, `${context}: expected GitHubError, got ${inspect(error)}`);
  const renderings = [error.message, String(error), JSON.stringify(error), inspect(error, { depth: 10, showHidden: true }), error.stack ?? ''];
  for (const secret of secrets) {
    for (const text of renderings) assert.ok(!text.includes(secret), `${context}: the secret leaked into ${text.slice(0, 400)}`);
  }
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => assert.fail('expected a failure'), (e: unknown) => e);
}

async function driveFailures(github: GitHubClient): Promise<unknown[]> {
  const errors: unknown[] = [];
  errors.push(await failure(github.getPullRequest({ owner: 'acme', name: 'missing' }, 1))); // 404
  fake.fail({ status: 500, body: { message: 'Server Error' } });
  errors.push(await failure(github.getPullRequest(repo, 1))); // 500
  fake.fail({ status: 429, retryAfterSeconds: 1 });
  errors.push(await failure(github.commentOnPullRequest(repo, 1, 'x'))); // 429
  fake.fail({ status: 422, body: { message: 'Validation Failed', errors: [{ message: 'echo', field: 'body' }] }, match: (req) => req.method === 'POST' });
  errors.push(await failure(github.openPullRequest({ repo, head: 'baton/other', base: 'main', title: 't', body: 'b', draft: false, labels: [] })));
  return errors;
}

test('a token never appears in errors (401, 404, 500, 429, 422, refused) or in log lines', async () => {
  const { log, lines } = capturingLogger();
  const options = { auth: { kind: 'token' as const, token: SECRET }, retries: 0, log };
  const github = createGitHubClient({ apiUrl: fake.url, ...options });
  const errors = await driveFailures(github);

  // 401: the fake expects another token, so this one is refused with Bad credentials.
  const other = new FakeGitHub({ token: 'ghp_someone_else' });
  await other.start();
  try {
    errors.push(await failure(createGitHubClient({ apiUrl: other.url, ...options }).getPullRequest(repo, 1)));
  } finally {
    await other.stop();
  }
  errors.push(await failure(createGitHubClient({ apiUrl: await closedPortUrl(), ...options }).getPullRequest(repo, 1)));

  assert.deepEqual(errors.map((e) => (e as GitHubError).code), ['not_found', 'unavailable', 'rate_limited', 'invalid', 'auth', 'unavailable']);
  errors.forEach((e, i) => assertClean(e, [SECRET], `failure ${i}`));
  assert.ok(lines.length >= 7, `the client logged its requests (${lines.length} lines)`);
  for (const line of lines) assert.ok(!line.includes(SECRET), `the secret leaked into a log line: ${line}`);
  // The request that did reach GitHub carried it: the scan is looking at a real credential.
  assert.equal(fake.callsTo('GET', '/repos/acme/missing/pulls/1')[0]?.headers.authorization, `token ${SECRET}`);
});

test('an App\'s private key and its installation tokens never appear in errors or log lines', async () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  fake.configureApp({ appId: 77, publicKey, installationId: 5 });
  const { log, lines } = capturingLogger();
  const github = createGitHubClient({ apiUrl: fake.url, auth: { kind: 'app', appId: 77, privateKey, installationId: 5 }, retries: 0, log });
  const errors = await driveFailures(github);
  const keyBody = privateKey.split('\n')[5]!; // a line from the middle of the PEM
  const issued = fake.app.issued.map((t) => t.token);
  // The App JWT is a credential too, for its ten minutes.
  const jwts = fake.callsTo('POST', /\/access_tokens$/).map((c) => String(c.headers.authorization).split(' ')[1]!);
  assert.ok(issued.length > 0 && jwts.length > 0, 'an installation token was issued');
  const secrets = [keyBody, ...issued, ...jwts];
  errors.forEach((e, i) => assertClean(e, secrets, `App failure ${i}`));
  for (const line of lines) for (const secret of secrets) assert.ok(!line.includes(secret), `leaked into a log line: ${line.slice(0, 300)}`);
});
