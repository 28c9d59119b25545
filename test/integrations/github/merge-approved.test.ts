import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeGitHub } from '../../fakes/fake-github.ts';
import type { GitHubClient } from '../../../src/integrations/github/create-github-client.ts';
import type { MergeOutcome } from '../../../src/domain/pull-request.ts';
import { clientFor, rejectsWithCode } from './github-fixtures.ts';

const fake = new FakeGitHub();
let github: GitHubClient;
let n = 0;
let repo: { owner: string; name: string };
let number: number;
let approvedSha: string;

before(async () => {
  await fake.start();
  github = clientFor(fake);
});
// A fresh repo per test: mergeable PR #1 from baton/fix at approvedSha, CI green.
beforeEach(() => {
  fake.reset();
  repo = { owner: 'acme', name: `app${++n}` };
  fake.seedRepo({ owner: 'acme', name: repo.name, mergeMethods: ['squash', 'rebase'] });
  approvedSha = fake.setHead('acme', repo.name, 'baton/fix');
  number = fake.seedPull('acme', repo.name, { head: 'baton/fix' });
  fake.addCheckRun('acme', repo.name, approvedSha, { name: 'build', conclusion: 'success' });
  fake.setStatus('acme', repo.name, approvedSha, 'ci/legacy', 'success');
});
after(() => fake.stop());

const merge = (extra: { requiredChecks?: string[]; method?: 'merge' | 'squash' | 'rebase'; sha?: string } = {}): Promise<MergeOutcome> =>
  github.mergeApproved({ repo, number, approvedSha: extra.sha ?? approvedSha, method: extra.method ?? 'squash', requiredChecks: extra.requiredChecks });

function refused(outcome: MergeOutcome, reason: string, text: RegExp): void {
  assert.equal(outcome.merged, false, 'expected a refusal');
  if (outcome.merged) return;
  assert.equal(outcome.reason, reason, outcome.message);
  assert.match(outcome.message, text);
  assert.equal(fake.callsTo('PUT', /\/merge$/).length, reason === 'head_moved' && /moved since it was approved at/.test(outcome.message) ? 1 : 0);
}

test('the approved SHA with green CI merges, passing the SHA and method to GitHub', async () => {
  const outcome = await merge();
  assert.equal(outcome.merged, true);
  const pull = fake.pulls('acme', repo.name)[0]!;
  assert.deepEqual(outcome, { merged: true, sha: pull.merge_commit_sha, alreadyMerged: false });
  assert.deepEqual(fake.callsTo('PUT', /\/merge$/)[0]?.body, { sha: approvedSha, merge_method: 'squash' });
});

test('the merge commit carries the title and message given (who approved, and where), as commit_title / commit_message', async () => {
  const commitTitle = 'ENG-42: Fix the range end (#1)';
  const commitMessage = 'Approved by @ada (U0ADA) in #eng, https://fake.slack.com/archives/C0ENG/p1732170000000100\nBaton run 7f3c';
  const outcome = await github.mergeApproved({ repo, number, approvedSha, method: 'squash', commitTitle, commitMessage });
  assert.equal(outcome.merged, true);
  assert.deepEqual(fake.callsTo('PUT', /\/merge$/)[0]?.body, { sha: approvedSha, merge_method: 'squash', commit_title: commitTitle, commit_message: commitMessage });
  assert.deepEqual(fake.merges('acme', repo.name), [
    { number, method: 'squash', sha: outcome.merged ? outcome.sha : '', commitTitle, commitMessage },
  ]);
});

test('without a title and message GitHub writes its own: the squash commit is the PR title and number', async () => {
  await merge();
  const [record] = fake.merges('acme', repo.name);
  assert.equal(record?.commitTitle, `baton/fix (#${number})`);
});

test('a head that moved before the checks is refused without calling merge', async () => {
  const now = fake.setHead('acme', repo.name, 'baton/fix');
  refused(await merge(), 'head_moved', new RegExp(`moved since it was approved \\(approved ${approvedSha.slice(0, 7)}, now ${now.slice(0, 7)}\\)`));
  assert.equal(fake.pulls('acme', repo.name)[0]?.state, 'open');
});

test('a head that moves between the checks and the merge is refused by GitHub (409) and reported as head_moved', async () => {
  fake.onRequest((req) => {
    if (req.method === 'PUT' && req.path.endsWith('/merge')) fake.setHead('acme', repo.name, 'baton/fix');
  });
  refused(await merge(), 'head_moved', /moved since it was approved at/);
  assert.deepEqual(fake.callsTo('PUT', /\/merge$/).map((c) => c.status), [409]);
  assert.equal(fake.pulls('acme', repo.name)[0]?.merged, false);
});

test('failing check runs are named in the refusal', async () => {
  fake.addCheckRun('acme', repo.name, approvedSha, { name: 'lint', conclusion: 'failure' });
  fake.addCheckRun('acme', repo.name, approvedSha, { name: 'e2e', conclusion: 'timed_out' });
  fake.addCheckRun('acme', repo.name, approvedSha, { name: 'docs', conclusion: 'skipped' });
  refused(await merge(), 'checks_failing', new RegExp(`^PR #1 cannot be merged: 2 checks are failing on ${approvedSha.slice(0, 7)}: lint \\(failure\\), e2e \\(timed_out\\)\\.$`));
});

test('only the latest run of a check counts: a re-run that passed clears the failure', async () => {
  fake.addCheckRun('acme', repo.name, approvedSha, { name: 'flaky', conclusion: 'failure' });
  fake.addCheckRun('acme', repo.name, approvedSha, { name: 'flaky', conclusion: 'success' });
  assert.equal((await merge()).merged, true);
});

