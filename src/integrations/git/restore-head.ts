import { GitError } from './git-error.ts';
import type { MirrorDeps } from './sync-mirror.ts';
import type { Workspace } from './workspace.ts';
import { literalPathspecBatches, worktreeGit } from './worktree-git.ts';

/** Untracked files git would commit (not ignored), repository-relative. */
export async function untrackedFiles(workspace: Workspace, deps: MirrorDeps): Promise<string[]> {
  const git = await worktreeGit(workspace, deps);
  return (await git(['ls-files', '-z', '--others', '--exclude-standard', '--', ':/'])).split('\0').filter(Boolean);
}

/**
 * Back on the run's branch with every tracked file as committed, and untracked files that were not
 * there before (`keep`: what existed when the checks began, such as an un-ignored install output)
 * removed: whatever a test run or the base checkout left. Ignored files stay. Returns the head.
 */
export async function restoreHead(workspace: Workspace, keep: readonly string[], deps: MirrorDeps): Promise<string> {
  const git = await worktreeGit(workspace, deps);
  await git(['checkout', '--force', '--quiet', workspace.branch, '--']);
  const kept = new Set(keep);
  const stray = (await untrackedFiles(workspace, deps)).filter((p) => !kept.has(p));
  for (const batch of literalPathspecBatches(stray)) await git(['clean', '--force', '--quiet', '--', ...batch]);
  const head = (await git(['symbolic-ref', '--quiet', 'HEAD']).catch(() => '')).trim();
  if (head !== `refs/heads/${workspace.branch}`) {
    throw new GitError('workspace_dirty', `workspace ${workspace.runId} did not return to ${workspace.branch} (HEAD is ${head || 'detached'})`);
  }
  return (await git(['rev-parse', '--verify', 'HEAD^{commit}'])).trim();
}
