import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeRequest, insertApproval, openRequestFor } from '../../src/db/approvals.ts';
import { auditForRun } from '../../src/db/audit-log.ts';
import { getRun, transitionRun } from '../../src/db/runs.ts';
import { deployProduction } from '../../src/jobs/deploy-production.ts';
import { deployStaging } from '../../src/jobs/deploy-staging.ts';
import { PermanentError } from '../../src/jobs/errors.ts';
import { gateMerge } from '../../src/jobs/gate-merge.ts';
import { APPROVER, startAfterApproval, type AfterApproval } from './after-approval-fixture.ts';

/*
 * The deploys after a merge, on real parts: the fake GitHub dispatches the workflows and reports
 * their runs (completed with the conclusion the test chose the next time Baton polls), the fake
 * Slack holds the thread, the fake Linear the ticket, PostgreSQL the run, approvals and audit log.
 */

const BOTH = { staging: 'deploy-staging.yml', production: 'deploy-production.yml' };
const blocksOf = (m: { text: string; blocks?: unknown[] }): string => `${m.text} ${JSON.stringify(m.blocks ?? [])}`;

/** Merges (gate.merge) and returns the merge commit, with the deploy.staging job it enqueued. */
async function merged(world: AfterApproval): Promise<{ mergeSha: string; stagingJob: { runId: string; sha: string } | undefined }> {
  await gateMerge({ runId: world.run.id, headSha: world.headSha }, world.deps);
  const mergeSha = world.github.merges('acme', 'app')[0]!.sha;
  const [job] = (await world.jobs('deploy.staging')) as { runId: string; sha: string }[];
  return { mergeSha, stagingJob: job };
}

/** What the production gate's Approve leaves: the approval row, the request closed, the run deploying. */
async function approveProduction(world: AfterApproval, sha: string): Promise<void> {
  const request = await openRequestFor(world.db.pool, world.run.id, 'production');
  assert.ok(request, 'the production gate is open');
  await insertApproval(world.db.pool, { runId: world.run.id, gate: 'production', headSha: sha, decision: 'approved', decidedBy: APPROVER, via: 'click' });
  await closeRequest(world.db.pool, request.id, 'approved');
  assert.ok(await transitionRun(world.db.pool, world.run.id, ['awaiting_deploy_approval'], 'deploying', 'Approved; deploying to production.'));
}

test('staging: the merge commit is dispatched to the staging workflow and followed; success opens the production gate, once', async (t) => {
  const world = await startAfterApproval(t, { deploy: BOTH });
  const { db, github, slack, linear, run, threadTs, deps } = world;
  const { mergeSha, stagingJob } = await merged(world);
  assert.deepEqual(stagingJob, { runId: run.id, sha: mergeSha });
  await deployStaging(stagingJob!, deps);
  await deployStaging(stagingJob!, deps);

  const dispatches = github.dispatches();
  assert.equal(dispatches.length, 1, 'one deploy for a redelivered job');
  assert.deepEqual({ workflow: dispatches[0]!.workflow, ref: dispatches[0]!.ref, inputs: dispatches[0]!.inputs }, {
    workflow: 'deploy-staging.yml', ref: 'main', inputs: { ref: mergeSha, environment: 'staging' },
  });
  const workflowUrl = `https://github.com/acme/app/actions/runs/${dispatches[0]!.runId}`;
  assert.equal((await getRun(db.pool, run.id))?.status, 'awaiting_deploy_approval');

  const trail = await auditForRun(db.pool, run.id);
  const started = trail.filter((e) => e.action === 'deploy.started');
  assert.deepEqual(started.map((e) => (e.detail as { env: string; workflowRunId: number; url: string })).map((d) => [d.env, d.workflowRunId, d.url]), [['staging', dispatches[0]!.runId, workflowUrl]]);
  const finished = trail.filter((e) => e.action === 'deploy.finished').map((e) => e.detail as { env: string; conclusion: string; url: string });
  assert.deepEqual(finished.map((d) => [d.env, d.conclusion, d.url]), [['staging', 'success', workflowUrl]]);

  const replies = slack.repliesTo(threadTs);
  assert.equal(replies.filter((m) => m.text.startsWith('ENG-7: staging deploy')).length, 2, 'started, then finished');
  assert.ok(replies.some((m) => m.text.includes('staging deploy succeeded') && blocksOf(m).includes(workflowUrl)));
  const cards = replies.filter((m) => blocksOf(m).includes('Approve deploy'));
  assert.equal(cards.length, 1, 'one production gate card');
  assert.ok(blocksOf(cards[0]!).includes(workflowUrl), 'the card links the staging run');
  assert.equal((await openRequestFor(db.pool, run.id, 'production'))?.headSha, mergeSha);
  assert.ok(linear.getIssue('ENG-7').comments.some((c) => c.body.includes('deployed to staging') && c.body.includes(workflowUrl)));
});

