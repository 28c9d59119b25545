import { GitError } from '../../integrations/git/git-error.ts';
import type { RepoOnDisk } from './repo-on-disk.ts';

export type TreeMerge =
  | { ok: true; tree: string }
  | { ok: false; conflicts: string[] }
  | { ok: false; unrelated: true; message: string };

/**
 * git's own three-way merge (ort), in the object store only: no index, no working tree, nothing
 * of the repository's checkout touched. git ≥ 2.38; it finds the merge base of `ours` and `theirs`
 * itself. Exit 1 is a conflict: the paths follow the tree id (`--name-only -z`).
 */
export async function mergeTrees(repo: RepoOnDisk, ours: string, theirs: string): Promise<TreeMerge> {
  let result;
  try {
    result = await repo.run(['merge-tree', '--write-tree', '--name-only', '--no-messages', '-z', ours, theirs], { okExitCodes: [1] });
  } catch (error) {
    const stderr = error instanceof GitError ? (error.stderr ?? '') : '';
    if (/unrelated histories/i.test(stderr)) return { ok: false, unrelated: true, message: stderr.trim() };
    if (/unknown option|usage: git merge-tree/i.test(stderr)) {
      throw new GitError('git_failed', 'the local code host merges with `git merge-tree --write-tree`, which needs git 2.38 or later; upgrade git', { cause: error });
    }
    throw error;
  }
  const [tree = '', ...rest] = result.stdout.split('\0');
  if (result.exitCode === 0) return { ok: true, tree: tree.trim() };
  const end = rest.indexOf('');
  const conflicts = [...new Set(end === -1 ? rest : rest.slice(0, end))];
  return { ok: false, conflicts };
}
