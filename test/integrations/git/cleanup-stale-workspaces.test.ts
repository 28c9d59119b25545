import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Workspace } from '../../../src/integrations/git/workspace.ts';
import { fixtureGit, seededRemote, tempDir, testManager } from './git-fixtures.ts';

test('start-up cleanup removes the worktrees of runs that are not active and prunes the mirror', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const remote = await seededRemote(dir);
  const dataDir = join(dir, 'data');
  const manager = testManager(dataDir);
  const prepare = (runId: string, key: string) => manager.prepareWorkspace({ repo: remote.repo, runId, ticketKey: key, title: 'x' });
  const active = await prepare('active', 'ENG-1');
  const orphan = await prepare('orphan', 'ENG-2');
  const vanished = await prepare('vanished', 'ENG-3');
  await writeFile(join(orphan.path, 'untracked.txt'), 'left by a crashed agent\n');
  // A worktree whose directory someone deleted: git still lists it until pruned.
  await rm(vanished.path, { recursive: true, force: true });
  // A directory that is no worktree at all (a crash before `worktree add` finished).
  await mkdir(join(dataDir, 'workspaces', 'half-made'), { recursive: true });

  const removed = await manager.cleanupStaleWorkspaces(['active']);

  assert.deepEqual(removed.sort(), ['half-made', 'orphan']);
  assert.ok(existsSync(active.path));
  assert.ok(!existsSync(orphan.path));
  assert.ok(!existsSync(join(dataDir, 'workspaces', 'half-made')));
  const git = fixtureGit(dir);
  const mirror = join(dataDir, 'mirrors/acme/app.git');
  const listed = await git(['worktree', 'list', '--porcelain'], mirror);
  assert.match(listed, /workspaces\/active/);
  assert.doesNotMatch(listed, /orphan|vanished/);
  const branches = (await git(['for-each-ref', '--format=%(refname:short)', 'refs/heads/'], mirror)).trim().split('\n');
  assert.deepEqual(branches, [active.branch]);
});

test('removeWorkspace removes the worktree and its local branch, and is a no-op the second time', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const remote = await seededRemote(dir);
  const manager = testManager(join(dir, 'data'));
  const ws = await manager.prepareWorkspace({ repo: remote.repo, runId: 'r1', ticketKey: 'ENG-1', title: 'x' });
  await manager.removeWorkspace('r1');
  await manager.removeWorkspace('r1');
  assert.ok(!existsSync(ws.path));
  const git = fixtureGit(dir);
  const branches = await git(['for-each-ref', 'refs/heads/'], join(dir, 'data/mirrors/acme/app.git'));
  assert.equal(branches.trim(), '');
});

test('start-up cleanup breaks a repository lock left by a crashed container under another hostname', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const remote = await seededRemote(dir);
  const dataDir = join(dir, 'data');
  const ws = await testManager(dataDir).prepareWorkspace({ repo: remote.repo, runId: 'r1', ticketKey: 'ENG-1', title: 'x' });
  // The old container crashed holding the lock; the new one shares /data but has a new hostname.
  const lock = join(dataDir, 'mirrors/acme/app.git.lock');
  await writeFile(lock, '7\nbaton-5d8f-crashed\n2024-05-01T10:00:00.000Z\n');
  const anHourAgo = new Date(Date.now() - 3_600_000);
  await utimes(lock, anHourAgo, anHourAgo);

  const removed = await testManager(dataDir, { lockTimeoutMs: 2000 }).cleanupStaleWorkspaces([]);

  assert.deepEqual(removed, ['r1']);
  assert.ok(!existsSync(ws.path));
  assert.ok(!existsSync(lock));
});

/** A run that committed a change and is now detached at its base, as prove-change leaves it for the base suite. */
async function detachedForBaseSuite(manager: ReturnType<typeof testManager>, ws: Workspace): Promise<string> {
  await writeFile(join(ws.path, 'fix.test.js'), 'test\n');
  const head = await manager.commitAll(ws, 'fix');
  assert.ok(head);
  await manager.checkOutBaseWithFiles(ws, head, ['fix.test.js']);
  return head;
}

