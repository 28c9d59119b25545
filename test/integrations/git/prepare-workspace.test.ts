import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { GitError } from '../../../src/integrations/git/git-error.ts';
import { fixtureGit, seededRemote, tempDir, testManager } from './git-fixtures.ts';

test('two runs on one repository at once get separate worktrees from one mirror', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const remote = await seededRemote(dir);
  const mainSha = (await remote.refs()).get('refs/heads/main');
  const dataDir = join(dir, 'data');
  const manager = testManager(dataDir);

  const [a, b] = await Promise.all([
    manager.prepareWorkspace({ repo: remote.repo, runId: 'run-a', ticketKey: 'ENG-1', title: 'Fix the login crash!' }),
    manager.prepareWorkspace({ repo: remote.repo, runId: 'run-b', ticketKey: 'ENG-2', title: 'Café: résumé upload fails' }),
  ]);

  assert.notEqual(a.path, b.path);
  assert.equal(a.path, join(dataDir, 'workspaces', 'run-a'));
  assert.equal(a.branch, 'baton/ENG-1-fix-the-login-crash');
  assert.equal(b.branch, 'baton/ENG-2-cafe-resume-upload-fails');
  assert.equal(a.baseSha, mainSha);
  assert.equal(b.baseSha, mainSha);
  assert.deepEqual(await readdir(join(dataDir, 'mirrors', 'acme')), ['app.git']);

  const git = fixtureGit(dir);
  for (const ws of [a, b]) {
    assert.equal((await git(['symbolic-ref', '--short', 'HEAD'], ws.path)).trim(), ws.branch);
    assert.equal((await git(['rev-parse', 'HEAD'], ws.path)).trim(), mainSha);
    assert.equal(await readFile(join(ws.path, 'src/index.js'), 'utf8'), 'export const answer = 43;\n');
    // The worktree belongs to the shared mirror rather than being a clone of its own.
    assert.match(await readFile(join(ws.path, '.git'), 'utf8'), /mirrors\/acme\/app\.git\/worktrees\//);
  }
  const listed = await git(['worktree', 'list', '--porcelain'], join(dataDir, 'mirrors/acme/app.git'));
  assert.match(listed, /branch refs\/heads\/baton\/ENG-1-fix-the-login-crash/);
  assert.match(listed, /branch refs\/heads\/baton\/ENG-2-cafe-resume-upload-fails/);
  // No lock file is left behind once both are done.
  assert.equal(existsSync(join(dataDir, 'mirrors/acme/app.git.lock')), false);
});

test('a later run starts from the base branch as it is now, not from the cached mirror', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const remote = await seededRemote(dir);
  const manager = testManager(join(dir, 'data'));
  const first = await manager.prepareWorkspace({ repo: remote.repo, runId: 'r1', ticketKey: 'ENG-1', title: 'one' });
  const moved = await remote.commit('main', { 'NEW.md': 'new\n' });
  const second = await manager.prepareWorkspace({ repo: remote.repo, runId: 'r2', ticketKey: 'ENG-2', title: 'two' });
  assert.notEqual(first.baseSha, moved);
  assert.equal(second.baseSha, moved);
  assert.ok(existsSync(join(second.path, 'NEW.md')));
});

test('preparing the same run again replaces its worktree with a fresh one', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const remote = await seededRemote(dir);
  const manager = testManager(join(dir, 'data'));
  const input = { repo: remote.repo, runId: 'r1', ticketKey: 'ENG-1', title: 'again' };
  const first = await manager.prepareWorkspace(input);
  const git = fixtureGit(dir);
  await git(['commit', '--quiet', '--allow-empty', '-m', 'half-done work'], first.path);
  const second = await manager.prepareWorkspace(input);
  assert.equal(second.path, first.path);
  assert.equal((await git(['rev-parse', 'HEAD'], second.path)).trim(), second.baseSha);
});

test('unsafe run ids, credentialed URLs and unknown base branches are refused with a code', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const remote = await seededRemote(dir);
  const manager = testManager(join(dir, 'data'));
  const base = { repo: remote.repo, runId: 'ok', ticketKey: 'ENG-1', title: 't' };
  const code = (c: string) => (error: unknown) => error instanceof GitError && error.code === c;
  await assert.rejects(manager.prepareWorkspace({ ...base, runId: '../escape' }), code('invalid_input'));
  await assert.rejects(
    manager.prepareWorkspace({ ...base, repo: { ...remote.repo, cloneUrl: 'https://user:hunter2@example.com/a.git' } }),
    (error: unknown) => code('invalid_input')(error) && !(error as Error).message.includes('hunter2'),
  );
  await assert.rejects(manager.prepareWorkspace({ ...base, repo: { ...remote.repo, baseBranch: 'nope' } }), code('base_branch_not_found'));
});

test('a second run on a branch another run has checked out is refused with branch_in_use', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const remote = await seededRemote(dir);
  const manager = testManager(join(dir, 'data'));
  const input = { repo: remote.repo, ticketKey: 'ENG-1', title: 'same ticket' };
  await manager.prepareWorkspace({ ...input, runId: 'first' });
  await assert.rejects(
    manager.prepareWorkspace({ ...input, runId: 'second' }),
    (error: unknown) => error instanceof GitError && error.code === 'branch_in_use',
  );
  assert.ok(existsSync(join(dir, 'data/workspaces/first/src/index.js')));
});

test('with the data directory behind a symlink a removed workspace is unregistered and the run can be prepared again', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const remote = await seededRemote(dir);
  // As with DATA_DIR=/data pointing at a mounted volume: git writes the real path into `.git` files.
  await mkdir(join(dir, 'volume'));
  const dataDir = join(dir, 'data');
  await symlink(join(dir, 'volume'), dataDir);
  const manager = testManager(dataDir);
  const input = { repo: remote.repo, runId: 'r1', ticketKey: 'ENG-1', title: 'symlinked' };
  const first = await manager.prepareWorkspace(input);

  await manager.removeWorkspace('r1');

  assert.equal(existsSync(first.path), false);
  const git = fixtureGit(dir);
  const mirror = join(dataDir, 'mirrors/acme/app.git');
  assert.doesNotMatch(await git(['worktree', 'list', '--porcelain'], mirror), /baton\/ENG-1-symlinked/);
  assert.equal((await git(['branch', '--list', first.branch], mirror)).trim(), '');
  const again = await manager.prepareWorkspace(input);
  assert.equal(again.branch, first.branch);
});
