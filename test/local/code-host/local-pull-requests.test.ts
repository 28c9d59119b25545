import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { GitHubError } from '../../../src/integrations/github/github-error.ts';
import { CALC, FIX, createLocalRepo, hostWorld, type HostWorld } from './local-repo-fixture.ts';

let world: HostWorld;
before(async () => {
  world = await hostWorld();
});
after(() => world.close());

const openInput = (owner: string, name: string, head: string, title = 'ENG-1: range stops one short') => ({
  repo: { owner, name }, head, base: 'main', title, body: 'The fix.', draft: false, labels: ['baton'],
});

test('opening twice gives one pull request, numbered from 1 per repository, brought up to date the second time', async () => {
  const repo = await createLocalRepo(world.dir, 'open-twice', CALC);
  const other = await createLocalRepo(world.dir, 'open-other', CALC);
  const host = world.host({ 'local/calc': { path: repo.path, base: 'main' }, 'local/other': { path: other.path, base: 'main' } });
  const head = await repo.push('baton/ENG-1-range', FIX, { from: 'main' });

  const first = await host.openPullRequest(openInput('local', 'calc', 'baton/ENG-1-range'));
  assert.equal(first.created, true);
  assert.equal(first.pr.number, 1);
  assert.equal(first.pr.headSha, head, 'the head is read from the repository on disk');
  assert.equal(first.pr.state, 'open');
  assert.match(first.pr.url, /^http:\/\/127\.0\.0\.1:4999\/pulls\/\d+$/);

  const second = await host.openPullRequest(openInput('local', 'calc', 'baton/ENG-1-range', 'ENG-1: range includes its end'));
  assert.equal(second.created, false);
  assert.equal(second.pr.number, 1);
  assert.equal(second.pr.url, first.pr.url);
  assert.equal(second.pr.title, 'ENG-1: range includes its end');
  const pulls = (await host.listPulls()).filter((p) => p.repo === 'local/calc');
  assert.equal(pulls.length, 1);
  assert.equal(pulls[0]!.baseSha, await repo.sha('main'));

  await other.push('baton/ENG-2-x', FIX, { from: 'main' });
  const elsewhere = await host.openPullRequest(openInput('local', 'other', 'baton/ENG-2-x'));
  assert.equal(elsewhere.pr.number, 1, 'numbers are per repository');
  assert.notEqual(elsewhere.pr.url, first.pr.url);
});

test('five publishes racing leave one open pull request', async () => {
  const repo = await createLocalRepo(world.dir, 'race-open', CALC);
  const host = world.host({ 'local/race': { path: repo.path, base: 'main' } });
  await repo.push('baton/ENG-3-race', FIX, { from: 'main' });
  const results = await Promise.all(Array.from({ length: 5 }, () => host.openPullRequest(openInput('local', 'race', 'baton/ENG-3-race'))));
  assert.equal(results.filter((r) => r.created).length, 1);
  assert.equal(new Set(results.map((r) => r.pr.url)).size, 1);
  assert.equal((await host.listPulls()).filter((p) => p.repo === 'local/race' && p.state === 'open').length, 1);
});

test('an open pull request follows its branch; find, get, comment and close behave as on GitHub', async () => {
  const repo = await createLocalRepo(world.dir, 'follow', CALC);
  const host = world.host({ 'Local/Follow': { path: repo.path, base: 'main' } });
  await repo.push('baton/ENG-4-follow', FIX, { from: 'main' });
  const { pr } = await host.openPullRequest(openInput('local', 'follow', 'baton/ENG-4-follow'));

  const pushed = await repo.push('baton/ENG-4-follow', { 'test/range.test.js': 'test\n' });
  const found = await host.findOpenPullRequest({ owner: 'LOCAL', name: 'follow' }, 'baton/ENG-4-follow');
  assert.equal(found?.headSha, pushed, 'names match without case, and the head moved with the push');
  const got = await host.getPullRequest({ owner: 'local', name: 'follow' }, pr.number);
  assert.equal(got.headSha, pushed);
  assert.equal(got.mergeable, true);
  assert.equal(got.mergeableState, 'clean');
  assert.equal(await host.findOpenPullRequest({ owner: 'local', name: 'follow' }, 'baton/nothing'), undefined);

  const { url } = await host.commentOnPullRequest({ owner: 'local', name: 'follow' }, pr.number, 'Approved in Slack.');
  assert.match(url, new RegExp(`^${pr.url}#comment-\\d+$`));
  const pull = (await host.pullById(Number(pr.url.split('/').pop())))!;
  assert.deepEqual((await host.comments(pull)).map((c) => [c.author, c.body]), [['Baton', 'Approved in Slack.']]);

  const closed = await host.closePullRequest({ owner: 'local', name: 'follow' }, pr.number);
  assert.equal(closed.state, 'closed');
  assert.equal((await host.closePullRequest({ owner: 'local', name: 'follow' }, pr.number)).state, 'closed', 'closing a closed one is a no-op');
  assert.equal(await host.findOpenPullRequest({ owner: 'local', name: 'follow' }, 'baton/ENG-4-follow'), undefined);
  assert.equal(await repo.sha('baton/ENG-4-follow'), pushed, 'closing leaves the branch');
  const reopened = await host.openPullRequest(openInput('local', 'follow', 'baton/ENG-4-follow'));
  assert.equal(reopened.created, true);
  assert.equal(reopened.pr.number, 2, 'a new pull request after the closed one');
});

test('a branch that is not in the repository, an unknown repository and an unknown number are GitHub-like errors', async () => {
  const repo = await createLocalRepo(world.dir, 'errors', CALC);
  const host = world.host({ 'local/errors': { path: repo.path, base: 'main' } });
  await assert.rejects(host.openPullRequest(openInput('local', 'errors', 'baton/ENG-5-missing')), (error: unknown) =>
    error instanceof GitHubError && error.code === 'invalid' && /has no branch baton\/ENG-5-missing/.test(error.message));
  await assert.rejects(host.openPullRequest(openInput('local', 'errors', '-x')), (error: unknown) => error instanceof GitHubError && error.code === 'invalid');
  await assert.rejects(host.getPullRequest({ owner: 'acme', name: 'shop' }, 1), (error: unknown) =>
    error instanceof GitHubError && error.code === 'not_found' && /acme\/shop is not a local repository/.test(error.message));
  await assert.rejects(host.getPullRequest({ owner: 'local', name: 'errors' }, 99), (error: unknown) => error instanceof GitHubError && error.code === 'not_found');
  assert.equal(host.handles({ owner: 'local', name: 'ERRORS' }), true);
  assert.equal(host.handles({ owner: 'acme', name: 'shop' }), false);
});

test('a configured path that is not a repository fails rather than finding the repository above it', async () => {
  const repo = await createLocalRepo(world.dir, 'outer', CALC);
  const { mkdir } = await import('node:fs/promises');
  const inner = `${repo.path}/not-a-repo`;
  await mkdir(inner);
  const host = world.host({ 'local/inner': { path: inner, base: 'main' } });
  await assert.rejects(host.openPullRequest(openInput('local', 'inner', 'main')), /not a git repository/);
});