test('a deploy job redelivered after its first attempt died follows the run it dispatched instead of deploying again', async (t) => {
  const world = await startAfterApproval(t, { deploy: BOTH });
  const { db, github, slack, run, deps } = world;
  const { stagingJob } = await merged(world);
  slack.failMethod('chat.postMessage', 'internal_error'); // the "deploying" message, just after the dispatch
  await assert.rejects(deployStaging(stagingJob!, deps));
  assert.equal(github.dispatches().length, 1);
  assert.equal((await getRun(db.pool, run.id))?.status, 'deploying');

  await deployStaging(stagingJob!, deps);
  assert.equal(github.dispatches().length, 1, 'no second deploy');
  assert.equal((await getRun(db.pool, run.id))?.status, 'awaiting_deploy_approval');
});

test('production without a production approval row is refused and nothing is dispatched; an approval of another commit does not count', async (t) => {
  const world = await startAfterApproval(t, { deploy: { production: 'deploy-production.yml' } });
  const { db, github, run, headSha, deps } = world;
  const { mergeSha } = await merged(world);
  assert.equal((await getRun(db.pool, run.id))?.status, 'awaiting_deploy_approval');
  // As if the run were moved on without the approval (a bug, a forged job): the job must still refuse.
  await transitionRun(db.pool, run.id, ['awaiting_deploy_approval'], 'deploying', 'no approval');
  const refused = (error: unknown): boolean => {
    assert.ok(error instanceof PermanentError);
    assert.equal(error.code, 'no_production_approval');
    assert.match(error.message, /Nothing was deployed/);
    return true;
  };
  await assert.rejects(deployProduction({ runId: run.id, sha: mergeSha }, deps), refused);
  await insertApproval(db.pool, { runId: run.id, gate: 'production', headSha, decision: 'approved', decidedBy: APPROVER, via: 'click' });
  await assert.rejects(deployProduction({ runId: run.id, sha: mergeSha }, deps), refused);
  await insertApproval(db.pool, { runId: run.id, gate: 'production', headSha: mergeSha, decision: 'rejected', decidedBy: APPROVER, via: 'click' });
  await assert.rejects(deployProduction({ runId: run.id, sha: mergeSha }, deps), refused);
  assert.equal(github.dispatches().length, 0);
});

