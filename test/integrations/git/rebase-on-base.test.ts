import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GitError } from '../../../src/integrations/git/git-error.ts';
import { fixtureGit, seededRemote, tempDir, testManager } from './git-fixtures.ts';

async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const remote = await seededRemote(dir);
  const manager = testManager(join(dir, 'data'));
  const ws = await manager.prepareWorkspace({ repo: remote.repo, runId: 'run-1', ticketKey: 'ENG-5', title: 'Change the answer' });
  const git = fixtureGit(dir);
  await writeFile(join(ws.path, 'src/index.js'), 'export const answer = 44;\n');
  await git(['commit', '--quiet', '-am', 'fix: the answer'], ws.path);
  return { remote, manager, ws, git };
}

test('an unmoved base is left alone', async (t) => {
  const { manager, ws } = await setup(t);
  const result = await manager.rebaseOnBase(ws);
  assert.equal(result.rebased, false);
  assert.equal(result.workspace.baseSha, ws.baseSha);
});

test('the run’s commits are replayed on a base that moved', async (t) => {
  const { remote, manager, ws, git } = await setup(t);
  const moved = await remote.commit('main', { 'docs/CHANGELOG.md': 'unrelated\n' });
  const result = await manager.rebaseOnBase(ws);
  assert.equal(result.rebased, true);
  assert.equal(result.workspace.baseSha, moved);
  assert.equal((await git(['rev-parse', 'HEAD~1'], ws.path)).trim(), moved);
  assert.equal((await git(['log', '-1', '--format=%s'], ws.path)).trim(), 'fix: the answer');
  assert.equal(await readFile(join(ws.path, 'src/index.js'), 'utf8'), 'export const answer = 44;\n');
  assert.equal(await readFile(join(ws.path, 'docs/CHANGELOG.md'), 'utf8'), 'unrelated\n');
});

test('a conflict aborts the rebase, leaves the worktree clean and names the files', async (t) => {
  const { remote, manager, ws, git } = await setup(t);
  const head = (await git(['rev-parse', 'HEAD'], ws.path)).trim();
  await remote.commit('main', { 'src/index.js': 'export const answer = 99;\n' }, 'someone else changed it');
  await assert.rejects(manager.rebaseOnBase(ws), (error: unknown) => {
    assert.ok(error instanceof GitError);
    assert.equal(error.code, 'rebase_conflict');
    assert.deepEqual(error.files, ['src/index.js']);
    assert.match(error.message, /src\/index\.js/);
    return true;
  });
  assert.equal((await git(['status', '--porcelain'], ws.path)).trim(), '');
  assert.equal((await git(['rev-parse', 'HEAD'], ws.path)).trim(), head);
  assert.equal((await git(['symbolic-ref', '--short', 'HEAD'], ws.path)).trim(), ws.branch);
  assert.equal(await readFile(join(ws.path, 'src/index.js'), 'utf8'), 'export const answer = 44;\n');
});

test('uncommitted changes are not rebased over', async (t) => {
  const { remote, manager, ws } = await setup(t);
  await remote.commit('main', { 'other.txt': 'x\n' });
  await writeFile(join(ws.path, 'src/util.js'), 'work in progress\n');
  await assert.rejects(manager.rebaseOnBase(ws), (e: unknown) => e instanceof GitError && e.code === 'workspace_dirty');
  assert.equal(await readFile(join(ws.path, 'src/util.js'), 'utf8'), 'work in progress\n');
});
