import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTIONS, VIEWS } from '../../src/bot/views/action-ids.ts';
import type { RunRow } from '../support/agent-flow.ts';
import { APPROVER, DEPLOY, MERGE_ONLY, OUTSIDER, REQUESTER, startApprovalFlow, type ApprovalFlow } from '../support/approval-flow.ts';
import { eventually } from '../support/eventually.ts';

/*
 * Every click is checked on the server, whatever the button carried. Each refused click leaves
 * nothing merged, deployed or approved, the card as it was, and tells the clicker why in an
 * ephemeral; a forged request never reaches a handler. Reject asks for a reason in a modal and
 * ends the run with it: the PR closed, the thread, the ticket and the audit trail told.
 */

let flow: ApprovalFlow;
let eng42: RunRow;
let eng43: RunRow;
before(async () => {
  flow = await startApprovalFlow({ tickets: [43] });
  [eng42, eng43] = await Promise.all([flow.publish('ENG-42'), flow.publish('ENG-43')]);
});
after(async () => {
  await flow?.stop();
});

const merged = (run: RunRow) => flow.github.merges('acme', 'calc').filter((m) => m.number === Number(run.pr_url!.split('/').at(-1)));

test('refused: an outsider, the requester (an approver too), a stale head, a forged signature (401), and a production Approve by a merge-only approver', async () => {
  const run = eng42;
  const card = await flow.card(run);
  const approve = card.button(ACTIONS.gateApprove).value;

  const outsider = await flow.clickForEphemeral(card, ACTIONS.gateApprove, OUTSIDER);
  assert.match(outsider, /<@U0OUTSIDER> is not an approver of the merge gate/);

  const requester = await flow.clickForEphemeral(card, ACTIONS.gateApprove, REQUESTER);
  assert.match(requester, /<@U0FAKEUSER> requested this run and may not approve it/);

  const otherSha = 'f'.repeat(40);
  const stale = await flow.clickForEphemeral(card, ACTIONS.gateApprove, APPROVER, { value: approve.replace(card.headSha, otherSha) });
  assert.match(stale, new RegExp(`This button is for fffffff, but the head is now ${card.headSha.slice(0, 7)}`));

  const forged = await flow.click(card, ACTIONS.gateApprove, APPROVER, { secret: 'not-the-signing-secret' });
  assert.equal(forged.status, 401);

  // Nothing happened: no approval, no merge, no deploy, the run still waits, the card unchanged with its buttons.
  assert.deepEqual(await flow.approvals(run.id), []);
  assert.deepEqual(merged(run), []);
  assert.equal(flow.github.callsTo('PUT', /\/merge$/).length, 0);
  assert.deepEqual(flow.github.dispatches(), []);
  assert.equal((await flow.run('ENG-42')).status, 'awaiting_approval');
  const now = flow.slack.repliesTo(run.thread_ts).find((m) => m.ts === card.ts)!;
  assert.deepEqual(now.blocks, card.blocks, 'the card is as it was');
  assert.equal(flow.slack.ephemerals(APPROVER).length, 1, 'the forged click was answered by nobody');
  const refused = (await flow.audit(run.id)).filter((e) => e.action === 'approval.refused');
  assert.deepEqual(refused.map((e) => e.actor), [OUTSIDER, REQUESTER, APPROVER]);

  // The production gate: a merge-only approver cannot approve the deploy.
  await flow.click(card, ACTIONS.gateApprove, APPROVER);
  const production = await flow.card(run, 'production');
  const deployBefore = flow.github.dispatches().filter((d) => d.workflow === DEPLOY.production).length;
  assert.equal(deployBefore, 0);
  const mergeOnly = await flow.clickForEphemeral(production, ACTIONS.gateApprove, MERGE_ONLY);
  assert.match(mergeOnly, /<@U0MERGEONLY> is not an approver of the production deploy gate/);
  assert.deepEqual((await flow.approvals(run.id)).map((a) => a.gate), ['merge'], 'no production approval');
  assert.deepEqual(flow.github.dispatches().map((d) => d.workflow), [DEPLOY.staging], 'production never dispatched');
  assert.equal((await flow.run('ENG-42')).status, 'awaiting_deploy_approval');
  const card2 = flow.slack.repliesTo(run.thread_ts).find((m) => m.ts === production.ts)!;
  assert.deepEqual(card2.blocks, production.blocks, 'the production card is as it was');
});

test('Reject opens a modal for the reason; submitted, the run ends rejected, the PR is closed, and the thread, the ticket and /agent audit carry the reason', async () => {
  const run = eng43;
  const card = await flow.card(run);
  const triggerId = '1234567890.987654321.0abcdef0123456789abcdef0123456';
  await flow.click(card, ACTIONS.gateReject, APPROVER, { triggerId });
  const modal = await eventually(async () => flow.slack.openViews().find((v) => v.callback_id === VIEWS.rejectReason), 10_000, 'the reject modal');
  assert.deepEqual(JSON.parse(String(modal.private_metadata)), { runId: run.id, gate: 'merge', headSha: card.headSha });
  assert.equal((flow.slack.apiCalls('views.open')[0]!.args as { trigger_id: string }).trigger_id, triggerId);

  // Without a reason Slack is told to show an error in the modal, and nothing changes.
  const empty = await flow.submit(modal, APPROVER, { reason: { reason: '  ' } });
  assert.equal(empty.status, 200);
  assert.deepEqual(empty.json, { response_action: 'errors', errors: { reason: 'Say why, so the requester and the ticket know.' } });
  assert.equal((await flow.run('ENG-43')).status, 'awaiting_approval');

  const reason = 'The test pins range, but sumRange callers in billing rely on the old end.';
  const submitted = await flow.submit(modal, APPROVER, { reason: { reason } });
  assert.equal(submitted.status, 200);
  const ended = await flow.runWhere("status = 'rejected'", 'the run to end rejected', 15_000, 'ENG-43');
  assert.match(ended.status_reason ?? '', /Rejected by <@U0APPROVER> at the merge gate/);

  const pr = flow.github.pulls('acme', 'calc').find((p) => p.html_url === run.pr_url) as { state: string; merged: boolean };
  assert.equal(pr.state, 'closed');
  assert.equal(pr.merged, false);
  assert.deepEqual(merged(run), []);
  const notice = await eventually(async () => flow.slack.repliesTo(run.thread_ts).find((m) => /rejected by <@U0APPROVER>/.test(m.text)), 10_000, 'the rejection in the thread');
  assert.ok(JSON.stringify(notice.blocks).includes('sumRange callers in billing'), 'the reason in the thread');
  await eventually(async () => {
    const decided = flow.slack.repliesTo(run.thread_ts).find((m) => m.ts === card.ts);
    return decided && /Rejected by <@U0APPROVER>/.test(JSON.stringify(decided.blocks)) && !JSON.stringify(decided.blocks).includes(ACTIONS.gateApprove);
  }, 10_000, 'the card to say it was rejected, without its buttons');
  assert.ok(flow.linear.getIssue('ENG-43').comments.some((c) => c.body.includes(reason)), 'the reason on the ticket');
  assert.deepEqual((await flow.approvals(run.id)).map((a) => [a.decision, a.decided_by, a.reason]), [['rejected', APPROVER, reason]]);

  const trail = (await flow.command('audit ENG-43')).json as { blocks: unknown[] };
  const text = JSON.stringify(trail.blocks);
  assert.ok(text.indexOf('approval.rejected') > text.indexOf('approval.requested'));
  assert.ok(text.indexOf('run.rejected') > text.indexOf('approval.rejected'));
  assert.ok(text.includes('The test pins range'), 'the reason in the trail');
});