test('staging, the production approval, production: the run succeeds, the ticket is Done and told, once however often the jobs come', async (t) => {
  const world = await startAfterApproval(t, { deploy: BOTH });
  const { db, github, slack, linear, run, threadTs, deps } = world;
  const { mergeSha, stagingJob } = await merged(world);
  await deployStaging(stagingJob!, deps);
  await approveProduction(world, mergeSha);
  // A late redelivery of the staging job, while the run is deploying again (to production now).
  await deployStaging(stagingJob!, deps);
  assert.equal((await getRun(db.pool, run.id))?.status, 'deploying', 'the production gate, decided, is not reopened');
  await deployProduction({ runId: run.id, sha: mergeSha }, deps);
  await deployProduction({ runId: run.id, sha: mergeSha }, deps);
  await deployStaging(stagingJob!, deps);

  const dispatches = github.dispatches();
  assert.deepEqual(dispatches.map((d) => [d.workflow, d.inputs]), [
    ['deploy-staging.yml', { ref: mergeSha, environment: 'staging' }],
    ['deploy-production.yml', { ref: mergeSha, environment: 'production' }],
  ]);
  const productionUrl = `https://github.com/acme/app/actions/runs/${dispatches[1]!.runId}`;
  const done = await getRun(db.pool, run.id);
  assert.equal(done?.status, 'succeeded');
  const ticket = linear.getIssue('ENG-7');
  assert.equal(ticket.state.name, 'Done');
  assert.equal(ticket.comments.filter((c) => c.body.includes('Baton delivered this fix') && c.body.includes(productionUrl)).length, 1);
  const replies = slack.repliesTo(threadTs);
  assert.equal(replies.filter((m) => m.text.includes('production deploy succeeded')).length, 1);
  assert.equal(replies.filter((m) => m.text.includes('Delivered')).length, 1);
  assert.equal(replies.filter((m) => blocksOf(m).includes('Approve deploy')).length, 1, 'the gate was not reopened by the late staging job');
  const actions = (await auditForRun(db.pool, run.id)).map((e) => e.action);
  assert.equal(actions.filter((a) => a === 'run.delivered').length, 1);
  assert.equal(actions.filter((a) => a === 'ticket.moved_to_done').length, 1);
});

test('a failed staging deploy fails the run with the link, saying the change is merged, in the thread and on the ticket', async (t) => {
  const world = await startAfterApproval(t, { deploy: BOTH });
  const { db, github, slack, linear, run, threadTs, deps } = world;
  const { stagingJob } = await merged(world);
  world.deploysEndWith('failure');
  await deployStaging(stagingJob!, deps);

  const url = `https://github.com/acme/app/actions/runs/${github.dispatches()[0]!.runId}`;
  const failed = await getRun(db.pool, run.id);
  assert.equal(failed?.status, 'failed');
  assert.ok(failed?.statusReason?.includes(url), failed?.statusReason ?? '');
  assert.match(failed?.statusReason ?? '', /merged .* staging deploy ended with “failure”/);
  const replies = slack.repliesTo(threadTs);
  assert.ok(replies.some((m) => m.text.includes('staging deploy failed') && blocksOf(m).includes(url)), 'the deploy message says it failed');
  assert.ok(replies.some((m) => blocksOf(m).includes(url) && /fail/i.test(m.text) && !m.text.includes('staging deploy failed')), 'and the run’s failure notice links it');
  assert.equal(replies.filter((m) => blocksOf(m).includes('Approve deploy')).length, 0, 'production is not offered');
  assert.ok(linear.getIssue('ENG-7').comments.some((c) => c.body.includes('staging deploy ended with') && c.body.includes(url)));
  assert.notEqual(linear.getIssue('ENG-7').state.name, 'Done');
});

test('a production deploy that does not finish in time fails the run, naming the timeout and the link', async (t) => {
  const world = await startAfterApproval(t, { deploy: { production: 'deploy-production.yml', timeout_minutes: 0.1 } });
  const { db, github, run, deps } = world;
  const { mergeSha } = await merged(world);
  await approveProduction(world, mergeSha);
  world.deploysEndWith(null);
  await deployProduction({ runId: run.id, sha: mergeSha }, deps);
  const failed = await getRun(db.pool, run.id);
  assert.equal(failed?.status, 'failed');
  assert.match(failed?.statusReason ?? '', /production deploy did not finish within 0.1 min/);
  assert.ok(failed?.statusReason?.includes(`actions/runs/${github.dispatches()[0]!.runId}`));
});

test('staging only: a green staging deploy delivers the run (succeeded, the ticket Done)', async (t) => {
  const world = await startAfterApproval(t, { deploy: { staging: 'deploy-staging.yml' } });
  const { db, linear, run, deps } = world;
  const { stagingJob } = await merged(world);
  await deployStaging(stagingJob!, deps);
  assert.equal((await getRun(db.pool, run.id))?.status, 'succeeded');
  assert.equal(linear.getIssue('ENG-7').state.name, 'Done');
  assert.equal(await openRequestFor(db.pool, run.id, 'production'), undefined, 'no production gate without a production deploy');
});
