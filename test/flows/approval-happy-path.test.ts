import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTIONS } from '../../src/bot/views/action-ids.ts';
import { APPROVER, DEPLOY, DEPLOYER, startApprovalFlow, type ApprovalFlow } from '../support/approval-flow.ts';
import { eventually } from '../support/eventually.ts';

/*
 * The approval gate's main path, end to end through signed Slack requests: `/agent fix` → the
 * scripted fix → three reviews → the card → an approver's Approve merges exactly the reviewed
 * head → staging → the production card → Approve deploy → production → the ticket is Done, and
 * `/agent audit` lists it all in order. Then a merge GitHub refuses, explained with a Retry that
 * merges once the check is green.
 */

let flow: ApprovalFlow;
before(async () => {
  flow = await startApprovalFlow({ tickets: [43] });
});
after(async () => {
  await flow?.stop();
});

const putMerges = () => flow.github.callsTo('PUT', /\/pulls\/\d+\/merge$/).filter((c) => c.status < 300);

test('/agent fix → reviews → card → Approve merges the approved head → staging → Approve deploy → production → ticket Done → /agent audit lists every step', async () => {
  const run = await flow.publish('ENG-42');
  assert.equal(run.status, 'awaiting_approval');
  const headSha = run.outcome!.headSha;

  // The card: the PR, the three reviewers, the consensus, Approve / Reject pinned to the pushed head; the diff as a file.
  const card = await flow.card(run);
  assert.equal(card.headSha, headSha);
  const cardText = JSON.stringify(card.blocks);
  assert.ok(cardText.includes(run.pr_url!), 'the PR link');
  for (const reviewer of ['Security', 'Blast radius', 'Action plan']) assert.ok(cardText.includes(reviewer), `the ${reviewer} reviewer`);
  assert.match(cardText, /Consensus: [01]\.\d\d/);
  assert.match(cardText, /No veto/);
  assert.deepEqual(card.buttons.map((b) => b.actionId), [ACTIONS.gateApprove, ACTIONS.gateReject]);
  assert.equal(card.button(ACTIONS.gateApprove).confirm, undefined, 'no veto, so no confirmation dialog');
  assert.equal(flow.slack.uploads().filter((u) => u.completed && u.thread_ts === run.thread_ts).length, 1, 'the diff file');
  assert.equal((await flow.approvals(run.id)).length, 0);
  // The PR description has what the card points to: the consensus and the scripted reviewers' findings.
  const prBody = (flow.github.pulls('acme', 'calc').find((p) => (p as { html_url: string }).html_url === run.pr_url) as { body: string }).body;
  const score = /Consensus: ([01]\.\d\d)/.exec(cardText)![1]!;
  assert.ok(prBody.includes(`**Consensus ${score}** · passes`), prBody);
  assert.ok(prBody.includes('- **low** · src/calc.js — No input validation on range bounds'), 'the security finding');
  assert.ok(prBody.includes('1. Revert the merge commit'), 'the rollback plan');
  const { rows: reviewers } = await flow.db.pool.query<{ agent: string }>(
    "SELECT DISTINCT agent FROM agent_calls WHERE run_id = $1 AND agent LIKE 'reviewer:%' ORDER BY agent", [run.id],
  );
  assert.deepEqual(reviewers.map((r) => r.agent), ['reviewer:action_plan', 'reviewer:blast_radius', 'reviewer:security'], 'three reviews');
  flow.github.addCheckRun('acme', 'calc', headSha, { name: 'test', conclusion: 'success' });

  // Approve: the card says who, and loses its buttons; the PR merges at the approved head, naming the approver.
  const response = await flow.click(card, ACTIONS.gateApprove, APPROVER);
  assert.equal(response.status, 200);
  const decided = await eventually(async () => {
    const message = flow.slack.repliesTo(run.thread_ts).find((m) => m.ts === card.ts);
    return message && /Approved by <@U0APPROVER>/.test(JSON.stringify(message.blocks)) ? message : undefined;
  }, 15_000, 'the card to say who approved');
  assert.ok(!JSON.stringify(decided.blocks).includes(ACTIONS.gateApprove), 'the buttons are gone');
  assert.ok(JSON.stringify(decided.blocks).includes(headSha.slice(0, 7)));

  const productionCard = await flow.card(run, 'production');
  const [merge] = flow.github.merges('acme', 'calc');
  assert.ok(merge, 'merged');
  assert.equal(putMerges().length, 1);
  assert.equal((putMerges()[0]!.body as { sha: string }).sha, headSha, 'GitHub was asked to merge exactly the approved head');
  assert.match(merge.commitMessage!, /Approved by ada \(Slack user U0APPROVER\) in Slack: https:\/\//);
  assert.match(merge.commitMessage!, new RegExp(`approved head ${headSha.slice(0, 7)}`));
  assert.match(merge.commitTitle!, /^ENG-42: /);
  assert.equal(flow.github.pulls('acme', 'calc')[0]!.merged, true);

  // Staging was dispatched with the merge commit and succeeded before the production card appeared.
  const staging = flow.github.dispatches();
  assert.equal(staging.length, 1, 'staging only, until production is approved');
  assert.equal(staging[0]!.workflow, DEPLOY.staging);
  assert.deepEqual(staging[0]!.inputs, { ref: merge.sha, environment: 'staging' });
  assert.equal(productionCard.headSha, merge.sha, 'the production gate is pinned to the merge commit');
  assert.deepEqual(productionCard.buttons.map((b) => b.text), ['Approve deploy', 'Reject']);
  assert.equal((await flow.run('ENG-42')).status, 'awaiting_deploy_approval');

  // Approve deploy by a production approver: production is dispatched, the run succeeds, the ticket is Done.
  await flow.click(productionCard, ACTIONS.gateApprove, DEPLOYER);
  const done = await flow.runWhere("status = 'succeeded'", 'the run to be delivered', 30_000);
  assert.deepEqual(flow.github.dispatches().map((d) => [d.workflow, d.inputs]), [
    [DEPLOY.staging, { ref: merge.sha, environment: 'staging' }],
    [DEPLOY.production, { ref: merge.sha, environment: 'production' }],
  ]);
  assert.equal(flow.linear.getIssue('ENG-42').state.name, 'Done');
  assert.deepEqual((await flow.approvals(run.id)).map((a) => [a.gate, a.head_sha, a.decided_by, a.via]), [
    ['merge', headSha, APPROVER, 'click'],
    ['production', merge.sha, DEPLOYER, 'click'],
  ]);
  await eventually(async () => flow.slack.repliesTo(run.thread_ts).find((m) => /Delivered: ENG-42 is merged/.test(m.text)), 10_000, 'the delivery in the thread');
  assert.match(done.status_reason ?? '', /deployed to production/);

  // The audit trail, from the table and as `/agent audit` shows it: every step, in order.
  const steps = [
    'review.scored', 'approval.requested', 'approval.granted', 'merge.done', 'deploy.started', 'deploy.finished',
    'approval.requested', 'approval.granted', 'deploy.started', 'deploy.finished', 'run.delivered',
  ];
  const audit = await flow.audit(run.id);
  assert.deepEqual(audit.filter((e) => new Set(steps).has(e.action)).map((e) => e.action), steps);
  assert.deepEqual(audit.filter((e) => e.action === 'approval.granted').map((e) => [e.actor, e.gate, e.head_sha]), [
    [APPROVER, 'merge', headSha],
    [DEPLOYER, 'production', merge.sha],
  ]);
  const answer = await flow.command('audit ENG-42');
  assert.equal(answer.status, 200);
  const trail = answer.json as { response_type: string; text: string; blocks: unknown[] };
  assert.equal(trail.response_type, 'ephemeral');
  const trailText = JSON.stringify(trail.blocks);
  let at = -1;
  for (const step of steps) {
    const next = trailText.indexOf(step, at + 1);
    assert.ok(next > at, `/agent audit shows ${step} after the step before it`);
    at = next;
  }
  assert.ok(trailText.includes('<@U0APPROVER>') && trailText.includes('<@U0DEPLOYER>'), 'who approved each gate');
});

test('a merge GitHub refuses (a failing check) is explained with Retry; once the check passes, Retry merges the same head', async () => {
  const run = await flow.publish('ENG-43');
  const headSha = run.outcome!.headSha;
  flow.github.addCheckRun('acme', 'calc', headSha, { name: 'test', conclusion: 'failure' });
  const number = Number(run.pr_url!.split('/').at(-1));
  const merged = () => flow.github.merges('acme', 'calc').filter((m) => m.number === number);

  const card = await flow.card(run);
  await flow.click(card, ACTIONS.gateApprove, APPROVER);
  const refusal = await flow.retryCard(run);
  assert.match(refusal.text, /GitHub did not merge/);
  assert.match(refusal.text, new RegExp(`1 check is failing on ${headSha.slice(0, 7)}: test \\(failure\\)`));
  assert.deepEqual([refusal.gate, refusal.headSha], ['merge', headSha], 'Retry is pinned to the approved head');
  await flow.runWhere("status = 'awaiting_approval' AND EXISTS (SELECT 1 FROM audit_log a WHERE a.run_id = runs.id AND a.action = 'merge.refused')", 'the run back at the gate', 10_000, 'ENG-43');
  assert.deepEqual(merged(), [], 'nothing merged');
  // The ticket hears it too (told after the run is back at the gate, so waited for).
  await eventually(async () => flow.linear.getIssue('ENG-43').comments.some((c) => /did not merge the approved change/.test(c.body)), 10_000, 'the refusal on the ticket');

  // The check passes on a re-run; Retry merges the approved head.
  flow.github.addCheckRun('acme', 'calc', headSha, { name: 'test', conclusion: 'success' });
  await flow.click(refusal, ACTIONS.gateRetry, APPROVER);
  await eventually(async () => merged().length === 1, 30_000, 'the retried merge');
  const puts = putMerges().filter((c) => c.path.endsWith(`/pulls/${number}/merge`));
  assert.deepEqual(puts.map((c) => (c.body as { sha: string }).sha), [headSha], 'one merge call, at the approved head');
  const audit = (await flow.audit(run.id)).map((e) => e.action);
  assert.ok(audit.indexOf('merge.refused') < audit.indexOf('merge.retried') && audit.indexOf('merge.retried') < audit.indexOf('merge.done'));
});
