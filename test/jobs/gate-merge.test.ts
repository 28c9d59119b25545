import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openRequestFor } from '../../src/db/approvals.ts';
import { auditForRun } from '../../src/db/audit-log.ts';
import { getRun, transitionRun } from '../../src/db/runs.ts';
import { PermanentError } from '../../src/jobs/errors.ts';
import { gateMerge } from '../../src/jobs/gate-merge.ts';
import { APPROVER, startAfterApproval } from './after-approval-fixture.ts';

/*
 * gate.merge on real parts: the fake GitHub merges (or refuses with its reasons), the fake Slack
 * holds the thread, the fake Linear the ticket, PostgreSQL the run, its approval and its audit log,
 * pg-boss the next job.
 */

const short = (sha: string): string => sha.slice(0, 7);
const blocksOf = (m: { blocks?: unknown[] }): string => JSON.stringify(m.blocks ?? []);

test('an approved head merges at that SHA, the commit naming the approver and the card; a repository without deploys is delivered', async (t) => {
  const { db, github, slack, linear, run, headSha, threadTs, cardTs, deps } = await startAfterApproval(t);
  await gateMerge({ runId: run.id, headSha }, deps);

  const [merge] = github.callsTo('PUT', /\/pulls\/1\/merge$/);
  assert.equal((merge?.body as { sha?: string }).sha, headSha, 'pinned to the approved head');
  const [record] = github.merges('acme', 'app');
  assert.equal(record?.method, 'squash');
  assert.equal(record?.commitTitle, 'ENG-7: Handle an empty cart (#1)');
  const commitMessage = record?.commitMessage ?? '';
  assert.ok(commitMessage.includes(`Approved by Slack user ${APPROVER} in Slack: https://fake.slack.com/archives/C1/p${cardTs.replace('.', '')}`), commitMessage);
  assert.ok(commitMessage.includes(`Baton run ${run.id} · consensus 0.93 · approved head ${short(headSha)}`), commitMessage);

  const done = await getRun(db.pool, run.id);
  assert.equal(done?.status, 'succeeded');
  const trail = await auditForRun(db.pool, run.id);
  const merged = trail.find((e) => e.action === 'merge.done');
  assert.deepEqual([merged?.gate, merged?.headSha, merged?.score], ['merge', headSha, 0.93]);
  assert.equal((merged?.detail as { mergeSha?: string }).mergeSha, record?.sha);
  assert.ok(trail.some((e) => e.action === 'run.delivered'));

  const replies = slack.repliesTo(threadTs);
  assert.equal(replies.filter((m) => m.text.includes('Merged')).length, 1, 'the merge is told in the thread');
  assert.ok(replies.some((m) => blocksOf(m).includes(`<@${APPROVER}>`)), 'naming the approver');
  assert.equal(replies.filter((m) => m.text.includes('Delivered')).length, 1);
  const ticket = linear.getIssue('ENG-7');
  assert.equal(ticket.state.name, 'Done');
  assert.ok(ticket.comments.some((c) => c.body.includes(`merged [PR #1]`) && c.body.includes(short(record!.sha))), 'the merge is told on the ticket');
});

test('a redelivered gate.merge, after a Slack failure cut the first one short, merges once and tells once', async (t) => {
  const { db, github, slack, linear, run, headSha, threadTs, deps } = await startAfterApproval(t);
  slack.failMethod('chat.postMessage', 'internal_error');
  await assert.rejects(gateMerge({ runId: run.id, headSha }, deps));
  assert.equal(github.merges('acme', 'app').length, 1, 'merged before Slack failed');
  assert.equal((await getRun(db.pool, run.id))?.status, 'merging', 'not moved on while the thread is owed its message');

  await gateMerge({ runId: run.id, headSha }, deps);
  await gateMerge({ runId: run.id, headSha }, deps);
  assert.equal(github.callsTo('PUT', /\/merge$/).length, 1, 'one merge call: the retry found the PR merged at the approved head');
  assert.equal((await getRun(db.pool, run.id))?.status, 'succeeded');
  const replies = slack.repliesTo(threadTs);
  assert.equal(replies.filter((m) => m.text.includes('Merged')).length, 1);
  assert.equal(replies.filter((m) => m.text.includes('Delivered')).length, 1);
  assert.equal(linear.getIssue('ENG-7').comments.filter((c) => c.body.includes('merged [PR #1]')).length, 1);
  assert.equal((await auditForRun(db.pool, run.id)).filter((e) => e.action === 'merge.done').length, 1);
});

test('no approval row, no merge: the job is refused as permanent and GitHub is never asked to merge', async (t) => {
  const { db, github, run, headSha, deps } = await startAfterApproval(t, { approve: false });
  await assert.rejects(gateMerge({ runId: run.id, headSha }, deps), (error: unknown) => {
    assert.ok(error instanceof PermanentError);
    assert.equal(error.code, 'no_merge_approval');
    assert.match(error.message, /Nothing was merged/);
    return true;
  });
  assert.equal(github.callsTo('PUT', /\/merge$/).length, 0);
  assert.equal(github.pulls('acme', 'app')[0]?.merged, false);
  assert.equal((await getRun(db.pool, run.id))?.status, 'merging');
});

test('an approval of another head does not let this one merge', async (t) => {
  const { github, run, deps } = await startAfterApproval(t);
  const other = github.pushToPull('acme', 'app', 1).after;
  await assert.rejects(gateMerge({ runId: run.id, headSha: other }, deps), (error: unknown) => error instanceof PermanentError && error.code === 'no_merge_approval');
  assert.equal(github.callsTo('PUT', /\/merge$/).length, 0);
});