test('a failing commit status refuses the merge', async () => {
  fake.setStatus('acme', repo.name, approvedSha, 'ci/circleci', 'error', { description: 'Your tests failed' });
  refused(await merge(), 'checks_failing', /1 check is failing on \w{7}: ci\/circleci \(error\)/);
});

test('pending checks and statuses, and required checks that never reported, are checks_pending', async () => {
  fake.addCheckRun('acme', repo.name, approvedSha, { name: 'build', status: 'in_progress' });
  fake.setStatus('acme', repo.name, approvedSha, 'deploy/preview', 'pending');
  refused(await merge({ requiredChecks: ['security-scan'] }), 'checks_pending',
    /^PR #1 is waiting for build \(in progress\), deploy\/preview \(pending\), security-scan \(not reported yet\) on \w{7}\.$/);
});

test('conflicts and a mergeability GitHub is still computing are refused before the merge call', async () => {
  fake.updatePull('acme', repo.name, number, { mergeable: false });
  refused(await merge(), 'conflicts', /has conflicts with main/);
  fake.updatePull('acme', repo.name, number, { mergeable: null });
  refused(await merge(), 'checks_pending', /GitHub is still working out whether PR #1 can be merged/);
});

test('a method the repository does not allow is method_not_allowed, in GitHub\'s words (405)', async () => {
  const outcome = await merge({ method: 'merge' });
  assert.ok(!outcome.merged && outcome.reason === 'method_not_allowed', JSON.stringify(outcome));
  assert.match(outcome.message, /with the merge method: GitHub says "Merge commits are not allowed on this repository\."/);
});

test('a check branch protection requires but that has not reported is checks_pending, in GitHub\'s words (405)', async () => {
  fake.seedRepo({ owner: 'acme', name: repo.name, requiredChecks: ['ci'] });
  approvedSha = fake.setHead('acme', repo.name, 'baton/fix');
  number = fake.seedPull('acme', repo.name, { head: 'baton/fix' });
  const outcome = await merge();
  assert.ok(!outcome.merged && outcome.reason === 'checks_pending', JSON.stringify(outcome));
  assert.equal(outcome.message, 'PR #1 is waiting for checks branch protection requires: GitHub says "Required status check "ci" is expected."');
});

test('other 405s (branch protection, reviews) are not_mergeable, in GitHub\'s words', async () => {
  fake.fail({ status: 405, body: { message: 'At least 1 approving review is required by reviewers with write access.' }, match: (req) => req.method === 'PUT' });
  const outcome = await merge();
  assert.ok(!outcome.merged && outcome.reason === 'not_mergeable', JSON.stringify(outcome));
  assert.equal(outcome.message, 'GitHub would not merge PR #1: "At least 1 approving review is required by reviewers with write access."');
});

test('"Base branch was modified" (another merge won a race) is retried, still pinned to the approved sha, and merges', async () => {
  fake.fail({ status: 405, times: 2, body: { message: 'Base branch was modified. Review and try the merge again.' }, match: (req) => req.method === 'PUT' });
  const outcome = await github.mergeApproved({ repo, number, approvedSha, method: 'squash', baseMovedDelayMs: 10 });
  assert.equal(outcome.merged, true, JSON.stringify(outcome));
  const puts = fake.callsTo('PUT', /\/merge$/);
  assert.equal(puts.length, 3);
  for (const put of puts) assert.equal((put.body as { sha?: string }).sha, approvedSha);
});

test('a base that keeps moving is refused after three tries, in GitHub\'s words', async () => {
  fake.fail({ status: 405, times: 3, body: { message: 'Base branch was modified. Review and try the merge again.' }, match: (req) => req.method === 'PUT' });
  const outcome = await github.mergeApproved({ repo, number, approvedSha, method: 'squash', baseMovedDelayMs: 10 });
  assert.ok(!outcome.merged && outcome.reason === 'not_mergeable', JSON.stringify(outcome));
  assert.match(outcome.message, /Base branch was modified/);
  assert.equal(fake.callsTo('PUT', /\/merge$/).length, 3);
});

test('a draft is not merged; a closed PR is refused', async () => {
  fake.updatePull('acme', repo.name, number, { draft: true });
  refused(await merge(), 'not_mergeable', /still a draft/);
  fake.updatePull('acme', repo.name, number, { draft: false });
  fake.store.pull(fake.store.repo('acme', repo.name), number).state = 'closed';
  refused(await merge(), 'closed', /is closed/);
});

test('a retried merge job finds its merge done; a PR merged at another SHA is refused', async () => {
  const first = await merge();
  assert.equal(first.merged, true);
  const again = await merge();
  assert.deepEqual(again, { ...first, alreadyMerged: true });
  assert.equal(fake.callsTo('PUT', /\/merge$/).length, 1);
  const other = await merge({ sha: 'f'.repeat(40) });
  assert.ok(!other.merged && other.reason === 'closed' && /already merged at \w{7}, not at the approved fffffff/.test(other.message), JSON.stringify(other));
});

test('many check runs are read across pages', async () => {
  for (let i = 0; i < 130; i++) fake.addCheckRun('acme', repo.name, approvedSha, { name: `shard-${i}`, conclusion: 'success' });
  fake.addCheckRun('acme', repo.name, approvedSha, { name: 'shard-last', conclusion: 'failure' });
  refused(await merge(), 'checks_failing', /shard-last \(failure\)/);
  assert.ok(fake.callsTo('GET', /\/check-runs$/).length >= 2, 'paginated');
});

test('an unknown PR is a not_found GitHubError', async () => {
  await rejectsWithCode(github.mergeApproved({ repo, number: 404, approvedSha, method: 'squash' }), 'not_found');
});
