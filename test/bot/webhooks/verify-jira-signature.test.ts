import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyJiraSignature } from '../../../src/bot/webhooks/verify-jira-signature.ts';
import { fixtureBytes } from './load-fixture.ts';
import { flipOneByte, hmacHex } from './sign.ts';

const SECRET = 'jira-webhook-secret-current';
const PREVIOUS = 'jira-webhook-secret-previous';
const rawBody = fixtureBytes('jira-issue-labelled.json');
const signature = `sha256=${hmacHex(SECRET, rawBody)}`;

test('a delivery signed with the current or, while rotating, the previous secret is accepted', () => {
  assert.deepEqual(verifyJiraSignature({ rawBody, signature, secrets: [SECRET] }), { ok: true });
  const old = `sha256=${hmacHex(PREVIOUS, rawBody)}`;
  assert.deepEqual(verifyJiraSignature({ rawBody, signature: old, secrets: [SECRET, PREVIOUS] }), { ok: true });
});

test('one changed byte, a wrong secret, a missing or malformed header are refused', () => {
  assert.deepEqual(verifyJiraSignature({ rawBody: flipOneByte(rawBody), signature, secrets: [SECRET] }), {
    ok: false,
    reason: 'X-Hub-Signature does not match the body for any configured Jira webhook secret',
  });
  assert.equal(verifyJiraSignature({ rawBody, signature, secrets: ['other'] }).ok, false);
  assert.deepEqual(verifyJiraSignature({ rawBody, signature: undefined, secrets: [SECRET] }), { ok: false, reason: 'missing X-Hub-Signature header' });
  assert.deepEqual(verifyJiraSignature({ rawBody, signature: signature.replace('sha256', 'sha1'), secrets: [SECRET] }), {
    ok: false,
    reason: 'X-Hub-Signature is not a sha256= signature',
  });
  assert.equal(verifyJiraSignature({ rawBody, signature: hmacHex(SECRET, rawBody), secrets: [SECRET] }).ok, false, 'the sha256= prefix is required');
});

test('with no secret configured, Jira deliveries are accepted unsigned', () => {
  assert.deepEqual(verifyJiraSignature({ rawBody, signature: undefined, secrets: [] }), { ok: true, unsigned: true });
  assert.deepEqual(verifyJiraSignature({ rawBody, signature: 'sha256=00', secrets: [''] }), { ok: true, unsigned: true });
});
