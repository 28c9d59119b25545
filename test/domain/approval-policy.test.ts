import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkGateClick, checkRejectClick, gatesForRepo, type GateClick, type GateState } from '../../src/domain/approval-policy.ts';
import { policySchema } from '../../src/policy.ts';

const HEAD = '1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d';
const NEWER = 'ffee00112233445566778899aabbccddeeff0011';

const policy = policySchema.parse({
  gates: { merge: { approvers: ['UMERGE1', 'SRELEASE'], expire_hours: 48 }, production: { approvers: ['UPROD1'] } },
  repos: {
    'acme/api': {},
    'acme/web': { gates: { merge: { approvers: ['UWEB1'], auto_approve: true } } },
    'acme/infra': { gates: { production: { approvers: ['SOPS'] }, merge: { expire_hours: 4 } } },
    'acme/frozen': { gates: { merge: { approvers: [] } } },
  },
});
const gatesOf = (repo: string) => gatesForRepo(policy.gates, policy.repos[repo]);

test('per-repository gates lie over the top-level ones field by field; approvers replace', () => {
  assert.deepEqual(gatesOf('acme/api'), {
    merge: { approvers: ['UMERGE1', 'SRELEASE'], expire_hours: 48, auto_approve: false },
    production: { approvers: ['UPROD1'] },
  });
  assert.deepEqual(gatesForRepo(policy.gates, undefined), gatesOf('acme/api'));
  assert.deepEqual(gatesOf('acme/web'), {
    merge: { approvers: ['UWEB1'], expire_hours: 48, auto_approve: true },
    production: { approvers: ['UPROD1'] },
  });
  assert.deepEqual(gatesOf('acme/infra'), {
    merge: { approvers: ['UMERGE1', 'SRELEASE'], expire_hours: 4, auto_approve: false },
    production: { approvers: ['SOPS'] },
  });
  assert.deepEqual(gatesOf('acme/frozen').merge.approvers, []);
  // Nothing configured anywhere: both gates have nobody, auto-approve off.
  const bare = policySchema.parse({}).gates;
  assert.deepEqual(gatesForRepo(bare, undefined), { merge: { approvers: [], expire_hours: 72, auto_approve: false }, production: { approvers: [] } });
});

const now = new Date('2026-11-20T10:00:00Z');

function state(change: Partial<GateState> = {}): GateState {
  return {
    approvers: gatesOf('acme/api').merge.approvers,
    requester: { source: 'slack', userId: 'UREQ' },
    runHeadSha: HEAD,
    prHeadSha: HEAD,
    waiting: true,
    expiresAt: new Date('2026-11-22T10:00:00Z'),
    now,
    ...change,
  };
}
function click(change: Partial<GateClick> = {}): GateClick {
  return { gate: 'merge', clickerId: 'UMERGE1', clickerGroupIds: [], buttonHeadSha: HEAD, ...change };
}

type Case = { name: string; click?: Partial<GateClick>; state?: Partial<GateState>; approve: string; reject: string; reason?: RegExp };

