import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JIRA_SECRET_NOT_CONFIGURED, verifyJiraSignature } from '../../../src/bot/webhooks/verify-jira-signature.ts';
import { fixtureBytes } from './load-fixture.ts';
import { flipOneByte, hmacHex } from './sign.ts';

const MINUTE = 60_000;

const SECRET = 'jira-webhook-secret-current';
const PREVIOUS = 'jira-webhook-secret-previous';
const rawBody = fixtureBytes('jira-issue-labelled.json');
const signature = `sha256=${hmacHex(SECRET, rawBody)}`;
/** When the fixture was sent: its top-level `timestamp`, as Jira Cloud puts in every delivery. */
const sentAt = (JSON.parse(rawBody.toString('utf8')) as { timestamp: number }).timestamp;
const now = sentAt + 2_000;

/** The fixture with another top-level timestamp (or none), signed with SECRET. */
function signedWith(timestamp: unknown): { rawBody: Buffer; signature: string } {
  const payload = JSON.parse(rawBody.toString('utf8')) as Record<string, unknown>;
  if (timestamp === undefined) delete payload.timestamp;
  else payload.timestamp = timestamp;
  const body = Buffer.from(JSON.stringify(payload));
  return { rawBody: body, signature: `sha256=${hmacHex(SECRET, body)}` };
}

test('a delivery signed with the current or, while rotating, the previous secret is accepted', () => {
  assert.deepEqual(verifyJiraSignature({ rawBody, signature, secrets: [SECRET], now }), { ok: true });
  const old = `sha256=${hmacHex(PREVIOUS, rawBody)}`;
  assert.deepEqual(verifyJiraSignature({ rawBody, signature: old, secrets: [SECRET, PREVIOUS], now }), { ok: true });
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

test('with no secret configured, Jira deliveries are refused, signed or not, with a reason that says how to configure it', () => {
  const refused = { ok: false, reason: JIRA_SECRET_NOT_CONFIGURED };
  assert.deepEqual(verifyJiraSignature({ rawBody, signature: undefined, secrets: [], now }), refused);
  assert.deepEqual(verifyJiraSignature({ rawBody, signature: 'sha256=00', secrets: [''], now }), refused);
  assert.deepEqual(verifyJiraSignature({ rawBody, signature, secrets: [], allowUnsigned: false, now }), refused);
  assert.match(JIRA_SECRET_NOT_CONFIGURED, /set JIRA_WEBHOOK_SECRET .* webhooks\.allow_unsigned/);
});

test('with no secret configured and unsigned deliveries allowed (webhooks.allow_unsigned: [jira]), they are accepted and marked unsigned', () => {
  assert.deepEqual(verifyJiraSignature({ rawBody, signature: undefined, secrets: [], allowUnsigned: true, now }), { ok: true, unsigned: true });
  assert.deepEqual(verifyJiraSignature({ rawBody, signature: 'sha256=00', secrets: [''], allowUnsigned: true, now }), { ok: true, unsigned: true });
});

test('allowing unsigned deliveries does not weaken a configured secret', () => {
  assert.deepEqual(verifyJiraSignature({ rawBody, signature: undefined, secrets: [SECRET], allowUnsigned: true, now }), {
    ok: false,
    reason: 'missing X-Hub-Signature header',
  });
  assert.equal(verifyJiraSignature({ rawBody: flipOneByte(rawBody), signature, secrets: [SECRET], allowUnsigned: true, now }).ok, false);
  assert.equal(verifyJiraSignature({ rawBody, signature, secrets: [SECRET], allowUnsigned: true, now: sentAt + 61 * MINUTE }).ok, false);
});

test('a signed delivery is accepted for the hour Jira may spend retrying it, and a little ahead of our clock', () => {
  for (const at of [sentAt, sentAt + 30 * MINUTE, sentAt + 60 * MINUTE, sentAt - 5 * MINUTE]) {
    assert.deepEqual(verifyJiraSignature({ rawBody, signature, secrets: [SECRET], now: at }), { ok: true }, `now = sent ${(at - sentAt) / MINUTE} min`);
  }
});

test('a correctly signed delivery older than an hour, or over 5 minutes ahead, is refused as a replay', () => {
  assert.deepEqual(verifyJiraSignature({ rawBody, signature, secrets: [SECRET], now: sentAt + 61 * MINUTE }), {
    ok: false,
    reason: 'timestamp is 61 min old (allowed: 60 min old to 5 min ahead); a stale or replayed delivery',
  });
  assert.deepEqual(verifyJiraSignature({ rawBody, signature, secrets: [SECRET], now: sentAt - 6 * MINUTE }), {
    ok: false,
    reason: 'timestamp is 6 min ahead (allowed: 60 min old to 5 min ahead); a stale or replayed delivery',
  });
  // Months later, as a captured body would be replayed.
  assert.equal(verifyJiraSignature({ rawBody, signature, secrets: [SECRET] }).ok, false);
});

test('a signed body with no usable timestamp is refused; the signature is checked first', () => {
  for (const timestamp of [undefined, '1714644930120', null]) {
    const signed = signedWith(timestamp);
    assert.deepEqual(verifyJiraSignature({ ...signed, secrets: [SECRET], now }), { ok: false, reason: 'the body has no numeric timestamp' }, String(timestamp));
  }
  const notJson = Buffer.from('not json');
  assert.deepEqual(verifyJiraSignature({ rawBody: notJson, signature: `sha256=${hmacHex(SECRET, notJson)}`, secrets: [SECRET], now }), {
    ok: false,
    reason: 'the body is not JSON',
  });
  // A fresh timestamp pasted into a captured body breaks its signature.
  const refreshed = signedWith(sentAt + 120 * MINUTE);
  assert.deepEqual(verifyJiraSignature({ rawBody: refreshed.rawBody, signature, secrets: [SECRET], now: sentAt + 120 * MINUTE }), {
    ok: false,
    reason: 'X-Hub-Signature does not match the body for any configured Jira webhook secret',
  });
});

test('accepted unsigned, there is nothing to trust the timestamp by, so an old unsigned body is accepted too', () => {
  const yearLater = sentAt + 365 * 24 * 60 * MINUTE;
  assert.deepEqual(verifyJiraSignature({ rawBody, signature: undefined, secrets: [], allowUnsigned: true, now: yearLater }), { ok: true, unsigned: true });
});
