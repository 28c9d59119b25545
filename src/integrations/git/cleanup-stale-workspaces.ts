import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { BRANCH_PREFIX } from './branch-name.ts';
import { removeWorktree, type WorktreeDeps } from './remove-worktree.ts';
import { withRepoLock } from './with-repo-lock.ts';
import { lockPathOf, workspacesDirOf } from './workspace.ts';
import { readBranchMarker } from './worktree-branch-marker.ts';

/**
 * The active runs' ids, or how to read them. Read as a function, it is asked after the workspaces
 * (and each mirror's worktrees) are listed: every workspace listed then belongs to a run inserted
 * before the read, so one not in it has ended (ended runs never come back). A list read before the
 * call misses a run created meanwhile, whose fresh workspace would then be removed as stale.
 */
export type ActiveRunIds = Iterable<string> | (() => Promise<Iterable<string>>);

async function readActive(source: ActiveRunIds): Promise<Set<string>> {
  return new Set(typeof source === 'function' ? await source() : source);
}

async function listDir(path: string): Promise<string[]> {
  return readdir(path).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []; // nothing created yet
    throw error;
  });
}

async function readOrEmpty(path: string): Promise<string> {
  return readFile(path, 'utf8').catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return '';
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

/** A worktree's admin directory in the mirror and the run whose workspace it is, if it is one. */
interface AdminDir {
  gitDir: string;
  runId: string | undefined;
}

/** The mirror's worktrees as its admin directories record them (`gitdir` names the worktree's `.git`). */
async function adminDirs(mirror: string, workspacesDir: string): Promise<AdminDir[]> {
  const dirs: AdminDir[] = [];
  for (const name of await listDir(join(mirror, 'worktrees'))) {
    const gitDir = join(mirror, 'worktrees', name);
    const worktree = dirname((await readOrEmpty(join(gitDir, 'gitdir'))).trim());
    dirs.push({ gitDir, runId: dirname(worktree) === workspacesDir ? basename(worktree) : undefined });
  }
  return dirs;
}

/**
 * The branches a worktree is known to be on, even detached: the marker written when it was made,
 * HEAD when attached, and the branch a rebase interrupted by a crash would return to.
 */
async function branchesOf(gitDir: string): Promise<string[]> {
  const named = [await readBranchMarker(gitDir)];
  for (const file of ['HEAD', 'rebase-merge/head-name', 'rebase-apply/head-name']) {
    const ref = (await readOrEmpty(join(gitDir, file))).trim().replace(/^ref: /, '');
    if (ref.startsWith(`refs/heads/${BRANCH_PREFIX}`)) named.push(ref.slice('refs/heads/'.length));
  }
  return named.filter((b): b is string => b !== undefined);
}

/**
 * Prunes worktrees git still lists but whose directory is gone, and deletes the baton/* branches
 * no worktree holds and no active run's workspace names. An active run's worktree is detached on
 * purpose while the base suite runs (prove-change); its branch must outlive that.
 */
async function tidyMirror(mirror: string, activeRuns: ActiveRunIds, deps: WorktreeDeps): Promise<void> {
  await deps.git.local(['worktree', 'prune'], mirror);
  const worktrees = await deps.git.local(['worktree', 'list', '--porcelain'], mirror);
  const keep = new Set(
    worktrees
      .split('\n')
      .filter((line) => line.startsWith('branch refs/heads/'))
      .map((line) => line.slice('branch refs/heads/'.length)),
  );
  const branches = await deps.git.local(['for-each-ref', '--format=%(refname:short)', `refs/heads/${BRANCH_PREFIX}`], mirror);
  // Read after the listings, under the lock that worktree creation takes: fresh for what they show.
  const active = await readActive(activeRuns);
  for (const { gitDir, runId } of await adminDirs(mirror, workspacesDirOf(deps.dataDir))) {
    if (runId === undefined || !active.has(runId)) continue;
    const named = await branchesOf(gitDir);
    if (named.length === 0) {
      // Made before markers, and detached now: which branch is its cannot be told, so none goes.
      deps.log.warn({ mirror, runId }, 'an active run’s worktree names no branch; its mirror’s branches are left for the next start-up');
      return;
    }
    for (const branch of named) keep.add(branch);
  }
  const orphans = branches.split('\n').filter((b) => b && !keep.has(b));
  if (orphans.length > 0) await deps.git.local(['branch', '--quiet', '-D', ...orphans], mirror);
}

/**
 * At start-up: removes every workspace whose run is not active (a crash or a lost job left it),
 * then tidies each mirror. Returns the run ids whose workspaces were removed.
 */
export async function cleanupStaleWorkspaces(activeRuns: ActiveRunIds, deps: WorktreeDeps): Promise<string[]> {
  const dir = workspacesDirOf(deps.dataDir);
  const removed: string[] = [];
  const entries = await listDir(dir);
  const active = await readActive(activeRuns);
  for (const runId of entries) {
    if (active.has(runId)) continue;
    await removeWorktree(join(dir, runId), deps);
    removed.push(runId);
  }
  for (const mirror of await listMirrors(deps.dataDir)) {
    await withRepoLock(lockPathOf(mirror), () => tidyMirror(mirror, activeRuns, deps), { timeoutMs: deps.lockTimeoutMs });
  }
  if (removed.length > 0) deps.log.info({ removed }, 'stale workspaces removed');
  return removed;
}
