import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTIONS, parseGateButtonValue } from '../../../src/bot/views/action-ids.ts';
import { productionDecidedMessage, productionGateMessage, type ProductionGateInput } from '../../../src/bot/views/production-gate-message.ts';
import { allText, assertInert, assertWithinLimits, buttons, HEAD, HOSTILE, MERGED, run } from './gate-view-fixtures.ts';

const input = (change: Partial<ProductionGateInput> = {}): ProductionGateInput => ({
  run, mergedSha: MERGED, headSha: HEAD, expiresAt: new Date('2026-12-07T16:22:00Z'),
  staging: { id: 991, url: 'https://github.com/acme/shop/actions/runs/991', status: 'completed', conclusion: 'success' },
  ...change,
});

test('production gate: merged, staging succeeded with its link, and Approve deploy / Reject pinned to the merged commit', () => {
  const msg = productionGateMessage(input());
  assertWithinLimits(msg);
  const body = allText(msg);
  assert.match(body, /Merged `0123456` \(PR #12 at `abcdef0`\) · staging deploy succeeded \(<https:\/\/github\.com\/acme\/shop\/actions\/runs\/991\|workflow run 991>\) · \*Deploy to production\?\*/);
  assert.match(body, /Approval expires <!date\^\d+\^\{date_short_pretty\} at \{time\}\|2026-12-07 16:22 UTC>/);
  assert.match(msg.text, /^ENG-1: merged 0123456 · staging deploy succeeded · deploy to production\?$/);
  const [approve, reject] = buttons(msg);
  assert.equal(approve!.text.text, 'Approve deploy');
  assert.equal(approve!.action_id, ACTIONS.gateApprove);
  assert.equal(reject!.action_id, ACTIONS.gateReject);
  for (const b of [approve!, reject!]) {
    assert.deepEqual(parseGateButtonValue(b.value), { ok: true, value: { runId: run.id, gate: 'production', headSha: MERGED } }, 'the merged SHA, not the PR head');
  }
});

test('production gate: a staging deploy that did not succeed is flagged, none is not invented, and no expiry shows no line', () => {
  const failed = allText(productionGateMessage(input({ staging: { id: 5, url: 'javascript:alert(1)', status: 'completed', conclusion: 'timed_out' } })));
  assert.match(failed, /:warning: staging deploy timed out \(workflow run 5\)/);
  assert.ok(!failed.includes('javascript:'), 'a URL that is not http(s) is not a link');
  const none = productionGateMessage(input({ staging: null, expiresAt: null, headSha: MERGED }));
  assert.ok(!allText(none).includes('staging'), allText(none));
  assert.ok(!allText(none).includes('expires'));
  assert.match(allText(none), /Merged `0123456` \(PR #12\) · \*Deploy/, 'a rebase merge (head = merged) names the commit once');
  const hostile = productionGateMessage(input({ run: { ...run, ticketKey: HOSTILE }, staging: { id: 1, url: 'https://github.com/x', status: 'completed', conclusion: HOSTILE } }));
  assertInert(hostile);
});

test('production decided: the buttons give way to one line', () => {
  const at = new Date('2026-12-04T14:02:00Z');
  const approved = productionDecidedMessage(input(), { kind: 'approved', by: 'U0APPROVER', at });
  assert.equal(buttons(approved).length, 0);
  assert.match(allText(approved), /:white_check_mark: Approved by <@U0APPROVER> · `0123456` · <!date\^\d+\^\{time\}\|14:02 UTC>/);
  assert.match(approved.text, /· Approved by <@U0APPROVER> · 0123456 · 14:02 UTC$/);
  const rejected = productionDecidedMessage(input(), { kind: 'rejected', by: 'U0APPROVER', at, reason: HOSTILE });
  assertInert(rejected);
  assert.match(allText(rejected), /:x: Rejected by <@U0APPROVER> · Hi &lt;!channel&gt;/);
  assert.match(allText(productionDecidedMessage(input(), { kind: 'expired', at, hours: 72 })), /Expired unanswered after 72 h: not approved/);
});
