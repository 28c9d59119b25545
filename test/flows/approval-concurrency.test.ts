import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTIONS } from '../../src/bot/views/action-ids.ts';
import { APPROVER, DEPLOY, DEPLOYER, startApprovalFlow, type ApprovalFlow } from '../support/approval-flow.ts';
import { count } from '../support/test-database.ts';
import { eventually } from '../support/eventually.ts';

/*
 * A person double-clicking, or ten of them at once: ten signed Approve clicks sent together give
 * one approval row, one merge and one job, and the nine others are told it was already decided.
 * The same at the production gate: one approval, one production deploy.
 */

let flow: ApprovalFlow;
before(async () => {
  flow = await startApprovalFlow();
});
after(async () => {
  await flow?.stop();
});

const CLICKS = 10;

test('ten concurrent Approve clicks: one approval row, one merge; ten concurrent Approve deploy clicks: one production approval, one deploy', async () => {
  const run = await flow.publish('ENG-42');
  const card = await flow.card(run);

  const answers = await Promise.all(Array.from({ length: CLICKS }, () => flow.click(card, ACTIONS.gateApprove, APPROVER)));
  assert.deepEqual(answers.map((a) => a.status), Array(CLICKS).fill(200));
  const told = await eventually(async () => {
    const shown = flow.slack.ephemerals(APPROVER);
    return shown.length >= CLICKS - 1 ? shown : undefined;
  }, 30_000, 'the nine clicks that lost to be told');
  for (const reply of told) assert.match(reply.text, /already approved by <@U0APPROVER>|no longer waiting at the merge gate|decided this gate a moment ago/);

  const production = await flow.card(run, 'production');
  assert.equal(flow.slack.ephemerals(APPROVER).length, CLICKS - 1, 'exactly one click went through');
  assert.deepEqual((await flow.approvals(run.id)).map((a) => [a.gate, a.head_sha]), [['merge', card.headSha]]);
  assert.equal(flow.github.merges('acme', 'calc').length, 1);
  assert.equal(flow.github.callsTo('PUT', /\/merge$/).length, 1, 'GitHub was asked to merge once');
  const jobs = `${flow.db.schema}_jobs.job`;
  assert.equal(await count(flow.db.pool, `SELECT 1 FROM ${jobs} WHERE name = 'gate.merge' AND data->>'runId' = $1`, [run.id]), 1);
  const granted = (await flow.audit(run.id)).filter((e) => e.action === 'approval.granted');
  assert.equal(granted.length, 1);
  const cardEdits = flow.slack.apiCalls('chat.update').filter((c) => c.args.ts === card.ts);
  assert.equal(cardEdits.length, 1, 'the card was marked approved once');

  const deploys = await Promise.all(Array.from({ length: CLICKS }, () => flow.click(production, ACTIONS.gateApprove, DEPLOYER)));
  assert.deepEqual(deploys.map((a) => a.status), Array(CLICKS).fill(200));
  await flow.runWhere("status = 'succeeded'", 'the run to be delivered', 30_000);
  await eventually(async () => flow.slack.ephemerals(DEPLOYER).length >= CLICKS - 1, 30_000, 'the nine Approve deploy clicks that lost to be told');
  assert.equal(flow.slack.ephemerals(DEPLOYER).length, CLICKS - 1);
  assert.deepEqual((await flow.approvals(run.id)).map((a) => a.gate), ['merge', 'production']);
  assert.deepEqual(flow.github.dispatches().map((d) => d.workflow), [DEPLOY.staging, DEPLOY.production], 'production deployed once');
  assert.equal(await count(flow.db.pool, `SELECT 1 FROM ${jobs} WHERE name = 'deploy.production' AND data->>'runId' = $1`, [run.id]), 1);
});
