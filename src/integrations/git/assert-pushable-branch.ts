import { BRANCH_PREFIX } from './branch-name.ts';
import { GitError } from './git-error.ts';
import { refFormatProblem } from './ref-format-problem.ts';

export interface PushPolicy {
  baseBranch: string;
  /** Refused on top of the base branch and the ALWAYS_PROTECTED names. */
  protectedBranches?: readonly string[];
}

export const ALWAYS_PROTECTED = ['main', 'master', 'HEAD'];

function refusalReason(branch: string, policy: PushPolicy): string | undefined {
  if (typeof branch !== 'string' || branch.length === 0) return 'the branch name is empty';
  if (branch.startsWith('-')) return 'it starts with "-"';
  const protectedNames = [...ALWAYS_PROTECTED, policy.baseBranch, ...(policy.protectedBranches ?? [])];
  const bare = branch.replace(/^refs\/heads\//, '').toLowerCase();
  // Case-folded: on a case-insensitive file system `Main` and `main` are one ref.
  if (protectedNames.some((name) => name.toLowerCase() === bare)) return 'it is the base branch or a protected branch';
  if (!branch.startsWith(BRANCH_PREFIX) || branch.length === BRANCH_PREFIX.length) {
    return `Baton only pushes branches under ${BRANCH_PREFIX}`;
  }
  return refFormatProblem(branch);
}

/** The guard every push passes: only well-formed `baton/*` branches that are not protected. */
export function assertPushableBranch(branch: string, policy: PushPolicy): void {
  const reason = refusalReason(branch, policy);
  if (reason) throw new GitError('push_refused', `refusing to push ${JSON.stringify(branch)}: ${reason}`);
}
