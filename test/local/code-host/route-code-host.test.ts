import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createGitHubClient } from '../../../src/integrations/github/create-github-client.ts';
import { GitHubError } from '../../../src/integrations/github/github-error.ts';
import { routeCodeHost } from '../../../src/local/code-host/route-code-host.ts';
import { FakeGitHub } from '../../fakes/fake-github.ts';
import { CALC, FIX, createLocalRepo, hostWorld, type HostWorld } from './local-repo-fixture.ts';

let world: HostWorld;
const fake = new FakeGitHub();
before(async () => {
  world = await hostWorld();
  await fake.start();
  fake.seedRepo({ owner: 'acme', name: 'shop' });
});
after(async () => {
  await fake.stop();
  await world.close();
});

const LOCAL = { owner: 'local', name: 'calc' };
const REMOTE = { owner: 'acme', name: 'shop' };

async function localHost(name: string) {
  const repo = await createLocalRepo(world.dir, name, CALC);
  const host = world.host({ 'local/calc': { path: repo.path, base: 'main' } });
  return { repo, host };
}

test('calls for a repository with path: go to the local host, the others to GitHub', async () => {
  const { repo, host } = await localHost('route-both');
  const client = routeCodeHost(createGitHubClient({ apiUrl: fake.url, auth: { kind: 'token', token: 'ghs_test' }, retries: 0 }), host, host.handles);
  const head = await repo.push('baton/ENG-12-x', FIX, { from: 'main' });
  fake.calls.length = 0;

  const opened = await client.openPullRequest({ repo: LOCAL, head: 'baton/ENG-12-x', base: 'main', title: 'ENG-12', body: '', draft: false, labels: ['baton'] });
  assert.ok(opened.pr.url.startsWith(world.pageUrl));
  assert.equal((await client.getPullRequest(LOCAL, opened.pr.number)).headSha, head);
  await client.commentOnPullRequest(LOCAL, opened.pr.number, 'hello');
  const merged = await client.mergeApproved({ repo: LOCAL, number: opened.pr.number, approvedSha: head, method: 'squash' });
  assert.equal(merged.merged && merged.sha, await repo.sha('main'));
  assert.equal(fake.calls.length, 0, 'GitHub heard nothing of the local repository');

  const number = fake.seedPull('acme', 'shop', { head: 'baton/ENG-13-y', title: 'on GitHub' });
  const remote = await client.getPullRequest(REMOTE, number);
  assert.equal(remote.title, 'on GitHub');
  assert.equal((await client.findOpenPullRequest(REMOTE, 'baton/ENG-13-y'))?.number, number);
  assert.equal(await client.installationToken(), 'ghs_test');
  assert.ok(fake.callsTo('GET', `/repos/acme/shop/pulls/${number}`).length > 0);
  assert.equal((await host.listPulls()).filter((p) => p.repo === 'acme/shop').length, 0, 'nothing of GitHub’s is stored locally');
});

test('with GitHub not configured, GitHub repositories fail saying so and local ones work', async () => {
  const { repo, host } = await localHost('route-no-github');
  const client = routeCodeHost(undefined, host, host.handles);
  await repo.push('baton/ENG-14-z', FIX, { from: 'main' });
  const { created } = await client.openPullRequest({ repo: LOCAL, head: 'baton/ENG-14-z', base: 'main', title: 'ENG-14', body: '', draft: false, labels: [] });
  assert.equal(created, true);
  const notConfigured = (error: unknown) => error instanceof GitHubError && error.code === 'auth' && /^GitHub is not configured/.test(error.message);
  await assert.rejects(client.getPullRequest(REMOTE, 1), notConfigured);
  await assert.rejects(client.mergeApproved({ repo: REMOTE, number: 1, approvedSha: 'a'.repeat(40), method: 'merge' }), notConfigured);
  await assert.rejects(client.installationToken(), notConfigured);
});

test('deploys of a local repository are refused with a sentence, never sent to GitHub', async () => {
  const { host } = await localHost('route-deploy');
  const client = routeCodeHost(createGitHubClient({ apiUrl: fake.url, auth: { kind: 'token', token: 'ghs_test' }, retries: 0 }), host, host.handles);
  fake.calls.length = 0;
  const noDeploys = (error: unknown) => error instanceof Error && /local\/calc is a local repository .*deploys are not supported for local repositories/.test(error.message);
  await assert.rejects(client.dispatchWorkflow({ repo: LOCAL, workflow: 'deploy.yml', ref: 'main' }), noDeploys);
  await assert.rejects(client.followWorkflowRun(LOCAL, 1, { intervalMs: 10, timeoutMs: 100 }), noDeploys);
  assert.equal(fake.calls.length, 0);
});
