import type { WorktreeGit } from './worktree-git.ts';

/**
 * Paths in the worktree that are other repositories: submodules (gitlinks in the index) and
 * repositories nested in untracked directories (`ls-files --others` lists them as `path/`).
 *
 * They matter because git, staging or checking the status of a worktree with a populated submodule,
 * runs `git status` inside it, and that git reads the submodule's own config: a filter driver named
 * there (`filter.x.process`) runs on the host, as Baton. Whatever ran in the sandbox can create such
 * a repository, or fill in a submodule directory the checkout left empty. Baton's commits therefore
 * leave them out; `ls-files` itself never looks inside them.
 */
export async function nestedRepositories(git: WorktreeGit): Promise<string[]> {
  const staged = (await git(['ls-files', '--stage', '-z', '--', ':/'])).split('\0').filter(Boolean);
  const gitlinks = staged.filter((entry) => entry.startsWith('160000 ')).map((entry) => entry.slice(entry.indexOf('\t') + 1));
  const untracked = (await git(['ls-files', '-z', '--others', '--exclude-standard', '--', ':/'])).split('\0');
  const embedded = untracked.filter((path) => path.endsWith('/')).map((path) => path.slice(0, -1));
  return [...gitlinks, ...embedded];
}

/** Pathspecs that leave these paths out of a command (no globbing in them). */
export function excludePathspecs(paths: readonly string[]): string[] {
  return paths.map((path) => `:(exclude,literal)${path}`);
}
