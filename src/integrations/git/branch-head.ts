import type { MirrorDeps } from './sync-mirror.ts';
import type { Workspace } from './workspace.ts';
import { worktreeGit } from './worktree-git.ts';

/** The commit the run's branch points at. */
export async function branchHead(workspace: Workspace, deps: MirrorDeps): Promise<string> {
  const git = await worktreeGit(workspace, deps);
  return (await git(['rev-parse', '--verify', `refs/heads/${workspace.branch}^{commit}`])).trim();
}
