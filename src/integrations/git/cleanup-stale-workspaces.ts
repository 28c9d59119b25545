import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BRANCH_PREFIX } from './branch-name.ts';
import { removeWorktree, type WorktreeDeps } from './remove-worktree.ts';
import { withRepoLock } from './with-repo-lock.ts';
import { lockPathOf, workspacesDirOf } from './workspace.ts';

async function listDir(path: string): Promise<string[]> {
  return readdir(path).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []; // nothing created yet
    throw error;
  });
}

async function listMirrors(dataDir: string): Promise<string[]> {
  const root = join(dataDir, 'mirrors');
  const mirrors: string[] = [];
  for (const owner of await listDir(root)) {
    for (const entry of await listDir(join(root, owner))) {
      if (entry.endsWith('.git')) mirrors.push(join(root, owner, entry));
    }
  }
  return mirrors;
}

/** Prunes worktrees git still lists but whose directory is gone, and baton/* branches no worktree holds. */
async function tidyMirror(mirror: string, deps: WorktreeDeps): Promise<void> {
  await deps.git.local(['worktree', 'prune'], mirror);
  const worktrees = await deps.git.local(['worktree', 'list', '--porcelain'], mirror);
  const checkedOut = new Set(
    worktrees
      .split('\n')
      .filter((line) => line.startsWith('branch refs/heads/'))
      .map((line) => line.slice('branch refs/heads/'.length)),
  );
  const branches = await deps.git.local(['for-each-ref', '--format=%(refname:short)', `refs/heads/${BRANCH_PREFIX}`], mirror);
  const orphans = branches.split('\n').filter((b) => b && !checkedOut.has(b));
  if (orphans.length > 0) await deps.git.local(['branch', '--quiet', '-D', ...orphans], mirror);
}

/**
 * At start-up: removes every workspace whose run is not active (a crash or a lost job left it),
 * then tidies each mirror. Returns the run ids whose workspaces were removed.
 */
export async function cleanupStaleWorkspaces(activeRunIds: Iterable<string>, deps: WorktreeDeps): Promise<string[]> {
  const active = new Set(activeRunIds);
  const dir = workspacesDirOf(deps.dataDir);
  const removed: string[] = [];
  for (const runId of await listDir(dir)) {
    if (active.has(runId)) continue;
    await removeWorktree(join(dir, runId), deps);
    removed.push(runId);
  }
  for (const mirror of await listMirrors(deps.dataDir)) {
    await withRepoLock(lockPathOf(mirror), () => tidyMirror(mirror, deps), { timeoutMs: deps.lockTimeoutMs });
  }
  if (removed.length > 0) deps.log.info({ removed }, 'stale workspaces removed');
  return removed;
}
