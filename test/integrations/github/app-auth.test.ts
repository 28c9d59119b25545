import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { FakeGitHub } from '../../fakes/fake-github.ts';
import { createGitHubClient } from '../../../src/integrations/github/create-github-client.ts';
import { rejectsWithCode } from './github-fixtures.ts';

// GitHub hands out App private keys as PKCS#1 PEM ("BEGIN RSA PRIVATE KEY").
const keyPair = () => generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
});
const { publicKey, privateKey } = keyPair();
const fake = new FakeGitHub({ token: 'ghp_not_used_here' });
const repo = { owner: 'acme', name: 'app' };
const appClient = (key = privateKey, installationId = 4242) =>
  createGitHubClient({ apiUrl: fake.url, auth: { kind: 'app', appId: '123456', privateKey: key, installationId }, retries: 0 });

before(async () => {
  await fake.start();
  fake.seedRepo({ owner: 'acme', name: 'app' });
  fake.seedPull('acme', 'app', { head: 'baton/app' });
  fake.configureApp({ appId: 123456, publicKey, installationId: 4242 });
});
beforeEach(() => {
  fake.reset();
  fake.app.revokeAll();
});
after(() => fake.stop());

test('an App client trades a signed JWT for an installation token at the same base URL, and uses it', async () => {
  const github = appClient();
  const pr = await github.getPullRequest(repo, 1);
  assert.equal(pr.headRef, 'baton/app');
  await github.commentOnPullRequest(repo, 1, 'hello from the App');

  const exchanges = fake.callsTo('POST', '/app/installations/4242/access_tokens');
  assert.equal(exchanges.length, 1, 'the installation token is cached across calls');
  assert.equal(exchanges[0]?.status, 201);
  assert.match(String(exchanges[0]?.headers.authorization), /^bearer [\w-]+\.[\w-]+\.[\w-]+$/i);
  const issued = fake.app.issued[0]!.token;
  assert.match(issued, /^ghs_/);
  for (const call of fake.calls.filter((c) => !c.path.startsWith('/app/'))) {
    assert.equal(call.headers.authorization, `token ${issued}`, `${call.method} ${call.path}`);
  }
});

test('installationToken() gives the git credential helper the same cached token', async () => {
  const github = appClient();
  const token = await github.installationToken();
  assert.equal(token, fake.app.issued[0]?.token);
  assert.equal(await github.installationToken(), token);
  assert.equal(fake.app.issued.length, 1);
});

test('installationToken() with a plain token returns that token, with no call at all', async () => {
  const github = createGitHubClient({ apiUrl: fake.url, auth: { kind: 'token', token: 'ghp_plain' }, retries: 0 });
  assert.equal(await github.installationToken(), 'ghp_plain');
  assert.equal(fake.calls.length, 0);
});

test('a JWT signed with the wrong key is refused: auth, before any API call', async () => {
  const github = appClient(keyPair().privateKey);
  const error = await rejectsWithCode(github.getPullRequest(repo, 1), 'auth');
  assert.match(error.message, /HTTP 401 on POST \/app\/installations\/4242\/access_tokens: A JSON web token could not be decoded/);
  assert.equal(fake.callsTo('GET', '/repos/acme/app/pulls/1').length, 0);
  await rejectsWithCode(github.installationToken(), 'auth');
});

test('an installation the App does not have is not_found', async () => {
  await rejectsWithCode(appClient(privateKey, 999).getPullRequest(repo, 1), 'not_found');
});
