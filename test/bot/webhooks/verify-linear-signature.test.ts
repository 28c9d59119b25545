import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LINEAR_SECRET_NOT_CONFIGURED, verifyLinearSignature } from '../../../src/bot/webhooks/verify-linear-signature.ts';
import { fixture, fixtureBytes } from './load-fixture.ts';
import { flipOneByte, hmacHex } from './sign.ts';

const SECRET = 'lin_wh_current_5f8a9c';
const PREVIOUS = 'lin_wh_previous_1b2c3d';
const rawBody = fixtureBytes('linear-issue-labelled.json');
const sentAt = fixture('linear-issue-labelled.json').webhookTimestamp as number;
const signature = hmacHex(SECRET, rawBody);

test('a delivery signed with the current secret, within a minute, is accepted', () => {
  assert.deepEqual(verifyLinearSignature({ rawBody, signature, secrets: [SECRET], now: sentAt + 1_500 }), { ok: true });
  assert.deepEqual(verifyLinearSignature({ rawBody, signature: signature.toUpperCase(), secrets: [SECRET], now: sentAt - 59_000 }), { ok: true });
});

test('during rotation the previous secret is accepted too', () => {
  const oldSignature = hmacHex(PREVIOUS, rawBody);
  assert.deepEqual(verifyLinearSignature({ rawBody, signature: oldSignature, secrets: [SECRET, PREVIOUS], now: sentAt }), { ok: true });
  assert.equal(verifyLinearSignature({ rawBody, signature: oldSignature, secrets: [SECRET], now: sentAt }).ok, false);
});

test('one changed byte, a wrong secret, a missing or malformed header are refused', () => {
  const refused = (input: Partial<Parameters<typeof verifyLinearSignature>[0]>) =>
    verifyLinearSignature({ rawBody, signature, secrets: [SECRET], now: sentAt, ...input });
  assert.deepEqual(refused({ rawBody: flipOneByte(rawBody) }), { ok: false, reason: 'Linear-Signature does not match the body for any configured Linear webhook secret' });
  assert.equal(refused({ secrets: ['lin_wh_wrong'] }).ok, false);
  assert.deepEqual(refused({ signature: undefined }), { ok: false, reason: 'missing Linear-Signature header' });
  assert.deepEqual(refused({ signature: [signature, signature] }), { ok: false, reason: 'missing Linear-Signature header' });
  for (const bad of [signature.slice(0, -2), `${signature}00`, `sha256=${signature}`, signature.replace(/^../, 'zz'), '']) {
    assert.equal(refused({ signature: bad }).ok, false, bad);
  }
  assert.deepEqual(refused({ secrets: [] }), { ok: false, reason: LINEAR_SECRET_NOT_CONFIGURED });
  assert.match(LINEAR_SECRET_NOT_CONFIGURED, /set LINEAR_WEBHOOK_SECRET/, 'the refusal says how to configure it');
});

test('a correctly signed but stale (or future) delivery is refused as a replay', () => {
  const stale = verifyLinearSignature({ rawBody, signature, secrets: [SECRET], now: sentAt + 61_000 });
  assert.deepEqual(stale, { ok: false, reason: 'webhookTimestamp is 61 s from now (allowed: ±60 s); a stale or replayed delivery' });
  assert.equal(verifyLinearSignature({ rawBody, signature, secrets: [SECRET], now: sentAt - 120_000 }).ok, false);
});

test('a signed body without a usable timestamp is refused', () => {
  const noTimestamp = Buffer.from(JSON.stringify({ ...fixture('linear-issue-labelled.json'), webhookTimestamp: undefined }));
  assert.deepEqual(verifyLinearSignature({ rawBody: noTimestamp, signature: hmacHex(SECRET, noTimestamp), secrets: [SECRET], now: sentAt }), {
    ok: false,
    reason: 'the body has no numeric webhookTimestamp',
  });
  const notJson = Buffer.from('{"webhookTimestamp":');
  assert.deepEqual(verifyLinearSignature({ rawBody: notJson, signature: hmacHex(SECRET, notJson), secrets: [SECRET], now: sentAt }), { ok: false, reason: 'the body is not JSON' });
});