const cases: Case[] = [
  { name: 'a direct approver on the current head', approve: 'ok', reject: 'ok' },
  { name: 'an approver through a user group', click: { clickerId: 'UOTHER', clickerGroupIds: ['SOTHER', 'SRELEASE'] }, approve: 'ok', reject: 'ok' },
  {
    name: 'no approvers configured',
    state: { approvers: gatesOf('acme/frozen').merge.approvers },
    approve: 'no_approvers',
    reject: 'no_approvers',
    reason: /gates\.merge\.approvers in baton\.yml/,
  },
  {
    name: 'no approvers for production',
    click: { gate: 'production' },
    state: { approvers: [] },
    approve: 'no_approvers',
    reject: 'no_approvers',
    reason: /production deploy gate.*gates\.production\.approvers/,
  },
  { name: 'not an approver', click: { clickerId: 'UOTHER', clickerGroupIds: ['SOTHER'] }, approve: 'not_approver', reject: 'not_approver', reason: /^<@UOTHER> is not an approver of the merge gate/ },
  { name: 'not an approver, no groups', click: { clickerId: 'UOTHER' }, approve: 'not_approver', reject: 'not_approver' },
  // The order holds: a stranger gets not_approver even on a stale, expired card.
  { name: 'not an approver on a stale card', click: { clickerId: 'UOTHER', buttonHeadSha: NEWER }, state: { now: new Date('2027-01-01T00:00:00Z') }, approve: 'not_approver', reject: 'not_approver' },
  {
    name: 'the Slack requester, an approver',
    click: { clickerId: 'UREQ' },
    state: { approvers: ['UREQ', 'UMERGE1'] },
    approve: 'self_approval',
    reject: 'ok',
    reason: /^<@UREQ> requested this run and may not approve it/,
  },
  { name: 'the Slack requester through a group', click: { clickerId: 'UREQ', clickerGroupIds: ['SRELEASE'] }, approve: 'self_approval', reject: 'ok' },
  // A Linear requester id is not a Slack one, even if it looks like one.
  { name: 'same id, but the run came from Linear', click: { clickerId: 'UREQ' }, state: { approvers: ['UREQ'], requester: { source: 'linear', userId: 'UREQ' } }, approve: 'ok', reject: 'ok' },
  { name: 'the run no longer waits', state: { waiting: false }, approve: 'not_waiting', reject: 'not_waiting', reason: /no longer waiting at the merge gate/ },
  { name: 'self approval comes before not waiting', click: { clickerId: 'UREQ' }, state: { approvers: ['UREQ'], waiting: false }, approve: 'self_approval', reject: 'not_waiting' },
  { name: 'the run moved on to a new head', state: { runHeadSha: NEWER, prHeadSha: NEWER }, approve: 'stale_head', reject: 'stale_head', reason: /for 1a2b3c4, but the head is now ffee001/ },
  { name: 'GitHub saw a push the run has not yet', state: { prHeadSha: NEWER }, approve: 'stale_head', reject: 'stale_head', reason: /for 1a2b3c4, but the head is now ffee001/ },
  { name: "GitHub's head unknown, run head matches", state: { prHeadSha: null }, approve: 'ok', reject: 'ok' },
  { name: 'the run has no head', state: { runHeadSha: null, prHeadSha: null }, approve: 'stale_head', reject: 'stale_head', reason: /no head commit/ },
  { name: 'the run has no head, GitHub agrees with the button', state: { runHeadSha: null }, approve: 'stale_head', reject: 'stale_head' },
  { name: 'an old card for an earlier head', click: { buttonHeadSha: NEWER }, approve: 'stale_head', reject: 'stale_head', reason: /for ffee001, but the head is now 1a2b3c4/ },
  { name: 'an empty head on the button', click: { buttonHeadSha: '' }, approve: 'stale_head', reject: 'stale_head' },
  { name: 'stale comes before expired', state: { prHeadSha: NEWER, now: new Date('2027-01-01T00:00:00Z') }, approve: 'stale_head', reject: 'stale_head' },
  { name: 'expired exactly now', state: { expiresAt: now }, approve: 'expired', reject: 'expired', reason: /expired at 2026-11-20 10:00 UTC/ },
  { name: 'expired a day ago', state: { expiresAt: new Date('2026-11-19T10:00:00Z') }, approve: 'expired', reject: 'expired' },
  { name: 'one millisecond before expiry', state: { expiresAt: new Date(now.getTime() + 1) }, approve: 'ok', reject: 'ok' },
  { name: 'a gate with no expiry', state: { expiresAt: null, now: new Date('2030-01-01T00:00:00Z') }, approve: 'ok', reject: 'ok' },
];

test('every click check, for Approve and for Reject, in order', () => {
  for (const c of cases) {
    const [approve, reject] = [checkGateClick(click(c.click), state(c.state)), checkRejectClick(click(c.click), state(c.state))];
    assert.equal(approve.ok ? 'ok' : approve.code, c.approve, `approve: ${c.name}`);
    assert.equal(reject.ok ? 'ok' : reject.code, c.reject, `reject: ${c.name}`);
    if (c.reason) assert.match(approve.ok ? '' : approve.reason, c.reason, c.name);
  }
});

test('production approvers are not merge approvers, and the reverse', () => {
  const gates = gatesOf('acme/infra');
  const production = (clicker: Partial<GateClick>) => checkGateClick(click({ gate: 'production', ...clicker }), state({ approvers: gates.production.approvers }));
  const merge = (clicker: Partial<GateClick>) => checkGateClick(click({ gate: 'merge', ...clicker }), state({ approvers: gates.merge.approvers }));

  assert.deepEqual(merge({ clickerId: 'UMERGE1' }), { ok: true });
  assert.equal(production({ clickerId: 'UMERGE1' }).ok, false);
  assert.match(JSON.stringify(production({ clickerId: 'UMERGE1' })), /not an approver of the production deploy gate/);
  // The repository's own production approvers (a group) replace the top-level UPROD1.
  assert.equal(production({ clickerId: 'UPROD1' }).ok, false);
  assert.deepEqual(production({ clickerId: 'UONCALL', clickerGroupIds: ['SOPS'] }), { ok: true });
  assert.equal(merge({ clickerId: 'UONCALL', clickerGroupIds: ['SOPS'] }).ok, false);
});

test('a per-repository merge list replaces the top-level one', () => {
  const web = gatesOf('acme/web').merge.approvers;
  assert.deepEqual(checkGateClick(click({ clickerId: 'UWEB1' }), state({ approvers: web })), { ok: true });
  const topLevel = checkGateClick(click({ clickerId: 'UMERGE1' }), state({ approvers: web }));
  assert.equal(topLevel.ok ? 'ok' : topLevel.code, 'not_approver');
});
