import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
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
  const second = await manager.push(ws, { lastPushed: first.sha });
  assert.notEqual(second.sha, first.sha);
  assert.equal((await remote.refs()).get(ref), second.sha);

  // A remote branch that is not where Baton last pushed it (someone else pushed meanwhile) is refused, naming both commits.
  await git(['commit', '--quiet', '--amend', '-m', 'fix: empty cart (third)'], ws.path);
  await assert.rejects(
    manager.push(ws, { lastPushed: first.sha }),
    (error: unknown) => isCode('push_stale_lease')(error) && (error as Error).message.includes(first.sha) && (error as Error).message.includes(second.sha),
  );
  assert.equal((await remote.refs()).get(ref), second.sha);
});

test('a branch deleted on the remote since Baton last pushed it (its PR merged) is recreated', async (t) => {
  const { remote, manager, ws, git } = await setup(t);
  const first = await manager.push(ws);
  const ref = `refs/heads/${ws.branch}`;
  // What GitHub's "Automatically delete head branches" does after the merge.
  await git(['update-ref', '-d', ref], remote.path);
  assert.equal((await remote.refs()).has(ref), false);

  await git(['commit', '--quiet', '--amend', '-m', 'fix: empty cart (next run)'], ws.path);
  const again = await manager.push(ws, { lastPushed: first.sha });
  assert.notEqual(again.sha, first.sha);
  assert.equal((await remote.refs()).get(ref), again.sha);
});

test('a branch that appears on the remote between Baton’s look and its push is not overwritten', async (t) => {
  const { dir, remote, ws, git } = await setup(t);
  const ref = `refs/heads/${ws.branch}`;
  // A git on PATH that lets someone else create the branch just before the push, once: git itself
  // runs the push, so what refuses it is the lease that says the branch must not exist.
  const realGit = join((await git(['--exec-path'], dir)).trim(), 'git');
  const shim = join(dir, 'shim');
  await mkdir(shim);
  await writeFile(
    join(shim, 'git'),
    `#!/bin/sh
case " $* " in *" push "*) test -e "${shim}/raced" || { touch "${shim}/raced"; env -u GIT_DIR -u GIT_COMMON_DIR "${realGit}" -C "${remote.path}" update-ref ${ref} ${ws.baseSha}; } ;; esac
exec "${realGit}" "$@"
`,
    { mode: 0o755 },
  );
  const manager = testManager(join(dir, 'data'), { searchPath: `${shim}:${process.env.PATH}` });
  await assert.rejects(manager.push(ws), isCode('push_stale_lease'));
  assert.equal((await remote.refs()).get(ref), ws.baseSha, 'the other creator’s branch is untouched');
});

test('a repeated push of a commit the remote already has succeeds whatever Baton recorded last', async (t) => {
  const { remote, manager, ws, git } = await setup(t);
  const first = await manager.push(ws);
  await git(['commit', '--quiet', '--amend', '-m', 'fix: empty cart (reviewed)'], ws.path);
  const second = await manager.push(ws, { lastPushed: first.sha });
  // The job died after this push and before it recorded it, so its retry still names the first commit.
  const retried = await manager.push(ws, { lastPushed: first.sha });
  assert.equal(retried.sha, second.sha);
  assert.equal((await remote.refs()).get(`refs/heads/${ws.branch}`), second.sha);
});

test('a last pushed commit that is not a full sha is refused before git runs', async (t) => {
  const { manager, ws } = await setup(t);
  await assert.rejects(manager.push(ws, { lastPushed: 'HEAD~1' }), isCode('invalid_input'));
  await assert.rejects(manager.push(ws, { lastPushed: '--delete' }), isCode('invalid_input'));
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
