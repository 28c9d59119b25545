import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { auditForRun } from '../../src/db/audit-log.ts';
import { getRun, insertRun, transitionRun } from '../../src/db/runs.ts';
import { computeConsensus } from '../../src/domain/consensus.ts';
import { DEFAULT_REVIEW_WEIGHTS, REVIEWERS, type ReviewerResult } from '../../src/domain/review.ts';
import { createGitHubClient } from '../../src/integrations/github/create-github-client.ts';
import { GitError } from '../../src/integrations/git/git-error.ts';
import { createLinearTracker } from '../../src/integrations/trackers/linear-tracker.ts';
import { publishRun, type PublishRunDeps, type PublishRunInput } from '../../src/jobs/publish-run.ts';
import { createRedactor } from '../../src/logger.ts';
import { policySchema } from '../../src/policy.ts';
import type { FakeGitHub } from '../fakes/fake-github.ts';
import type { fixtureGit } from '../integrations/git/git-fixtures.ts';
import { REPORTS } from '../agents/reviewers/review-script.ts';
import { startPublishFixture } from '../support/agent-publish-fixture.ts';

/*
 * Publishing a run end to end on real parts: a local bare repository is the git remote, the fake
 * GitHub answers the REST calls (and learns the pushed branches from the bare repository, as
 * GitHub would from a push), the fake Linear holds the ticket.
 */

const SECRET = 'ghp_PublishRunSecretToken_0123456789abcdef';

async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  const { db, github, linear, remote, git, workspaces, run, workspace } = await startPublishFixture(t, {
    githubToken: SECRET,
    cart: 'export const total = (items) => (items.length ? items.length : 0);\n',
  });
  const tracker = createLinearTracker({ apiUrl: linear.apiUrl, apiKey: linear.apiKey });
  // What run.review stored for the proven head, from the scripted reviewers' reports.
  const headSha = (await git(['rev-parse', 'HEAD'], workspace.path)).trim();
  const reviews = REVIEWERS.map((reviewer) => ({ reviewer, status: 'answered', report: REPORTS[reviewer], model: 'claude-sonnet-5-5', costUsd: 0.01 }) as ReviewerResult);
  const consensus = computeConsensus({ headSha, reviews, weights: DEFAULT_REVIEW_WEIGHTS, coderGates: { held: true, failures: [] } });

  const deps: PublishRunDeps = {
    pool: db.pool,
    github: createGitHubClient({ apiUrl: github.url, auth: { kind: 'token', token: SECRET }, retries: 0 }),
    workspaces,
    log: pino({ level: 'silent' }),
    redact: createRedactor([SECRET]),
  };
  const input: PublishRunInput = {
    run,
    ticket: await tracker.getTicket('ENG-7'),
    tracker,
    workspace,
    repo: policySchema.parse({ repos: { 'acme/app': {} } }).repos['acme/app']!,
    inReviewState: 'In Review',
    summary: `Empty carts total 0. (The agent once printed ${SECRET}; it must not reach GitHub.)`,
    testEvidence: '✓ cart.test.js (3 tests)\n1 failing before, 0 failing after',
    review: { consensus, reviews },
  };
  return { db, github, linear, remote, git, workspaces, deps, input, run };
}

