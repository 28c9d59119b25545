import type { GitRunner } from './create-git-runner.ts';
import { GitError } from './git-error.ts';
import { COMMIT_SHA, type GitRepo } from './workspace.ts';

/**
 * The commit `ref` points at on the remote now, or undefined if the remote has no such ref (GitHub
 * deletes a merged PR's head branch when "Automatically delete head branches" is on).
 * Credentialed like fetch and push: call it holding the repository's lock.
 */
export async function readRemoteRef(repo: GitRepo, ref: string, mirror: string, git: GitRunner): Promise<string | undefined> {
  const stdout = await git.remote(['ls-remote', repo.cloneUrl, ref], mirror, repo.cloneUrl);
  // ls-remote matches patterns by their tail (refs/heads/x also matches refs/remotes/o/refs/heads/x),
  // so only the exact name counts.
  const line = stdout.split('\n').find((l) => l.split('\t')[1] === ref);
  if (line === undefined) return undefined;
  const sha = line.split('\t')[0]!;
  if (!COMMIT_SHA.test(sha)) throw new GitError('git_failed', `git ls-remote reported ${JSON.stringify(sha)} for ${ref}, not a commit sha`, { stdout });
  return sha;
}
