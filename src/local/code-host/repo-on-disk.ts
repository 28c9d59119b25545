import type { GitResult, GitRun, LocalGit } from './local-git.ts';

/** The git verbs the local code host needs, in one repository on disk. */
export interface RepoOnDisk {
  readonly path: string;
  run(args: string[], extra?: Omit<GitRun, 'cwd'>): Promise<GitResult>;
  /** stdout, trimmed. */
  out(args: string[]): Promise<string>;
  /** The commit `refs/heads/<branch>` points at, or undefined when there is no such branch. */
  branchSha(branch: string): Promise<string | undefined>;
  /** Whether `ancestor` is `descendant` or one of its ancestors. */
  isAncestor(ancestor: string, descendant: string): Promise<boolean>;
}

export function repoOnDisk(git: LocalGit, path: string): RepoOnDisk {
  const run = (args: string[], extra: Omit<GitRun, 'cwd'> = {}): Promise<GitResult> => git(args, { ...extra, cwd: path });
  return {
    path,
    run,
    out: async (args) => (await run(args)).stdout.trim(),
    async branchSha(branch) {
      // `--` ends the revisions, so a branch named like an option is only ever a name.
      const { stdout, exitCode } = await run(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`, '--'], { okExitCodes: [1] });
      return exitCode === 0 ? stdout.trim().split('\n')[0] : undefined;
    },
    async isAncestor(ancestor, descendant) {
      return (await run(['merge-base', '--is-ancestor', ancestor, descendant], { okExitCodes: [1] })).exitCode === 0;
    },
  };
}
