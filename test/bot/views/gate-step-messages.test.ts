import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTIONS, parseGateButtonValue } from '../../../src/bot/views/action-ids.ts';
import { mergedMessage, mergeRefusedMessage, runRejectedMessage } from '../../../src/bot/views/gate-step-messages.ts';
import { deployFinishedMessage, deployStartedMessage } from '../../../src/bot/views/deploy-messages.ts';
import { allText, assertInert, assertWithinLimits, buttons, HEAD, HOSTILE, MERGED, run } from './gate-view-fixtures.ts';

test('merged: the PR, the method, the merge commit and who approved', () => {
  const msg = mergedMessage(run, { sha: MERGED, by: 'U0APPROVER', method: 'squash' });
  assert.match(allText(msg), /:twisted_rightwards_arrows: Merged <https:\/\/github\.com\/acme\/shop\/pull\/12\|PR #12> \(squash\) as `0123456`, approved by <@U0APPROVER>\./);
  assert.match(allText(mergedMessage(run, { sha: MERGED, by: 'baton', method: 'merge' })), /approved by Baton's policy/);
  assertInert(mergedMessage(run, { sha: MERGED, by: HOSTILE, method: 'rebase' }));
});

test('merge refused: why, what to do, and Retry pinned to the same commit', () => {
  const msg = mergeRefusedMessage(run, { reason: 'Required status check "ci" is failing.', headSha: HEAD });
  assertWithinLimits(msg);
  const body = allText(msg);
  assert.match(body, /GitHub did not merge <https:\/\/github\.com\/acme\/shop\/pull\/12\|PR #12>\* at `abcdef0`: Required status check "ci" is failing\./);
  assert.match(body, /then \*Retry\*/);
  const [retry] = buttons(msg);
  assert.equal(retry!.action_id, ACTIONS.gateRetry);
  assert.deepEqual(parseGateButtonValue(retry!.value), { ok: true, value: { runId: run.id, gate: 'merge', headSha: HEAD } });
  const long = mergeRefusedMessage(run, { reason: `${HOSTILE} ${'<&'.repeat(5_000)}`, headSha: HEAD });
  assertInert(long);
  assertWithinLimits(long);
});

test('deploy started and finished: the workflow run linked; a failure says what GitHub concluded and what to do', () => {
  const wf = { id: 77, url: 'https://github.com/acme/shop/actions/runs/77', status: 'in_progress' as const, conclusion: null };
  assert.match(allText(deployStartedMessage(run, 'staging', wf)), /:rocket: \*Deploying to staging\* · <https:\/\/github\.com\/acme\/shop\/actions\/runs\/77\|workflow run 77> running/);
  assert.match(allText(deployStartedMessage(run, 'production', { ...wf, status: 'queued' })), /Deploying to production\* · .+ queued on GitHub/);
  const ok = deployFinishedMessage(run, 'production', { ...wf, status: 'completed', conclusion: 'success' });
  assert.match(allText(ok), /:white_check_mark: \*Production deploy succeeded\* · <https:\/\/github\.com\/acme\/shop\/actions\/runs\/77\|workflow run 77>/);
  const failed = allText(deployFinishedMessage(run, 'staging', { ...wf, status: 'completed', conclusion: 'failure' }));
  assert.match(failed, /:x: \*Staging deploy failed \(conclusion: failure\)\* · <https:/);
  assert.match(failed, /re-run it on GitHub once the deploy is fixed, or revert the merge/);
  const prodFailed = allText(deployFinishedMessage(run, 'production', { ...wf, status: 'completed', conclusion: 'timed_out' }));
  assert.match(prodFailed, /Production deploy failed \(conclusion: timed out\)/);
  assert.match(prodFailed, /Check production now/);
  assert.match(allText(deployFinishedMessage(run, 'production', wf)), /did not finish in time \(GitHub says it is still in progress\)/);
  assertInert(deployFinishedMessage(run, 'staging', { ...wf, url: 'https://evil.example|x', status: 'completed', conclusion: HOSTILE }));
});

test('rejected: who, why (escaped), and what became of the PR', () => {
  const closed = allText(runRejectedMessage(run, { by: 'U0APPROVER', reason: 'Fix it in the cart instead.', prClosed: true }));
  assert.match(closed, /:x: \*Rejected by <@U0APPROVER>\*: Fix it in the cart instead\./);
  assert.match(closed, /<https:\/\/github\.com\/acme\/shop\/pull\/12\|PR #12> is closed and the run has ended/);
  assert.match(allText(runRejectedMessage(run, { by: 'U0APPROVER', reason: 'x', prClosed: false })), /is left open for people to take over/);
  assertInert(runRejectedMessage(run, { by: 'U0APPROVER', reason: HOSTILE, prClosed: true }));
});
