import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
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
