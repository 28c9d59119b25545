import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BRANCH_PREFIX } from './branch-name.ts';

// git ignores files it does not know in a worktree's admin directory and deletes the directory
// with the worktree (`worktree remove`, `worktree prune`), so the marker lives exactly as long.
const MARKER = 'baton-branch';

/**
 * Records in the worktree's admin directory (`<mirror>/worktrees/<name>`) which branch is the
 * run's. While the worktree is detached (prove-change checks out the base for the base suite) git
 * names no branch for it, and start-up cleanup would otherwise take the branch for an orphan.
 */
export async function writeBranchMarker(gitDir: string, branch: string): Promise<void> {
  await writeFile(join(gitDir, MARKER), `${branch}\n`);
}

/** The run's branch recorded by writeBranchMarker; undefined when there is none (a worktree made before markers). */
export async function readBranchMarker(gitDir: string): Promise<string | undefined> {
  const text = await readFile(join(gitDir, MARKER), 'utf8').catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  });
  const branch = text?.trim();
  return branch?.startsWith(BRANCH_PREFIX) ? branch : undefined;
}