test('failing checks: refused, the run back in awaiting_approval, the reason in the thread with Retry; a retry refused again is told again, then merges once green', async (t) => {
  const { db, github, slack, linear, run, headSha, threadTs, deps } = await startAfterApproval(t);
  github.addCheckRun('acme', 'app', headSha, { name: 'test', conclusion: 'failure' });
  await gateMerge({ runId: run.id, headSha }, deps);

  assert.equal(github.callsTo('PUT', /\/merge$/).length, 0);
  const back = await getRun(db.pool, run.id);
  assert.equal(back?.status, 'awaiting_approval');
  assert.match(back?.statusReason ?? '', /1 check is failing on \w{7}: test \(failure\)/);
  const refusals = () => slack.repliesTo(threadTs).filter((m) => m.text.includes('GitHub did not merge'));
  assert.equal(refusals().length, 1);
  const blocks = refusals()[0]!.blocks as { type: string; elements?: { action_id: string; value: string }[] }[];
  const retry = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'baton.gate.retry');
  assert.deepEqual(JSON.parse(retry!.value), { runId: run.id, gate: 'merge', headSha });
  assert.ok(blocksOf(refusals()[0]!).includes('test (failure)'), 'the reason');
  const refused = (await auditForRun(db.pool, run.id)).filter((e) => e.action === 'merge.refused');
  assert.deepEqual(refused.map((e) => [e.gate, e.headSha, (e.detail as { reason: string }).reason]), [['merge', headSha, 'checks_failing']]);
  assert.equal(linear.getIssue('ENG-7').comments.filter((c) => c.body.includes('did not merge')).length, 1);

  // A redelivery of the same job finds the run waiting again: nothing happens.
  await gateMerge({ runId: run.id, headSha }, deps);
  assert.equal(refusals().length, 1);

  // Retry (as its button does): back to merging, refused again while CI is still red.
  await transitionRun(db.pool, run.id, ['awaiting_approval'], 'merging', 'Retrying the merge.');
  await gateMerge({ runId: run.id, headSha }, deps);
  assert.equal(refusals().length, 2, 'a second refusal is a new message');
  assert.equal(linear.getIssue('ENG-7').comments.filter((c) => c.body.includes('did not merge')).length, 2);

  github.addCheckRun('acme', 'app', headSha, { name: 'test', conclusion: 'success' });
  await transitionRun(db.pool, run.id, ['awaiting_approval'], 'merging', 'Retrying the merge.');
  await gateMerge({ runId: run.id, headSha }, deps);
  assert.equal(github.merges('acme', 'app').length, 1);
  assert.equal((await getRun(db.pool, run.id))?.status, 'succeeded');
});

test('with a staging deploy: merged, the run deploying and deploy.staging enqueued with the merge commit, once', async (t) => {
  const { db, github, linear, run, headSha, deps, jobs } = await startAfterApproval(t, { deploy: { staging: 'deploy-staging.yml', production: 'deploy-production.yml' } });
  await gateMerge({ runId: run.id, headSha }, deps);
  await gateMerge({ runId: run.id, headSha }, deps);
  const mergeSha = github.merges('acme', 'app')[0]!.sha;
  assert.equal((await getRun(db.pool, run.id))?.status, 'deploying');
  assert.deepEqual(await jobs('deploy.staging'), [{ runId: run.id, sha: mergeSha }]);
  assert.equal(github.dispatches().length, 0, 'the deploy is the next job’s');
  assert.ok(linear.getIssue('ENG-7').comments.some((c) => c.body.includes('Deploying to staging next')));
  assert.notEqual(linear.getIssue('ENG-7').state.name, 'Done');
});

test('with only a production deploy: merged, then the production gate card for the merge commit, once', async (t) => {
  const { db, github, slack, run, headSha, threadTs, deps } = await startAfterApproval(t, { deploy: { production: 'deploy-production.yml' } });
  const before = Date.now();
  await gateMerge({ runId: run.id, headSha }, deps);
  await gateMerge({ runId: run.id, headSha }, deps);
  const mergeSha = github.merges('acme', 'app')[0]!.sha;
  assert.equal((await getRun(db.pool, run.id))?.status, 'awaiting_deploy_approval');
  const request = await openRequestFor(db.pool, run.id, 'production');
  assert.equal(request?.headSha, mergeSha);
  const hours = (request!.expiresAt!.getTime() - before) / 3_600_000;
  assert.ok(hours > 23.9 && hours < 24.1, `expires after gates.merge.expire_hours (${hours} h)`);
  const cards = slack.repliesTo(threadTs).filter((m) => blocksOf(m).includes('Approve deploy'));
  assert.equal(cards.length, 1);
  assert.equal(request?.messageTs, cards[0]!.ts);
  assert.ok(blocksOf(cards[0]!).includes(JSON.stringify(JSON.stringify({ runId: run.id, gate: 'production', headSha: mergeSha })).slice(1, -1)));
  const requested = (await auditForRun(db.pool, run.id)).filter((e) => e.action === 'approval.requested');
  assert.deepEqual(requested.map((e) => [e.gate, e.headSha]), [['production', mergeSha]]);
  assert.equal(github.dispatches().length, 0, 'nothing deploys before the approval');
});
