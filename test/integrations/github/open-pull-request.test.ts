import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeGitHub } from '../../fakes/fake-github.ts';
import type { GitHubClient } from '../../../src/integrations/github/create-github-client.ts';
import { clientFor, rejectsWithCode } from './github-fixtures.ts';

const fake = new FakeGitHub();
const repo = { owner: 'acme', name: 'app' };
let github: GitHubClient;
let n = 0;
let branch: string;

before(async () => {
  await fake.start();
  fake.seedRepo({ owner: 'acme', name: 'app' });
  github = clientFor(fake);
});
beforeEach(() => {
  fake.reset();
  branch = `baton/ENG-${++n}-fix`;
  fake.setHead('acme', 'app', branch, `${n}`.padStart(40, 'a'));
});
after(() => fake.stop());

const input = () => ({ repo, head: branch, base: 'main', title: 'ENG-1: Fix checkout', body: 'Fixes ENG-1', draft: false, labels: ['baton'] });

test('opens a PR, labels it, and returns it as a domain PullRequest', async () => {
  const { pr, created } = await github.openPullRequest(input());
  assert.equal(created, true);
  assert.deepEqual({ ...pr, number: undefined }, {
    number: undefined, url: `https://github.com/acme/app/pull/${pr.number}`, title: 'ENG-1: Fix checkout',
    headRef: branch, headSha: `${n}`.padStart(40, 'a'), baseRef: 'main', state: 'open', draft: false,
    mergeable: true, mergeableState: 'clean', body: 'Fixes ENG-1', mergedBy: null,
  });
  const [stored] = fake.pulls('acme', 'app').filter((p) => p.number === pr.number);
  assert.deepEqual((stored?.labels as { name: string }[]).map((l) => l.name), ['baton']);
  const create = fake.callsTo('POST', '/repos/acme/app/pulls')[0];
  assert.deepEqual(create?.body, { head: branch, base: 'main', title: 'ENG-1: Fix checkout', body: 'Fixes ENG-1', draft: false });
});

test('calling twice leaves one PR: the second finds it, updates title and body, and creates nothing', async () => {
  const first = await github.openPullRequest(input());
  const second = await github.openPullRequest({ ...input(), title: 'ENG-1: Fix checkout (v2)', body: 'Fixes ENG-1\n\nnew evidence', labels: ['baton', 'bug'] });
  assert.equal(second.created, false);
  assert.equal(second.pr.number, first.pr.number);
  assert.equal(second.pr.title, 'ENG-1: Fix checkout (v2)');
  assert.equal(second.pr.body, 'Fixes ENG-1\n\nnew evidence');
  assert.equal(fake.pulls('acme', 'app').filter((p) => (p.head as { ref: string }).ref === branch).length, 1);
  assert.equal(fake.callsTo('POST', '/repos/acme/app/pulls').length, 1);
  const labelCalls = fake.callsTo('POST', /\/issues\/\d+\/labels$/).map((c) => c.body);
  assert.deepEqual(labelCalls, [{ labels: ['baton'] }, { labels: ['bug'] }], 'only the missing label is added');
});

test('an unchanged PR is not patched again', async () => {
  await github.openPullRequest(input());
  const again = await github.openPullRequest(input());
  assert.equal(again.created, false);
  assert.equal(fake.callsTo('PATCH', /\/pulls\/\d+$/).length, 0);
  assert.equal(fake.callsTo('POST', /\/labels$/).length, 1);
});

test('a worker that loses the race to create (422 "already exists") returns the winner\'s PR', async () => {
  // The other worker opens the PR after our look-up and before our create.
  let winner = 0;
  fake.onRequest((req) => {
    if (req.method === 'POST' && req.path === '/repos/acme/app/pulls' && !winner) {
      winner = fake.seedPull('acme', 'app', { head: branch, title: 'opened by the other worker' });
    }
  });
  const { pr, created } = await github.openPullRequest(input());
  assert.equal(created, false);
  assert.equal(pr.number, winner);
  assert.equal(pr.title, 'ENG-1: Fix checkout', 'brought up to date');
  assert.deepEqual(fake.callsTo('POST', '/repos/acme/app/pulls').map((c) => c.status), [422]);
  assert.equal(fake.pulls('acme', 'app').filter((p) => (p.head as { ref: string }).ref === branch).length, 1);
});

test('findOpenPullRequest asks for owner:branch and ignores closed PRs', async () => {
  assert.equal(await github.findOpenPullRequest(repo, branch), undefined);
  const number = fake.seedPull('acme', 'app', { head: branch });
  const found = await github.findOpenPullRequest(repo, branch);
  assert.equal(found?.number, number);
  assert.equal(found?.mergeable, null, 'the list endpoint does not compute mergeability');
  assert.equal(fake.callsTo('GET', '/repos/acme/app/pulls').at(-1)?.query.get('head'), `acme:${branch}`);
  assert.equal((await github.openPullRequest(input())).created, false, 'the seeded PR is found, not duplicated');
  fake.store.pull(fake.store.repo('acme', 'app'), number).state = 'closed';
  assert.equal(await github.findOpenPullRequest(repo, branch), undefined);
});

test('getPullRequest reads mergeability; a merged PR reads as merged', async () => {
  const number = fake.seedPull('acme', 'app', { head: branch, mergeable: null });
  const pr = await github.getPullRequest(repo, number);
  assert.deepEqual([pr.state, pr.mergeable, pr.mergeableState], ['open', null, 'unknown']);
  fake.updatePull('acme', 'app', number, { mergeable: true });
  const sha = (await github.getPullRequest(repo, number)).headSha;
  await github.mergeApproved({ repo, number, approvedSha: sha, method: 'squash' });
  assert.equal((await github.getPullRequest(repo, number)).state, 'merged');
  await rejectsWithCode(github.getPullRequest(repo, 9999), 'not_found');
});

test('commentOnPullRequest posts an issue comment and returns its link', async () => {
  const number = fake.seedPull('acme', 'app', { head: branch });
  const { url } = await github.commentOnPullRequest(repo, number, 'Approved by @ada');
  assert.match(url, new RegExp(`/acme/app/pull/${number}#issuecomment-\\d+$`));
  assert.deepEqual(fake.comments('acme', 'app', number), ['Approved by @ada']);
});

test('a create GitHub rejects for another reason is an invalid GitHubError, not a silent find', async () => {
  const error = await rejectsWithCode(github.openPullRequest({ ...input(), base: 'no-such-base' }), 'invalid');
  assert.equal(error.status, 422);
  assert.match(error.message, /POST \/repos\/acme\/app\/pulls \(HTTP 422: Validation Failed/);
});
