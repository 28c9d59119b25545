import { assertPushableBranch } from './assert-pushable-branch.ts';
import type { GitRunner } from './create-git-runner.ts';
import { GitError } from './git-error.ts';
import type { Workspace } from './workspace.ts';
import type { Logger } from '../../logger.ts';

export interface PushOptions {
  /** The commit the remote branch must still point at for this push to replace it (a revision after an amend or rebase). */
  forceWithLease?: string;
}

export interface PushDeps {
  git: GitRunner;
  log: Logger;
  protectedBranches: readonly string[];
}

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

function classify(error: unknown, branch: string): unknown {
  if (!(error instanceof GitError) || error.code !== 'git_failed') return error;
  const stderr = error.stderr ?? '';
  const details = { command: error.command, stderr, exitCode: error.exitCode, cause: error };
  if (stderr.includes('(stale info)')) {
    return new GitError('push_stale_lease', `the remote ${branch} is not at the expected commit any more; refusing to overwrite it`, details);
  }
  if (/\((non-fast-forward|fetch first)\)/.test(stderr)) {
    return new GitError('push_rejected', `the remote ${branch} has commits this push would overwrite`, details);
  }
  return error;
}

/**
 * Pushes the workspace's branch to the same name on the remote, and only that: the guard runs first,
 * the refspec is explicit and fully qualified, and a revision replaces only the commit it was given.
 */
export async function pushBranch(workspace: Workspace, options: PushOptions, deps: PushDeps): Promise<{ branch: string; sha: string }> {
  const { branch, repo } = workspace;
  assertPushableBranch(branch, { baseBranch: repo.baseBranch, protectedBranches: deps.protectedBranches });
  const ref = `refs/heads/${branch}`;
  const lease = options.forceWithLease;
  if (lease !== undefined && !SHA.test(lease)) {
    throw new GitError('invalid_input', `force-with-lease needs a full commit sha, got ${JSON.stringify(lease)}`);
  }
  const sha = (await deps.git.local(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], workspace.path)).trim();
  // --no-verify: a pre-push hook is code from the checkout, and this process holds the token.
  const args = ['push', '--quiet', '--no-verify', ...(lease ? [`--force-with-lease=${ref}:${lease}`] : []), repo.cloneUrl, `${ref}:${ref}`];
  try {
    await deps.git.remote(args, workspace.path, repo.cloneUrl);
  } catch (error) {
    throw classify(error, branch);
  }
  deps.log.info({ runId: workspace.runId, branch, sha, revision: lease !== undefined }, 'branch pushed');
  return { branch, sha };
}
