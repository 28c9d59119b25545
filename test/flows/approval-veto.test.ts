import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTIONS } from '../../src/bot/views/action-ids.ts';
import { answer, REPORTS, reviewersHandler } from '../agents/reviewers/review-script.ts';
import type { ScriptedResponse } from '../fakes/fake-anthropic.ts';
import type { RunRow } from '../support/agent-flow.ts';
import { APPROVER, startApprovalFlow, type ApprovalFlow } from '../support/approval-flow.ts';
import { eventually } from '../support/eventually.ts';

/*
 * Vetoes against auto-approve, on a repository that opted in (gates.merge.auto_approve). The
 * weights put almost nothing on security, so every run here scores above 0.9 whatever the security
 * reviewer says: what stops the vetoed runs is the veto itself, never the score. ENG-42's security
 * reviewer rates the risk 8/10; ENG-44's answers malformed twice and abstains; ENG-43's reviewers
 * answer their sample reports (no veto), the positive control that does merge with no click.
 */

let flow: ApprovalFlow;
let vetoed: RunRow;
let control: RunRow;
let abstained: RunRow;
before(async () => {
  const notJson: ScriptedResponse = { content: [{ type: 'text', text: 'Looks safe to me, ship it.' }], ignoreOutputFormat: true };
  flow = await startApprovalFlow({
    tickets: [43, 44],
    deploy: false,
    policy: {
      repos: { 'acme/calc': { gates: { merge: { auto_approve: true } } } },
      review: { weights: { security: 0.05, blast_radius: 0.475, action_plan: 0.475 } },
    },
    reviewers: {
      'ENG-42': reviewersHandler({ security: [() => answer({ ...REPORTS.security, risk: 8 })] }),
      'ENG-44': reviewersHandler({ security: [() => notJson, () => answer({ ...REPORTS.security, risk: 11 })] }),
    },
  });
  [vetoed, control, abstained] = await Promise.all([flow.publish('ENG-42'), flow.publish('ENG-43'), flow.publish('ENG-44')]);
});
after(async () => {
  await flow?.stop();
});

const prNumber = (run: RunRow): number => Number(run.pr_url!.split('/').at(-1));
const mergesOf = (run: RunRow) => flow.github.merges('acme', 'calc').filter((m) => m.number === prNumber(run));

async function consensus(run: RunRow): Promise<{ score: number; vetoes: { code: string; reason: string }[] }> {
  const { rows } = await flow.db.pool.query<{ score: string; vetoes: { code: string; reason: string }[] }>(
    'SELECT score, vetoes FROM consensus_results WHERE run_id = $1 AND head_sha = $2', [run.id, run.outcome!.headSha],
  );
  return { score: Number(rows[0]!.score), vetoes: rows[0]!.vetoes };
}

/** The run was published with its request open and nothing approved: the policy, deciding in that same transaction, did not approve it. */
async function notAutoApproved(run: RunRow, key: string): Promise<void> {
  assert.equal((await flow.run(key)).status, 'awaiting_approval');
  assert.deepEqual(await flow.approvals(run.id), []);
  assert.deepEqual((await flow.requests(run.id)).map((r) => r.state), ['open']);
  assert.ok(!(await flow.audit(run.id)).some((e) => e.action === 'approval.auto'));
  assert.deepEqual(mergesOf(run), []);
}

test('a security veto (risk 8/10) shows on the card with its reason, Approve asks to confirm it, and auto-approve does not merge it', async () => {
  const scored = await consensus(vetoed);
  assert.ok(scored.score > 0.9, `the score alone (${scored.score}) would allow auto-approve`);
  assert.deepEqual(scored.vetoes.map((v) => v.code), ['security_risk']);
  await notAutoApproved(vetoed, 'ENG-42');

  const card = await flow.card(vetoed);
  const text = JSON.stringify(card.blocks);
  assert.match(text, /1 veto\*/);
  assert.match(text, /Security risk \(Security\)\*: The security reviewer rated the risk 8\/10; 7 or more is a veto\./);
  assert.match(card.text, /1 veto/);
  const confirm = card.button(ACTIONS.gateApprove).confirm;
  assert.ok(confirm, 'Approve carries a confirmation dialog');
  assert.equal(confirm.title.text, 'Approve despite 1 veto?');
  assert.match(confirm.text.text, /Security risk \(Security\): The security reviewer rated the risk 8\/10/);
  assert.equal(card.button(ACTIONS.gateReject).confirm, undefined);

  // A person may still decide to merge it: the dialog makes it deliberate, the server checks the click as any other.
  await flow.click(card, ACTIONS.gateApprove, APPROVER);
  await eventually(async () => mergesOf(vetoed).length === 1, 30_000, 'the merge a person approved');
  assert.deepEqual((await flow.approvals(vetoed.id)).map((a) => [a.decided_by, a.via]), [[APPROVER, 'click']]);
});

test('the positive control: with no veto and a score above 0.9, the opted-in repository merges with no click', async () => {
  const scored = await consensus(control);
  assert.ok(scored.score > 0.9, `score ${scored.score}`);
  assert.deepEqual(scored.vetoes, []);
  const done = await flow.runWhere("status = 'succeeded'", 'the auto-approved run to be delivered', 30_000, 'ENG-43');
  assert.match(done.status_reason ?? '', /^Merged at/);
  assert.deepEqual((await flow.approvals(control.id)).map((a) => [a.decided_by, a.via, a.head_sha]), [['baton:auto_approve', 'policy', control.outcome!.headSha]]);
  const [merge] = mergesOf(control);
  assert.ok(merge);
  assert.match(merge.commitMessage!, /Approved by Baton's auto-approve policy/);
  assert.equal(flow.linear.getIssue('ENG-43').state.name, 'Done');
  assert.deepEqual(flow.slack.ephemerals(), [], 'nobody clicked');
  // The card was posted decided: no buttons to click, and it says the policy approved.
  const card = flow.slack.repliesTo(control.thread_ts).find((m) => /Auto-approved by Baton's policy/.test(m.text));
  assert.ok(card, 'the card says it was auto-approved');
  assert.ok(!JSON.stringify(card.blocks).includes(ACTIONS.gateApprove));
});

test('a reviewer whose output is malformed twice abstains: the card shows the abstention as a veto, and it blocks auto-approve', async () => {
  const scored = await consensus(abstained);
  assert.ok(scored.score > 0.9, `the score alone (${scored.score}) would allow auto-approve`);
  assert.deepEqual(scored.vetoes.map((v) => v.code), ['abstained']);
  assert.match(scored.vetoes[0]!.reason, /The security reviewer abstained: No valid report after one retry/);
  await notAutoApproved(abstained, 'ENG-44');

  const card = await flow.card(abstained);
  const text = JSON.stringify(card.blocks);
  assert.match(text, /Reviewer abstained \(Security\)\*: The security reviewer abstained/);
  assert.match(text, /security abstained ×/);
  assert.match(card.button(ACTIONS.gateApprove).confirm?.text.text ?? '', /Reviewer abstained \(Security\)/);
  const security = flow.anthropic.requests().filter((r) => JSON.stringify(r.messages[0]).includes('review of ticket ENG-44') && JSON.stringify(r.messages[1] ?? '').includes('(role: security)'));
  assert.equal(security.length, 2, 'one retry, then the abstention');
});
