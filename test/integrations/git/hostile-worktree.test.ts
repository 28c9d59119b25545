import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, lstat, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fixtureGit, seededRemote, tempDir, testManager } from './git-fixtures.ts';

/*
 * Baton's git runs on the host over a worktree that sandboxed code (the agent's bash, the
 * repository's own tests) has written freely. Whatever it left there, Baton's commit, diff, base
 * checkout, restore, rebase and removal must run no program of the worktree's choosing.
 *
 * The way in that these cover: a repository inside the worktree (a submodule directory filled in,
 * or one made from scratch). Staging or `status` with a populated submodule runs `git status`
 * inside it, and that git reads the submodule's own config, where a filter driver is a command.
 */

type Git = ReturnType<typeof fixtureGit>;

async function setup(t: { after: (fn: () => Promise<void>) => void }, options: { submodule?: boolean } = {}) {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const remote = await seededRemote(dir);
  await remote.commit('main', { 'test/util.test.js': 'ok\n' }, 'a test');
  const git = fixtureGit(dir);
  if (options.submodule) await addGitlink(dir, remote.path, git);
  const manager = testManager(join(dir, 'data'));
  const ws = await manager.prepareWorkspace({ repo: remote.repo, runId: 'run-1', ticketKey: 'ENG-1', title: 'fix it' });
  return { dir, manager, ws, git, remote };
}

/** Commits a submodule at vendor/lib on the remote's main, as a repository with submodules has one. */
async function addGitlink(dir: string, remotePath: string, git: Git): Promise<void> {
  const scratch = join(dir, 'scratch-gitlink');
  await git(['clone', '--quiet', remotePath, scratch], dir);
  await writeFile(join(scratch, '.gitmodules'), '[submodule "lib"]\n\tpath = vendor/lib\n\turl = https://example.com/lib.git\n');
  await git(['update-index', '--add', '--cacheinfo', `160000,${'1'.repeat(40)},vendor/lib`], scratch);
  await git(['add', '.gitmodules'], scratch);
  await git(['commit', '--quiet', '-m', 'a submodule'], scratch);
  await git(['push', '--quiet', 'origin', 'HEAD:refs/heads/main'], scratch);
  await rm(scratch, { recursive: true, force: true });
}

/** A repository at `path` whose config names a command for every driver and hook git could start. */
async function hostileRepo(path: string, marker: string, git: Git): Promise<void> {
  await mkdir(path, { recursive: true });
  await git(['init', '--quiet', path], path);
  await writeFile(join(path, 'file.txt'), 'one\n');
  await writeFile(join(path, '.gitattributes'), '* filter=x diff=x\n');
  await git(['add', '--all'], path);
  await git(['-c', 'user.name=x', '-c', 'user.email=x@x', 'commit', '--quiet', '-m', 'nested'], path);
  const hooks = join(path, '.git', 'evil-hooks');
  await mkdir(hooks, { recursive: true });
  for (const name of ['pre-commit', 'post-checkout', 'post-commit', 'reference-transaction', 'post-index-change']) {
    await writeFile(join(hooks, name), `#!/bin/sh\ntouch ${marker}-hook-${name}\n`);
    await chmod(join(hooks, name), 0o755);
  }
  const run = (what: string) => `"touch ${marker}-${what}; cat"`;
  await writeFile(
    join(path, '.git', 'config'),
    [
      '[core]', `\tfsmonitor = ${run('fsmonitor')}`, `\thooksPath = ${hooks}`, `\tpager = ${run('pager')}`,
      '[filter "x"]', `\tclean = ${run('clean')}`, `\tsmudge = ${run('smudge')}`, `\tprocess = ${run('process')}`,
      '[diff "x"]', `\ttextconv = ${run('textconv')}`, `\tcommand = ${run('diff-command')}`,
      '[diff]', `\texternal = ${run('diff-external')}`,
      '[status]', '\tsubmoduleSummary = true',
      '',
    ].join('\n'),
  );
  // Changed since its commit: a status in there has to hash it, through the filter.
  await writeFile(join(path, 'file.txt'), 'two\n');
}

async function ran(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.startsWith('ran-'));
}