test('publishing twice leaves one PR, one ticket comment, the ticket in review, and the branch on the remote', async (t) => {
  const { db, github, linear, remote, deps, input, run } = await setup(t);
  const first = await publishRun(input, deps);
  const second = await publishRun(input, deps);
  assert.equal(first.created, true);
  assert.equal(second.created, false);
  assert.equal(second.pr.number, first.pr.number);

  const pulls = github.pulls('acme', 'app');
  assert.equal(pulls.length, 1, 'one PR for one run');
  const pull = pulls[0] as { head: { ref: string }; base: { ref: string }; body: string; title: string; labels: { name: string }[] };
  assert.match(pull.head.ref, /^baton\/ENG-7-/);
  assert.equal(pull.base.ref, 'main');
  assert.equal(pull.title, 'ENG-7: Handle an empty cart');
  assert.match(pull.body, /Fixes ENG-7/);
  assert.ok(pull.body.includes('https://linear.app/'), 'the ticket link');
  assert.ok(pull.body.includes('1 failing before, 0 failing after'), 'the test evidence');
  assert.ok(pull.body.endsWith(`<!-- baton-run: ${run.id} -->\n`), 'the hidden run marker');
  // The reviewers' consensus, filled in when the PR opens: the score, and the security finding in full.
  assert.ok(!pull.body.includes('consensus pending'), 'no placeholder');
  const section = pull.body.slice(pull.body.indexOf('<!-- baton:consensus:start -->'), pull.body.indexOf('<!-- baton:consensus:end -->'));
  assert.match(section, /\*\*Consensus 0\.\d\d\*\* · passes \(above 0\.90 with no veto\)/);
  assert.ok(section.includes('- **low** · src/calc.js — No input validation on range bounds: range(start, end) accepts non-integers; unchanged by this diff.'), section);
  assert.ok(section.includes('1. Revert the merge commit; no data or format changes to undo.'), 'the rollback plan');
  assert.ok(!pull.body.includes(SECRET), 'no secret in the PR body');
  assert.deepEqual(pull.labels.map((l) => l.name), ['baton']);

  const refs = await remote.refs();
  assert.ok(refs.has(`refs/heads/${pull.head.ref}`), 'the run’s branch is on the remote');
  const stored = await getRun(db.pool, run.id);
  assert.equal(stored?.prNumber, first.pr.number);
  assert.equal(stored?.headSha, refs.get(`refs/heads/${pull.head.ref}`));

  const ticket = linear.getIssue('ENG-7');
  assert.equal(ticket.state.name, 'In Review');
  assert.equal(ticket.comments.filter((c) => c.body.includes(first.pr.url)).length, 1, 'the PR link is written back once');
  assert.equal((await auditForRun(db.pool, run.id)).filter((e) => e.action === 'pr.opened').length, 1);
});

test('a base branch that moved under the run with a conflicting change stops publishing, naming the file, and pushes nothing', async (t) => {
  const { github, remote, deps, input } = await setup(t);
  await remote.commit('main', { 'cart.js': 'export const total = () => -1;\n' }, 'someone else changed the cart');
  const before = await remote.refs();
  await assert.rejects(publishRun(input, deps), (error: unknown) => error instanceof GitError && error.code === 'rebase_conflict' && error.files.includes('cart.js'));
  assert.deepEqual(await remote.refs(), before, 'nothing was pushed');
  assert.equal(github.pulls('acme', 'app').length, 0);
});

test('a revision after the base moved rebases and replaces Baton’s own branch by lease; still one PR', async (t) => {
  const { db, github, remote, deps, input, run } = await setup(t);
  const first = await publishRun(input, deps);
  const pushedFirst = (await getRun(db.pool, run.id))!.headSha;
  await remote.commit('main', { 'docs/changelog.md': 'unrelated\n' }, 'someone else, elsewhere');

  const again = await publishRun({ ...input, run: (await getRun(db.pool, run.id))! }, deps);
  assert.equal(again.pr.number, first.pr.number);
  assert.equal(github.pulls('acme', 'app').length, 1);
  const branch = (await getRun(db.pool, run.id))!.branch!;
  const head = (await remote.refs()).get(`refs/heads/${branch}`);
  assert.notEqual(head, pushedFirst, 'the rebased commit replaced the first one');
  assert.equal((await getRun(db.pool, run.id))!.headSha, head);
  // The open PR's body was updated through the same call: it names the head the review now applies to.
  const body = (github.pulls('acme', 'app')[0] as { body: string }).body;
  assert.match(body, new RegExp(`reviewed at \`${input.review.consensus.headSha.slice(0, 7)}\`, carried over to \`${head!.slice(0, 7)}\``));
});

test('a person’s commit on the run’s branch is never overwritten: the lease refuses the push', async (t) => {
  const { db, remote, deps, input, run } = await setup(t);
  await publishRun(input, deps);
  const branch = (await getRun(db.pool, run.id))!.branch!;
  const theirs = await remote.commit(branch, { 'cart.js': 'export const total = () => 0; // reviewer fixup\n' }, 'reviewer fixup');
  await remote.commit('main', { 'docs/changelog.md': 'unrelated\n' }, 'base moves, so the run rebases');

  await assert.rejects(
    publishRun(input, deps),
    (error: unknown) => error instanceof GitError && error.code === 'push_stale_lease' && error.message.includes(theirs),
  );
  assert.equal((await remote.refs()).get(`refs/heads/${branch}`), theirs, 'the person’s commit is still the branch head');
});

