import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GITHUB_SECRET_NOT_CONFIGURED, verifyGitHubSignature } from '../../../src/bot/webhooks/verify-github-signature.ts';
import { flipOneByte, hmacHex } from './sign.ts';

const SECRET = 'gh-webhook-secret-current';
const PREVIOUS = 'gh-webhook-secret-previous';
// GitHub's documented test vector: secret "It's a Secret to Everybody", payload "Hello, World!".
const DOCS_SIGNATURE = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
const rawBody = Buffer.from(JSON.stringify({ action: 'closed', number: 12, pull_request: { merged: true, head: { sha: 'abc1234' } } }));
const signature = `sha256=${hmacHex(SECRET, rawBody)}`;

test('GitHub\'s own example signature verifies', () => {
  assert.deepEqual(verifyGitHubSignature({ rawBody: Buffer.from('Hello, World!'), signature: DOCS_SIGNATURE, secrets: ["It's a Secret to Everybody"] }), { ok: true });
});

test('the current or, while rotating, the previous secret is accepted', () => {
  assert.deepEqual(verifyGitHubSignature({ rawBody, signature, secrets: [SECRET, PREVIOUS] }), { ok: true });
  assert.deepEqual(verifyGitHubSignature({ rawBody, signature: `sha256=${hmacHex(PREVIOUS, rawBody)}`, secrets: [SECRET, PREVIOUS] }), { ok: true });
});

test('one changed byte, a wrong secret, a missing header or no secret at all are refused', () => {
  assert.equal(verifyGitHubSignature({ rawBody: flipOneByte(rawBody), signature, secrets: [SECRET] }).ok, false);
  assert.equal(verifyGitHubSignature({ rawBody, signature, secrets: [PREVIOUS] }).ok, false);
  assert.deepEqual(verifyGitHubSignature({ rawBody, signature: undefined, secrets: [SECRET] }), { ok: false, reason: 'missing X-Hub-Signature-256 header' });
  assert.deepEqual(verifyGitHubSignature({ rawBody, signature, secrets: [] }), { ok: false, reason: GITHUB_SECRET_NOT_CONFIGURED });
  assert.match(GITHUB_SECRET_NOT_CONFIGURED, /set GITHUB_WEBHOOK_SECRET/, 'the refusal says how to configure it');
});
