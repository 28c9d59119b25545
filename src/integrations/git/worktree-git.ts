import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GitError } from './git-error.ts';
import type { MirrorDeps } from './sync-mirror.ts';
import { mirrorPathOf, type Workspace } from './workspace.ts';

/** git in a run's worktree, with the repository named rather than discovered. */
export type WorktreeGit = (args: string[]) => Promise<string>;

/**
 * The worktree's `.git` file is writable by whatever ran in the sandbox: pointed at a repository of
 * its own making, its config (a filter driver's `clean` command, say) would run on the host when
 * Baton commits. So the worktree's admin directory is found from the mirror's side (each
 * `worktrees/<id>/gitdir` names the worktree it serves) and passed to git explicitly.
 */
export async function worktreeGit(workspace: Workspace, deps: MirrorDeps): Promise<WorktreeGit> {
  const adminRoot = join(mirrorPathOf(deps.dataDir, workspace.repo), 'worktrees');
  const expected = join(workspace.path, '.git');
  let gitDir: string | undefined;
  for (const id of await readdir(adminRoot).catch(() => [] as string[])) {
    const named = await readFile(join(adminRoot, id, 'gitdir'), 'utf8').catch(() => '');
    if (named.trim() === expected) {
      gitDir = join(adminRoot, id);
      break;
    }
  }
  if (!gitDir) throw new GitError('invalid_input', `workspace ${workspace.runId} is not a worktree of the ${workspace.repo.owner}/${workspace.repo.name} mirror`);
  const dir = gitDir;
  return (args) => deps.git.local([`--git-dir=${dir}`, `--work-tree=${workspace.path}`, ...args], workspace.path);
}

/** Pathspecs that mean exactly these paths (no globbing), in batches that fit a command line. */
export function literalPathspecBatches(paths: readonly string[], size = 200): string[][] {
  const batches: string[][] = [];
  for (let i = 0; i < paths.length; i += size) batches.push(paths.slice(i, i + size).map((p) => `:(literal)${p}`));
  return batches;
}
