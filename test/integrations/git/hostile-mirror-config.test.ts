import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createWorkspaceManager } from '../../../src/integrations/git/create-workspace-manager.ts';
import { capturingLogger, createRemote, fixtureGit, seededRemote, tempDir } from './git-fixtures.ts';
import { serveGitOverHttp } from './serve-git-over-http.ts';

// The threat: code running in a workspace can write the shared mirror (a worktree's `git config`
// lands in its config), and Baton's next fetch or push runs git with the token in its environment.
const USERNAME = 'x-access-token';
const SECRET = 'ghs_HostileMirrorConfigToken0123456789';

function managerWithToken(dataDir: string) {
  const { log } = capturingLogger();
  const credentials = async () => ({ username: USERNAME, password: SECRET });
  return createWorkspaceManager({ dataDir, log, searchPath: process.env.PATH, credentials });
}

test('core.alternateRefsCommand and an alternates file set from a workspace never run with the token', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const remote = await seededRemote(dir);
  const other = await createRemote(dir, 'other');
  await other.commit('main', { 'x.txt': 'x\n' });
  const dataDir = join(dir, 'data');
  const manager = managerWithToken(dataDir);
  const ws = await manager.prepareWorkspace({ repo: remote.repo, runId: 'run-1', ticketKey: 'ENG-1', title: 'alternates' });
  const git = fixtureGit(dir);
  const mirror = join(dataDir, 'mirrors/acme/app.git');
  const dump = join(dir, 'alternate-refs.env');
  // What the workspace's code does: git finds the mirror for it, and `git config` writes there.
  const commonDir = (await git(['rev-parse', '--path-format=absolute', '--git-common-dir'], ws.path)).trim();
  assert.equal(commonDir, mirror);
  await git(['config', 'core.alternateRefsCommand', `f() { env > ${dump}; }; f`], ws.path);
  await mkdir(join(commonDir, 'objects/info'), { recursive: true });
  await writeFile(join(commonDir, 'objects/info/alternates'), `${join(other.path, 'objects')}\n`);
  await git(['commit', '--quiet', '--allow-empty', '-m', 'fix'], ws.path);

  await manager.push(ws);
  await manager.rebaseOnBase(ws); // a fetch
  await manager.prepareWorkspace({ repo: remote.repo, runId: 'run-2', ticketKey: 'ENG-2', title: 'again' });

  if (existsSync(dump)) assert.ok(!(await readFile(dump, 'utf8')).includes(SECRET), 'the token reached core.alternateRefsCommand');
  assert.equal(existsSync(dump), false, 'core.alternateRefsCommand ran');
  assert.equal(existsSync(join(mirror, 'objects/info/alternates')), false);
});

test('http.proxy set from a workspace never receives a request, let alone the token', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const remote = await seededRemote(dir);
  const server = await serveGitOverHttp({ root: join(dir, 'remotes'), username: USERNAME, password: SECRET });
  t.after(() => server.close());
  // Answers every request with the 401 challenge, as a proxy harvesting credentials would.
  const proxy = await serveGitOverHttp({ root: join(dir, 'remotes'), username: 'nobody', password: 'nothing' });
  t.after(() => proxy.close());
  const dataDir = join(dir, 'data');
  const manager = managerWithToken(dataDir);
  const repo = { ...remote.repo, cloneUrl: `${server.url}/app.git` };
  const ws = await manager.prepareWorkspace({ repo, runId: 'run-1', ticketKey: 'ENG-1', title: 'proxy' });
  const git = fixtureGit(dir);
  await git(['config', 'http.proxy', proxy.url], ws.path);
  await git(['config', `http.${server.url}/.proxy`, proxy.url], ws.path);
  await git(['commit', '--quiet', '--allow-empty', '-m', 'fix'], ws.path);

  // Failures are kept for the end: first what the proxy saw, which is the point.
  const results = [
    await manager.push(ws).catch((error: unknown) => error),
    await manager.rebaseOnBase(ws).catch((error: unknown) => error),
    await manager.prepareWorkspace({ repo, runId: 'run-2', ticketKey: 'ENG-2', title: 'again' }).catch((error: unknown) => error),
  ];

  const basic = Buffer.from(`${USERNAME}:${SECRET}`).toString('base64');
  assert.ok(proxy.requests.every((r) => !r.authorization?.includes(basic)), 'the proxy received the token');
  assert.deepEqual(proxy.requests, []);
  for (const result of results) assert.ok(!(result instanceof Error), String(result));
  const pushed = results[0] as { sha: string };
  assert.equal((await remote.refs()).get(`refs/heads/${ws.branch}`), pushed.sha);
});

test('a workspace that points its .git, or the mirror’s commondir, at a repository of its own does not choose the config', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const remote = await seededRemote(dir);
  const server = await serveGitOverHttp({ root: join(dir, 'remotes'), username: USERNAME, password: SECRET });
  t.after(() => server.close());
  const proxy = await serveGitOverHttp({ root: join(dir, 'remotes'), username: 'nobody', password: 'nothing' });
  t.after(() => proxy.close());
  const dataDir = join(dir, 'data');
  const manager = managerWithToken(dataDir);
  const repo = { ...remote.repo, cloneUrl: `${server.url}/app.git` };
  const ws = await manager.prepareWorkspace({ repo, runId: 'run-1', ticketKey: 'ENG-1', title: 'redirect' });
  const git = fixtureGit(dir);
  await git(['commit', '--quiet', '--allow-empty', '-m', 'fix'], ws.path);
  // A repository of the workspace's making, with the run's branch and a proxy in its config.
  const evil = join(dir, 'evil.git');
  await git(['clone', '--quiet', '--bare', join(dataDir, 'mirrors/acme/app.git'), evil], dir);
  await git(['config', `http.${server.url}/.proxy`, proxy.url], evil);
  await writeFile(join(ws.path, '.git'), `gitdir: ${evil}\n`);

  const results = [await manager.push(ws).catch((error: unknown) => error)];
  await writeFile(join(dataDir, 'mirrors/acme/app.git/commondir'), `${evil}\n`);
  results.push(await manager.prepareWorkspace({ repo, runId: 'run-2', ticketKey: 'ENG-2', title: 'again' }).catch((error: unknown) => error));

  const basic = Buffer.from(`${USERNAME}:${SECRET}`).toString('base64');
  assert.ok(proxy.requests.every((r) => !r.authorization?.includes(basic)), 'the proxy received the token');
  assert.deepEqual(proxy.requests, []);
  for (const result of results) assert.ok(!(result instanceof Error), String(result));
  assert.equal((await remote.refs()).get(`refs/heads/${ws.branch}`), (results[0] as { sha: string }).sha);
});
