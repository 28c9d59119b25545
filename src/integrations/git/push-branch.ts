import { assertPushableBranch } from './assert-pushable-branch.ts';
import { chooseLease, type Lease } from './choose-lease.ts';
import { GitError } from './git-error.ts';
import { parsePushPorcelain } from './parse-push-porcelain.ts';
import { readRemoteRef } from './read-remote-ref.ts';
import type { WorktreeDeps } from './remove-worktree.ts';
import { withRepoLock } from './with-repo-lock.ts';
import { COMMIT_SHA, lockPathOf, mirrorPathOf, type Workspace } from './workspace.ts';

export interface PushOptions {
  /**
   * The commit Baton last pushed to this branch, by this run or an earlier run of the ticket. The
   * push may replace that commit (a revision after an amend or rebase) or recreate the branch if it
   * was deleted since; a remote branch at any other commit is someone else's and is never replaced.
   */
  lastPushed?: string;
}

export interface PushDeps extends WorktreeDeps {
  protectedBranches: readonly string[];
}


function classify(error: unknown, branch: string): unknown {
  if (!(error instanceof GitError) || error.code !== 'git_failed') return error;
  // With --porcelain the reason of a rejection is on stdout; stderr only says that some refs failed.
  const output = `${error.stdout ?? ''}\n${error.stderr ?? ''}`;
  const details = { command: error.command, stderr: error.stderr, stdout: error.stdout, exitCode: error.exitCode, cause: error };
  if (output.includes('(stale info)')) {
    return new GitError('push_stale_lease', `the remote ${branch} changed between Baton's look and its push; refusing to overwrite it`, details);
  }
  if (/\((non-fast-forward|fetch first)\)/.test(output)) {
    return new GitError('push_rejected', `the remote ${branch} has commits this push would overwrite`, details);
  }
  return error;
}

const UPDATED = new Set([' ', '+', '*', '=']);

/** Succeeds only if git reports exactly `ref`, and as updated (or already there). */
function assertOnlyRefPushed(stdout: string, ref: string, command: string): void {
  const reported = parsePushPorcelain(stdout);
  const [only] = reported;
  if (reported.length === 1 && only!.to === ref && UPDATED.has(only!.flag)) return;
  const seen = reported.map((r) => `${r.flag} ${r.to} ${r.summary}`).join('; ') || 'no ref';
  throw new GitError('push_unexpected_refs', `pushing ${ref} reported ${seen}; expected that ref alone`, { command, stdout });
}

/**
 * Pushes the workspace's branch to the same name on the remote, and only that: the guard runs first,
 * the refspec is explicit and fully qualified, and it replaces only the commit Baton pushed there last.
 */
export async function pushBranch(workspace: Workspace, options: PushOptions, deps: PushDeps): Promise<{ branch: string; sha: string }> {
  const { branch, repo } = workspace;
  assertPushableBranch(branch, { baseBranch: repo.baseBranch, protectedBranches: deps.protectedBranches });
  const ref = `refs/heads/${branch}`;
  const { lastPushed } = options;
  if (lastPushed !== undefined && !COMMIT_SHA.test(lastPushed)) {
    throw new GitError('invalid_input', `the last pushed commit must be a full sha, got ${JSON.stringify(lastPushed)}`);
  }
  // From the mirror, not the worktree: the worktree's `.git` file, which the workspace can rewrite,
  // decides which repository (and so which config) git would use there. The branch is the mirror's too.
  const mirror = mirrorPathOf(deps.dataDir, repo);
  // --no-verify: a pre-push hook is code from the checkout, and this process holds the token.
  // --no-follow-tags and --no-recurse-submodules: push.followTags and push.recurseSubmodules can be
  // set from the workspace (a worktree's `git config` writes the shared mirror's config), and would
  // add the workspace's tags or its submodules' commits to the push.
  const pushArgs = (lease: Lease): string[] => [
    'push',
    '--porcelain',
    '--no-verify',
    '--no-follow-tags',
    '--no-recurse-submodules',
    // An empty expected value means the ref must not exist.
    ...(lease === undefined ? [] : [`--force-with-lease=${ref}:${lease === 'absent' ? '' : lease.expected}`]),
    repo.cloneUrl,
    `${ref}:${ref}`,
  ];
  const { sha, lease } = await withRepoLock(
    lockPathOf(mirror),
    async () => {
      const head = (await deps.git.local(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], mirror)).trim();
      const remote = await readRemoteRef(repo, ref, mirror, deps.git);
      const lease = chooseLease({ branch, remote, lastPushed, head });
      let stdout: string;
      try {
        stdout = await deps.git.remote(pushArgs(lease), mirror, repo.cloneUrl);
      } catch (error) {
        throw classify(error, branch);
      }
      // Whatever the flags and the config, trust only what git says it did.
      assertOnlyRefPushed(stdout, ref, `git push ${repo.cloneUrl} ${ref}:${ref}`);
      return { sha: head, lease };
    },
    { timeoutMs: deps.lockTimeoutMs },
  );
  const leaseLog = lease === undefined ? 'none' : lease === 'absent' ? 'absent' : lease.expected;
  deps.log.info({ runId: workspace.runId, branch, sha, lease: leaseLog }, 'branch pushed');
  return { branch, sha };
}
