import { GitError } from './git-error.ts';

/**
 * What `git push` is told about the remote branch: it must still be at `expected`, or must not
 * exist (`'absent'`), or nothing (a plain push, which git refuses when it is not a fast-forward).
 */
export type Lease = { expected: string } | 'absent' | undefined;

export interface LeaseFacts {
  branch: string;
  /** Where the remote branch is, read under the repository lock just before the push; undefined: it does not exist. */
  remote: string | undefined;
  /** The commit Baton last pushed to this branch (this run or an earlier run of the ticket), if any. */
  lastPushed: string | undefined;
  /** The commit about to be pushed. */
  head: string;
}

/**
 * Baton replaces only what it pushed itself. The lease is still passed to git, so a push by someone
 * else between the look and the push is refused by git rather than overwritten.
 */
export function chooseLease({ branch, remote, lastPushed, head }: LeaseFacts): Lease {
  // Deleted since (the earlier PR was merged or closed and GitHub removed its head branch), or never
  // pushed: recreate it, and only if it still does not exist when the push lands.
  if (remote === undefined) return 'absent';
  // The remote already has this very commit: an earlier attempt pushed it but its run was not updated.
  if (remote === lastPushed || remote === head) return { expected: remote };
  if (lastPushed === undefined) return undefined;
  throw new GitError(
    'push_stale_lease',
    `the remote ${branch} is at ${remote}, not at ${lastPushed} where Baton last pushed it; someone else pushed to it, so Baton will not overwrite it`,
  );
}