async function branchesOf(dir: string, dataDir: string): Promise<string[]> {
  const out = await fixtureGit(dir)(['for-each-ref', '--format=%(refname:short)', 'refs/heads/'], join(dataDir, 'mirrors/acme/app.git'));
  return out.trim().split('\n').filter(Boolean).sort();
}

test('start-up cleanup keeps the branch of an active run whose worktree is detached for the base suite, and removes an ended run’s', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const remote = await seededRemote(dir);
  const dataDir = join(dir, 'data');
  const manager = testManager(dataDir);
  const live = await manager.prepareWorkspace({ repo: remote.repo, runId: 'live', ticketKey: 'ENG-114', title: 'fix login' });
  const ended = await manager.prepareWorkspace({ repo: remote.repo, runId: 'ended', ticketKey: 'ENG-115', title: 'x' });
  const head = await detachedForBaseSuite(manager, live);
  // An ended run's worktree, detached too when its worker died: removing it cannot name the branch.
  await detachedForBaseSuite(manager, ended);

  // Another worker process starting meanwhile (a restart after a kill, or a second replica).
  const removed = await testManager(dataDir).cleanupStaleWorkspaces(['live']);

  assert.deepEqual(removed, ['ended']);
  assert.deepEqual(await branchesOf(dir, dataDir), [live.branch]);
  // The live run carries on: back on its branch, at its commit.
  assert.equal(await manager.restoreHead(live, []), head);
});

test('start-up cleanup deletes no branch of a mirror where an active run’s detached worktree names none (made before branch markers)', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const remote = await seededRemote(dir);
  const dataDir = join(dir, 'data');
  const manager = testManager(dataDir);
  const live = await manager.prepareWorkspace({ repo: remote.repo, runId: 'live', ticketKey: 'ENG-1', title: 'x' });
  const ended = await manager.prepareWorkspace({ repo: remote.repo, runId: 'ended', ticketKey: 'ENG-2', title: 'x' });
  await detachedForBaseSuite(manager, live);
  await detachedForBaseSuite(manager, ended);
  const mirror = join(dataDir, 'mirrors/acme/app.git');
  for (const name of await readdir(join(mirror, 'worktrees'))) await rm(join(mirror, 'worktrees', name, 'baton-branch'));

  assert.deepEqual(await testManager(dataDir).cleanupStaleWorkspaces(['live']), ['ended']);

  assert.deepEqual(await branchesOf(dir, dataDir), [live.branch, ended.branch].sort());
});

test('start-up cleanup reads the active runs after listing what it may remove: a run created meanwhile keeps its workspace and branch', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const remote = await seededRemote(dir);
  const dataDir = join(dir, 'data');
  const manager = testManager(dataDir);
  await manager.prepareWorkspace({ repo: remote.repo, runId: 'ended', ticketKey: 'ENG-2', title: 'x' });
  const database = new Set<string>();
  let late: Workspace | undefined;
  let reads = 0;
  const listActiveRuns = async (): Promise<string[]> => {
    reads += 1;
    const snapshot = [...database];
    if (!late) {
      // Between this read and its use, another process inserts a run, prepares its workspace and
      // detaches it for the base suite.
      database.add('late');
      late = await manager.prepareWorkspace({ repo: remote.repo, runId: 'late', ticketKey: 'ENG-3', title: 'x' });
      await detachedForBaseSuite(manager, late);
    }
    return snapshot;
  };

  const removed = await testManager(dataDir).cleanupStaleWorkspaces(listActiveRuns);

  assert.deepEqual(removed, ['ended']);
  assert.ok(late && existsSync(late.path));
  assert.deepEqual(await branchesOf(dir, dataDir), [late.branch]);
  assert.equal(reads, 2, 'read once for the workspaces, once more under the mirror’s lock');
});
