import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { BRANCH_PREFIX } from './branch-name.ts';
import type { MirrorDeps } from './sync-mirror.ts';
import { withRepoLock } from './with-repo-lock.ts';
import { lockPathOf } from './workspace.ts';

export interface WorktreeDeps extends MirrorDeps {
  lockTimeoutMs: number;
}

async function readIfExists(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return undefined;
    throw error;
  });
}

/**
 * The worktree's admin directory inside a mirror of ours, read from its `.git` file. Undefined when
 * the directory is not a worktree of a mirror under dataDir: then git is not pointed at it at all.
 */
export async function worktreeGitDir(path: string, dataDir: string): Promise<string | undefined> {
  const dotGit = await readIfExists(join(path, '.git'));
  const match = dotGit ? /^gitdir: (.+)$/m.exec(dotGit) : null;
  if (!match) return undefined;
  const gitDir = resolve(path, match[1]!.trim());
  const mirrors = resolve(dataDir, 'mirrors') + sep;
  if (!gitDir.startsWith(mirrors) || basename(dirname(gitDir)) !== 'worktrees') return undefined;
  return gitDir;
}

/** Removes a run's worktree and its local branch (a pushed branch lives on in the remote). */
export async function removeWorktree(path: string, deps: WorktreeDeps): Promise<void> {
  if (!existsSync(path)) return;
  const gitDir = await worktreeGitDir(path, deps.dataDir);
  const mirror = gitDir && dirname(dirname(gitDir));
  if (!gitDir || !mirror || !existsSync(mirror)) {
    deps.log.warn({ path }, 'workspace is not a worktree of a known mirror; deleting the directory');
    await rm(path, { recursive: true, force: true });
    return;
  }
  await withRepoLock(
    lockPathOf(mirror),
    async () => {
      const head = (await readIfExists(join(gitDir, 'HEAD')))?.trim() ?? '';
      const branch = head.startsWith('ref: refs/heads/') ? head.slice('ref: refs/heads/'.length) : undefined;
      await deps.git.local(['worktree', 'remove', '--force', '--force', path], mirror).catch(async (error: unknown) => {
        // A worktree whose admin directory is gone is no longer one to git: delete it by hand.
        deps.log.warn({ path, err: error }, 'git could not remove the worktree; deleting the directory');
        await rm(path, { recursive: true, force: true });
        await deps.git.local(['worktree', 'prune'], mirror);
      });
      if (branch?.startsWith(BRANCH_PREFIX)) {
        await deps.git.local(['branch', '--quiet', '-D', branch], mirror).catch((error: unknown) => {
          deps.log.warn({ branch, err: error }, 'could not delete the run’s local branch; start-up cleanup retries');
        });
      }
      deps.log.info({ path, branch }, 'workspace removed');
    },
    { timeoutMs: deps.lockTimeoutMs },
  );
}
