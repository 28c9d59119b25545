import type { MirrorDeps } from './sync-mirror.ts';
import type { Workspace } from './workspace.ts';
import { worktreeGit } from './worktree-git.ts';

/**
 * The unified diff of the run's branch head against the commit it started from, with renames
 * found, in a form parseUnifiedDiff reads whatever the configuration says: no colour, no external
 * diff program or textconv filter (both would run programs on the host), fixed a/ b/ prefixes.
 */
export async function diffAgainstBase(workspace: Workspace, deps: MirrorDeps): Promise<string> {
  const git = await worktreeGit(workspace, deps);
  return git([
    'diff', '--no-color', '--no-ext-diff', '--no-textconv', '--find-renames', '--no-relative',
    '--src-prefix=a/', '--dst-prefix=b/', workspace.baseSha, `refs/heads/${workspace.branch}`, '--',
  ]);
}
