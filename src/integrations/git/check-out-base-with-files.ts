import type { MirrorDeps } from './sync-mirror.ts';
import type { Workspace } from './workspace.ts';
import { literalPathspecBatches, worktreeGit } from './worktree-git.ts';

/**
 * Puts the worktree at the base commit (HEAD detached, the branch untouched) with only `paths`
 * taken from `sha`: SWE-bench's FAIL_TO_PASS setup, the change's tests without its fix. Ignored
 * files (installed dependencies) stay. restoreHead undoes it.
 */
export async function checkOutBaseWithFiles(workspace: Workspace, sha: string, paths: readonly string[], deps: MirrorDeps): Promise<void> {
  const git = await worktreeGit(workspace, deps);
  await git(['checkout', '--force', '--quiet', '--detach', workspace.baseSha, '--']);
  for (const batch of literalPathspecBatches(paths)) await git(['checkout', '--quiet', sha, '--', ...batch]);
}
