import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createWorkspaceManager } from '../../../src/integrations/git/create-workspace-manager.ts';
import { GitError } from '../../../src/integrations/git/git-error.ts';
import { capturingLogger, createRemote, fixtureGit, tempDir } from './git-fixtures.ts';
import { serveGitOverHttp } from './serve-git-over-http.ts';

const USERNAME = 'x-access-token';
const SECRET = 'ghs_TopSecretInstallationToken0123456789';
const PARENT_SECRET = 'parent-process-secret-value';

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name));
}

function assertNoSecret(text: string, where: string): void {
  const basic = Buffer.from(`${USERNAME}:${SECRET}`).toString('base64');
  for (const needle of [SECRET, basic, PARENT_SECRET]) assert.ok(!text.includes(needle), `secret found in ${where}:\n${text}`);
}

test('credentials reach the server through the helper only: never a URL, a config file, a log line or an error', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  // Something in the parent's environment that git's children must not inherit.
  process.env.BATON_TEST_PARENT_SECRET = PARENT_SECRET;
  const remote = await createRemote(dir, 'app');
  await remote.commit('main', { 'README.md': '# app\n', '.gitattributes': 'dump.txt filter=dump\n', 'dump.txt': 'x\n' });
  await createRemote(dir, 'leak');
  const server = await serveGitOverHttp({ root: join(dir, 'remotes'), username: USERNAME, password: SECRET, leakRepos: ['leak'] });
  t.after(() => server.close());
  const attacker = await serveGitOverHttp({ root: join(dir, 'remotes'), username: 'nobody', password: 'nothing' });
  t.after(() => attacker.close());

  const dataDir = join(dir, 'data');
  const { log, lines } = capturingLogger();
  let asked = 0;
  const manager = createWorkspaceManager({
    dataDir,
    log,
    searchPath: process.env.PATH,
    credentials: async () => {
      asked += 1;
      return { username: USERNAME, password: SECRET };
    },
  });
  const repo = { owner: 'acme', name: 'app', cloneUrl: `${server.url}/app.git`, baseBranch: 'main' };
  const errors: unknown[] = [];

  // 1. Clone and push over authenticated HTTP.
  const ws = await manager.prepareWorkspace({ repo, runId: 'run-1', ticketKey: 'ENG-1', title: 'auth' });
  const git = fixtureGit(dir);
  await git(['commit', '--quiet', '--allow-empty', '-m', 'fix'], ws.path);
  const pushed = await manager.push(ws);
  assert.equal((await remote.refs()).get(`refs/heads/${ws.branch}`), pushed.sha);
  assert.ok(asked >= 2);
  const expectedHeader = `Basic ${Buffer.from(`${USERNAME}:${SECRET}`).toString('base64')}`;
  assert.equal(server.requests[0]?.authorization, undefined, 'git first asks without credentials and gets the 401 challenge');
  assert.ok(server.requests.some((r) => r.authorization === expectedHeader && r.path.includes('git-upload-pack')));
  assert.ok(server.requests.some((r) => r.authorization === expectedHeader && r.path.includes('git-receive-pack')));
  assert.ok(server.requests.every((r) => !r.path.includes(SECRET)));

  // 2. A server that quotes the password in its error: the GitError is redacted.
  const leakRepo = { ...repo, name: 'leak', cloneUrl: `${server.url}/leak.git` };
  await assert.rejects(manager.prepareWorkspace({ repo: leakRepo, runId: 'run-2', ticketKey: 'ENG-2', title: 'leak' }), (error: unknown) => {
    errors.push(error);
    return error instanceof GitError && /\[REDACTED\]/.test(`${error.message}${error.stderr}`);
  });

  // 3. A checkout that wrote into the mirror: hooks in its hooks directory; in its config a hooks
  // path, a helper, a checkout filter and a URL rewrite of its own.
  const mirror = join(dataDir, 'mirrors/acme/app.git');
  const evil = join(dir, 'evil');
  await mkdir(join(evil, 'hooks'), { recursive: true });
  for (const hook of ['reference-transaction', 'pre-push', 'post-checkout']) {
    const script = `#!/bin/sh\nenv > ${join(evil, `${hook}.env`)}\n`;
    await writeFile(join(evil, 'hooks', hook), script, { mode: 0o755 });
    await writeFile(join(mirror, 'hooks', hook), script, { mode: 0o755 });
  }
  await git(['config', 'core.hooksPath', join(evil, 'hooks')], mirror);
  await git(['config', 'credential.helper', `!f() { cat >> ${join(evil, 'helper.txt')}; }; f`], mirror);
  await git(['config', 'filter.dump.smudge', `env > ${join(evil, 'smudge.env')}; cat`], mirror);
  await git(['config', `url.${attacker.url}/.insteadOf`, `${server.url}/`], mirror);
  const ws3 = await manager.prepareWorkspace({ repo, runId: 'run-3', ticketKey: 'ENG-3', title: 'hostile' });
  // The test's own commit keeps out of the trap, so that any hook run below is Baton's doing.
  await git(['-c', 'core.hooksPath=/dev/null', 'commit', '--quiet', '--allow-empty', '-m', 'fix'], ws3.path);
  await manager.push(ws3);
  for (const hook of ['reference-transaction', 'pre-push', 'post-checkout']) assert.ok(!existsSync(join(evil, `${hook}.env`)), `${hook} ran`);
  assert.ok(!existsSync(join(evil, 'helper.txt')), 'the repository’s own credential helper was asked');
  // Baton rewrote the mirror's config before fetching, so the filter was gone by the checkout, and
  // the URL rewrite by the fetch: the attacker's server heard nothing.
  assert.ok(!existsSync(join(evil, 'smudge.env')), 'the checkout filter from the mirror’s old config ran');
  assert.deepEqual(attacker.requests, []);
  assert.doesNotMatch(await git(['config', '--list'], mirror), /^(url|filter|credential|core\.hookspath)/im);

  // Nowhere on disk, in remotes, logs or errors.
  for (const file of await filesUnder(dataDir)) assertNoSecret((await readFile(file)).toString('latin1'), file);
  assertNoSecret(await git(['remote', '-v'], mirror), 'git remote -v in the mirror');
  assertNoSecret(await git(['remote', '-v'], ws.path), 'git remote -v in a worktree');
  assertNoSecret(await git(['config', '--list', '--show-origin'], ws.path), 'git config of a worktree');
  assertNoSecret(lines.join(''), 'log lines');
  assert.ok(lines.length > 0);
  for (const error of errors) assertNoSecret(`${(error as Error).message} ${JSON.stringify(error)} ${(error as Error).stack}`, 'an error');

  // The trap was real: git left to itself runs the repository's hooks.
  await git(['update-ref', 'refs/trap/x', pushed.sha], mirror);
  assert.ok(existsSync(join(evil, 'reference-transaction.env')));
});
