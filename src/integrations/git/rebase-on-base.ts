import type { WorktreeDeps } from './remove-worktree.ts';
import { GitError } from './git-error.ts';
import { syncMirror } from './sync-mirror.ts';
import { withRepoLock } from './with-repo-lock.ts';
import { baseRefOf, lockPathOf, mirrorPathOf, type Workspace } from './workspace.ts';

export interface RebaseResult {
  workspace: Workspace;
  /** False when the base branch had not moved. */
  rebased: boolean;
}

async function conflictedFiles(workspace: Workspace, deps: WorktreeDeps): Promise<string[]> {
  const out = await deps.git.local(['diff', '--name-only', '--diff-filter=U', '-z'], workspace.path);
  return out.split('\0').filter(Boolean);
}

/**
 * Fetches the base branch and replays the run's commits on it if it moved. On a conflict the rebase
 * is aborted, so the worktree is as it was, and a `rebase_conflict` error names the files.
 */
export async function rebaseOnBase(workspace: Workspace, deps: WorktreeDeps): Promise<RebaseResult> {
  const lock = lockPathOf(mirrorPathOf(deps.dataDir, workspace.repo));
  return withRepoLock(
    lock,
    async () => {
      const { baseSha } = await syncMirror(workspace.repo, deps);
      if (baseSha === workspace.baseSha) return { workspace, rebased: false };
      // --ignore-submodules: a populated submodule would get a `git status` of its own, under its own
      // config (a filter driver there runs on the host); Baton never commits submodules anyway.
      const status = await deps.git.local(['status', '--porcelain', '--untracked-files=no', '--ignore-submodules=all'], workspace.path);
      if (status.trim()) {
        throw new GitError('workspace_dirty', `workspace ${workspace.runId} has uncommitted changes; commit them before rebasing`);
      }
      try {
        await deps.git.local(['rebase', '--quiet', '--no-autostash', baseRefOf(workspace.repo)], workspace.path);
      } catch (error) {
        const files = await conflictedFiles(workspace, deps);
        await deps.git.local(['rebase', '--abort'], workspace.path).catch((abortError: unknown) => {
          deps.log.error({ runId: workspace.runId, err: abortError }, 'rebase --abort failed; the workspace may be mid-rebase');
        });
        if (files.length === 0) throw error;
        throw new GitError(
          'rebase_conflict',
          `${workspace.branch} conflicts with ${workspace.repo.baseBranch} in ${files.join(', ')}`,
          { files, cause: error },
        );
      }
      deps.log.info({ runId: workspace.runId, from: workspace.baseSha, to: baseSha }, 'workspace rebased on the moved base');
      return { workspace: { ...workspace, baseSha }, rebased: true };
    },
    { timeoutMs: deps.lockTimeoutMs },
  );
}