/** What happens on GitHub after a person closes (or merges) the PR with "Automatically delete head branches" on. */
async function closeAndDeleteBranch(github: FakeGitHub, remote: { path: string }, git: ReturnType<typeof fixtureGit>, number: number, branch: string) {
  const response = await fetch(`${github.url}/repos/acme/app/pulls/${number}`, {
    method: 'PATCH',
    headers: { authorization: `token ${SECRET}`, 'content-type': 'application/json' },
    body: JSON.stringify({ state: 'closed' }),
  });
  assert.equal(response.status, 200);
  await git(['update-ref', '-d', `refs/heads/${branch}`], remote.path);
}

test('a branch GitHub deleted after the PR closed is pushed again by the same run, with a new PR', async (t) => {
  const { db, github, linear, remote, git, deps, input, run } = await setup(t);
  const first = await publishRun(input, deps);
  const branch = (await getRun(db.pool, run.id))!.branch!;
  await closeAndDeleteBranch(github, remote, git, first.pr.number, branch);

  const again = await publishRun({ ...input, run: (await getRun(db.pool, run.id))! }, deps);
  assert.equal(again.created, true, 'the closed PR stays closed; a new one is opened');
  assert.notEqual(again.pr.number, first.pr.number);
  const stored = (await getRun(db.pool, run.id))!;
  assert.equal((await remote.refs()).get(`refs/heads/${branch}`), stored.headSha, 'the branch is back');
  assert.equal(stored.prNumber, again.pr.number);
  const comments = linear.getIssue('ENG-7').comments.map((c) => c.body);
  assert.equal(comments.filter((c) => c.includes(first.pr.url)).length, 1);
  assert.equal(comments.filter((c) => c.includes(again.pr.url)).length, 1, 'the ticket links the new PR too');
});

test('a new run of the ticket recreates the branch its earlier run’s merged PR left deleted, and opens its own PR', async (t) => {
  const { db, github, remote, git, workspaces, deps, input, run } = await setup(t);
  const first = await publishRun(input, deps);
  const branch = (await getRun(db.pool, run.id))!.branch!;
  await closeAndDeleteBranch(github, remote, git, first.pr.number, branch);
  assert.ok(await transitionRun(db.pool, run.id, [run.status], 'succeeded', null));
  await workspaces.removeWorkspace(run.id);

  const next = (await insertRun(db.pool, { ticketKey: 'ENG-7', source: 'slack', requestedBy: 'U1', channelId: 'C1', priority: 0 }))!;
  const workspace = await workspaces.prepareWorkspace({ repo: remote.repo, runId: next.id, ticketKey: 'ENG-7', title: 'Handle an empty cart' });
  assert.equal(workspace.branch, branch, 'the same branch name as the earlier run');
  await writeFile(join(workspace.path, 'cart.js'), 'export const total = (items) => items.length;\n');
  await git(['add', 'cart.js'], workspace.path);
  await git(['commit', '--quiet', '-m', 'fix: empty cart, again'], workspace.path);

  const published = await publishRun({ ...input, run: next, workspace }, deps);
  assert.equal(published.created, true);
  assert.notEqual(published.pr.number, first.pr.number);
  const stored = (await getRun(db.pool, next.id))!;
  const head = (await remote.refs()).get(`refs/heads/${branch}`);
  assert.equal(head, stored.headSha, 'the new run’s commit is the branch head');
  assert.notEqual(head, (await getRun(db.pool, run.id))!.headSha);
});

test('a tracker failure between the comment and the move: the retry moves the ticket without commenting again', async (t) => {
  const { linear, deps, input } = await setup(t);
  linear.fail({ status: 503, match: (req) => String(req.rawBody).includes('BatonIssueStates') });
  const first = await publishRun(input, deps).catch((error: unknown) => error);
  assert.ok(first instanceof Error, 'the move failed the first attempt');
  assert.equal(linear.getIssue('ENG-7').comments.length, 1, 'the comment was written');
  assert.notEqual(linear.getIssue('ENG-7').state.name, 'In Review');

  await publishRun(input, deps);
  const ticket = linear.getIssue('ENG-7');
  assert.equal(ticket.state.name, 'In Review');
  assert.equal(ticket.comments.length, 1, 'one comment, not two');
});
