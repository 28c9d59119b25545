import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GitError } from '../../../src/integrations/git/git-error.ts';
import { fixtureGit, seededRemote, tempDir, testManager } from './git-fixtures.ts';

const isCode = (code: string) => (error: unknown) => error instanceof GitError && error.code === code;

async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const remote = await seededRemote(dir);
  const manager = testManager(join(dir, 'data'), { protectedBranches: ['release/v1'] });
  const ws = await manager.prepareWorkspace({ repo: remote.repo, runId: 'run-1', ticketKey: 'ENG-7', title: 'Handle empty cart' });
  const git = fixtureGit(dir);
  await writeFile(join(ws.path, 'cart.js'), 'export const total = (items) => items.length ? 1 : 0;\n');
  await git(['add', 'cart.js'], ws.path);
  await git(['commit', '--quiet', '-m', 'fix: empty cart'], ws.path);
  return { dir, remote, manager, ws, git };
}

test('main, the base branch and branches outside baton/ are refused and nothing reaches the remote', async (t) => {
  const { remote, manager, ws } = await setup(t);
  const before = await remote.refs();
  for (const branch of ['main', 'feature/x', 'baton', 'refs/heads/main', 'release/v1']) {
    await assert.rejects(manager.push({ ...ws, branch }), isCode('push_refused'), branch);
  }
  const developBase = { ...ws, repo: { ...ws.repo, baseBranch: 'baton/base' }, branch: 'baton/base' };
  await assert.rejects(manager.push(developBase), isCode('push_refused'));
  assert.deepEqual(await remote.refs(), before);
});

test('a baton/* branch is pushed under the same name, and a revision replaces it only with the right lease', async (t) => {
  const { remote, manager, ws, git } = await setup(t);
  const first = await manager.push(ws);
  const ref = `refs/heads/${ws.branch}`;
  assert.equal((await remote.refs()).get(ref), first.sha);
  assert.equal((await remote.refs()).get('refs/heads/main'), ws.baseSha);

  await git(['commit', '--quiet', '--amend', '-m', 'fix: empty cart (reviewed)'], ws.path);
  // Without a lease an amended branch is not a fast-forward, so git refuses it.
  await assert.rejects(manager.push(ws), isCode('push_rejected'));
  const second = await manager.push(ws, { forceWithLease: first.sha });
  assert.notEqual(second.sha, first.sha);
  assert.equal((await remote.refs()).get(ref), second.sha);

  // A lease on a commit the remote no longer has (someone else pushed meanwhile) is refused.
  await git(['commit', '--quiet', '--amend', '-m', 'fix: empty cart (third)'], ws.path);
  await assert.rejects(manager.push(ws, { forceWithLease: first.sha }), isCode('push_stale_lease'));
  assert.equal((await remote.refs()).get(ref), second.sha);
});

test('a lease that is not a full sha is refused before git runs', async (t) => {
  const { manager, ws } = await setup(t);
  await assert.rejects(manager.push(ws, { forceWithLease: 'HEAD~1' }), isCode('invalid_input'));
  await assert.rejects(manager.push(ws, { forceWithLease: '--delete' }), isCode('invalid_input'));
});

test('only the branch is pushed: a tag with push.followTags set from the workspace stays local', async (t) => {
  const { remote, manager, ws, git } = await setup(t);
  // A worktree's `git config` writes the shared mirror's config, so code in the workspace can set this.
  await git(['config', 'push.followTags', 'true'], ws.path);
  await git(['tag', '--annotate', '-m', 'release', 'v9.9.9'], ws.path);
  const pushed = await manager.push(ws);
  const refs = await remote.refs();
  assert.equal(refs.get(`refs/heads/${ws.branch}`), pushed.sha);
  assert.deepEqual([...refs.keys()].filter((ref) => ref.startsWith('refs/tags/')), []);
});