test('a repository made inside the worktree runs nothing of its config through commit, diff, base checkout and restore, and is not committed', async (t) => {
  const { dir, manager, ws, git } = await setup(t);
  const marker = join(dir, 'ran');
  await hostileRepo(join(ws.path, 'nested'), marker, git);
  await hostileRepo(join(ws.path, 'deeper/still/nested'), marker, git);
  // Attributes at the top naming drivers only a hostile config defines.
  await writeFile(join(ws.path, '.gitattributes'), '* filter=x diff=x\n');
  await writeFile(join(ws.path, 'test/new.test.js'), 'new\n');
  await writeFile(join(ws.path, 'src/util.js'), 'fixed\n');

  const head = await manager.commitAll(ws, 'first');
  assert.ok(head);
  await manager.diffAgainstBase(ws);
  const keep = await manager.untrackedFiles(ws);
  await manager.checkOutBaseWithFiles(ws, head, ['test/new.test.js']);
  await writeFile(join(ws.path, 'nested', 'file.txt'), 'three\n');
  await manager.restoreHead(ws, keep);
  await writeFile(join(ws.path, 'src/util.js'), 'fixed again\n');
  // A second commit is where a nested repository staged by the first would have been run.
  assert.ok(await manager.commitAll(ws, 'second'));
  assert.deepEqual(await ran(dir), []);

  const committed = (await git(['ls-tree', '-r', '--name-only', `refs/heads/${ws.branch}`], ws.path)).split('\n');
  assert.ok(committed.includes('src/util.js') && committed.includes('test/new.test.js'), committed.join(' '));
  assert.deepEqual(committed.filter((p) => p.includes('nested')), [], 'no nested repository (gitlink) is committed');
});

test("a submodule directory filled in from the sandbox runs nothing of its config, through commit, restore, rebase and removal, and its pointer is not changed", async (t) => {
  const { dir, manager, ws, git, remote } = await setup(t, { submodule: true });
  const marker = join(dir, 'ran');
  await rm(join(ws.path, 'vendor/lib'), { recursive: true, force: true });
  await hostileRepo(join(ws.path, 'vendor/lib'), marker, git);
  await writeFile(join(ws.path, 'test/new.test.js'), 'new\n');

  const head = await manager.commitAll(ws, 'with the submodule filled in');
  assert.ok(head);
  const keep = await manager.untrackedFiles(ws);
  await manager.checkOutBaseWithFiles(ws, head, ['test/new.test.js']);
  await manager.restoreHead(ws, keep);
  await writeFile(join(ws.path, 'src/util.js'), 'fixed\n');
  assert.ok(await manager.commitAll(ws, 'again'));
  assert.equal((await git(['ls-tree', `refs/heads/${ws.branch}`, 'vendor/lib'], ws.path)).trim(), `160000 commit ${'1'.repeat(40)}\tvendor/lib`);

  // The base moves: publishing rebases the run's commits onto it.
  await remote.commit('main', { 'docs/x.md': 'moved\n' }, 'base moved');
  const rebase = await manager.rebaseOnBase(ws).catch((error: unknown) => error);
  assert.deepEqual(await ran(dir), []);
  // A filled-in submodule is not an uncommitted change of the run's: the rebase goes ahead.
  assert.equal((rebase as { rebased?: boolean }).rebased, true, String(rebase));
  await manager.removeWorkspace(ws.runId);
  assert.deepEqual(await ran(dir), []);
});

test('directories swapped for symlinks out of the worktree are not written through by the base checkout, the restore or the clean-up', async (t) => {
  const { dir, manager, ws } = await setup(t);
  const outside = join(dir, 'outside');
  await mkdir(outside);
  await writeFile(join(outside, 'keep.txt'), 'host file\n');
  await writeFile(join(ws.path, 'test/new.test.js'), 'new\n');
  await writeFile(join(ws.path, 'src/util.js'), 'fixed\n');
  const head = await manager.commitAll(ws, 'fix and test');
  assert.ok(head);
  const keep = await manager.untrackedFiles(ws);

  // What a test run could leave: the directories Baton writes next replaced by links to the host.
  await rm(join(ws.path, 'test'), { recursive: true });
  await symlink(outside, join(ws.path, 'test'));
  await manager.checkOutBaseWithFiles(ws, head, ['test/new.test.js']);
  await rm(join(ws.path, 'src'), { recursive: true });
  await symlink(outside, join(ws.path, 'src'));
  await writeFile(join(outside, 'stray.js'), 'host file too\n');
  await manager.restoreHead(ws, keep);

  assert.deepEqual((await readdir(outside)).sort(), ['keep.txt', 'stray.js'], 'nothing written or removed outside');
  assert.equal(await readFile(join(ws.path, 'src/util.js'), 'utf8'), 'fixed\n');
  assert.equal((await lstat(join(ws.path, 'src'))).isDirectory(), true);
});
