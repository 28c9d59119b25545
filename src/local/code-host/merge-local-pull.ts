import { localPullByNumber, markLocalPullMerged, setLocalPullHead, setPendingMerge, type LocalPull } from '../../db/local-pull-requests.ts';
import type { Pool } from '../../db/pool.ts';
import type { MergeMethod, MergeOutcome, MergeRefusal } from '../../domain/pull-request.ts';
import { BRANCH_PREFIX } from '../../integrations/git/branch-name.ts';
import { GitError } from '../../integrations/git/git-error.ts';
import { refFormatProblem } from '../../integrations/git/ref-format-problem.ts';
import type { MergeApprovedInput } from '../../integrations/github/create-github-client.ts';
import { GitHubError } from '../../integrations/github/github-error.ts';
import type { Logger } from '../../logger.ts';
import { buildMergeCommit } from './build-merge-commit.ts';
import { checkoutsCanMove, checkoutsOf, moveCheckouts } from './checked-out-base.ts';
import type { LocalGit } from './local-git.ts';
import { repoOnDisk, type RepoOnDisk } from './repo-on-disk.ts';

/** GitHubClient's merge input, plus who merged (the approver) for the pull request's page. */
export type LocalMergeApprovedInput = MergeApprovedInput & { mergedBy?: string };

export interface LocalMergeDeps {
  pool: Pool;
  git: LocalGit;
  log: Logger;
  /** Recorded as merged_by when the caller names no one: the account that merged, as on GitHub. */
  defaultMerger: string;
}

const METHODS: readonly MergeMethod[] = ['merge', 'squash', 'rebase'];
// A base that keeps moving under the merge (another merge, a person committing) is tried again, as
// GitHub retries "Base branch was modified"; past this the approver retries.
const ATTEMPTS = 3;
const short = (sha: string): string => sha.slice(0, 7);
const refuse = (reason: MergeRefusal, message: string): MergeOutcome => ({ merged: false, reason, message });

/**
 * A real merge into the base branch of the repository at `path`, of the approved SHA only, from a
 * baton/* branch only. Each refusal is a sentence for the approver, like GitHub's (merge-approved.ts).
 * The merge commit is recorded as pending before the branch moves, so a merge that crashed after
 * moving it is found done, not done twice. The branch moves by one git transaction that also
 * verifies the head branch is still at the approved SHA (compare-and-swap on both refs).
 */
export async function mergeLocalPull(key: string, path: string, input: LocalMergeApprovedInput, deps: LocalMergeDeps): Promise<MergeOutcome> {
  const repo = repoOnDisk(deps.git, path);
  const name = `PR #${input.number}`;
  const mergedBy = input.mergedBy ?? deps.defaultMerger;
  if (!METHODS.includes(input.method)) return refuse('method_not_allowed', `${name} cannot be merged with the ${String(input.method)} method: only merge, squash and rebase exist.`);
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    let pull = await localPullByNumber(deps.pool, key, input.number);
    if (!pull) throw new GitHubError('not_found', `${key} has no local pull request #${input.number}`, { status: 404 });
    pull = await settleLandedMerge(repo, pull, mergedBy, deps);
    const early = await refusal(repo, pull, input.approvedSha, deps);
    if (early) return early;
    const head = input.approvedSha;
    const base = await repo.branchSha(pull.baseRef);
    if (!base) return refuse('not_mergeable', `${name} cannot be merged: ${path} has no branch ${pull.baseRef} to merge into.`);
    if (await repo.isAncestor(head, base)) {
      // Merged by hand (or pushed into the base): the change is there; say so as GitHub would.
      const marked = await markLocalPullMerged(deps.pool, pull.id, { mergeSha: head, headSha: head, mergedBy });
      deps.log.info({ repo: key, pr: pull.number, head }, 'local pull request found already in its base branch');
      return { merged: true, sha: marked?.mergeSha ?? head, alreadyMerged: true };
    }
    const built = await buildMergeCommit(repo, { method: input.method, base, head, ...(await commitText(repo, pull, input, base)) });
    if (!built.ok) {
      if ('conflicts' in built) {
        const files = built.conflicts.length > 0 ? ` (${listed(built.conflicts)})` : '';
        return refuse('conflicts', `${name} has conflicts with ${pull.baseRef}${files}; the branch must be rebased, and the new head approved.`);
      }
      return refuse('not_mergeable', `${name} cannot be merged with the ${input.method} method: ${built.problem}.`);
    }
    const checkouts = await checkoutsOf(repo, pull.baseRef);
    const verdict = await checkoutsCanMove(deps.git, checkouts, base, built.sha);
    if (!verdict.ok) return refuse('not_mergeable', `${name} was not merged: ${verdict.message}.`);
    if (!(await setPendingMerge(deps.pool, pull.id, { expected: pull.pendingMergeSha, mergeSha: built.sha, headSha: head }))) continue;
    if (!(await moveBase(repo, pull, head, base, built.sha))) continue;
    const marked = await markLocalPullMerged(deps.pool, pull.id, { mergeSha: built.sha, headSha: head, mergedBy });
    if (!marked) deps.log.warn({ repo: key, pr: pull.number }, 'the local pull request changed state while it was merged; the merge stands');
    await moveCheckouts(deps.git, checkouts, base, built.sha, verdict.dirty, deps.log);
    deps.log.info({ repo: key, pr: pull.number, method: input.method, head, base, merge: built.sha }, 'local pull request merged');
    return { merged: true, sha: built.sha, alreadyMerged: false };
  }
  return refuse('not_mergeable', `${name} was not merged: its base branch kept moving while Baton merged it; retry.`);
}

/** The reasons not to merge that need no merge computed. */
async function refusal(repo: RepoOnDisk, pull: LocalPull, approvedSha: string, deps: LocalMergeDeps): Promise<MergeOutcome | undefined> {
  const name = `PR #${pull.number}`;
  if (pull.state === 'merged') {
    // A merge job that ran twice finds its own work done.
    if (pull.headSha === approvedSha && pull.mergeSha) return { merged: true, sha: pull.mergeSha, alreadyMerged: true };
    return refuse('closed', `${name} was already merged at ${short(pull.headSha)}, not at the approved ${short(approvedSha)}.`);
  }
  if (pull.state === 'closed') return refuse('closed', `${name} is closed; Baton merges only open pull requests.`);
  if (!pull.headRef.startsWith(BRANCH_PREFIX) || pull.headRef === BRANCH_PREFIX || refFormatProblem(pull.headRef) || pull.headRef === pull.baseRef) {
    return refuse('not_mergeable', `${name} is from ${pull.headRef}; Baton merges only its own ${BRANCH_PREFIX}* branches.`);
  }
  const current = await repo.branchSha(pull.headRef);
  if (!current) return refuse('not_mergeable', `${name} cannot be merged: its branch ${pull.headRef} no longer exists in ${repo.path}.`);
  if (current !== pull.headSha) await setLocalPullHead(deps.pool, pull.id, current);
  if (current !== approvedSha) {
    return refuse('head_moved', `The head of ${name} moved since it was approved (approved ${short(approvedSha)}, now ${short(current)}); the new head needs its own approval.`);
  }
  return undefined;
}

/** A merge written and put on the base branch by an earlier attempt that stopped before recording it. */
async function settleLandedMerge(repo: RepoOnDisk, pull: LocalPull, mergedBy: string, deps: LocalMergeDeps): Promise<LocalPull> {
  if (pull.state !== 'open' || !pull.pendingMergeSha || !pull.pendingHeadSha) return pull;
  const base = await repo.branchSha(pull.baseRef);
  if (!base || !(await repo.isAncestor(pull.pendingMergeSha, base))) return pull;
  const marked = await markLocalPullMerged(deps.pool, pull.id, { mergeSha: pull.pendingMergeSha, headSha: pull.pendingHeadSha, mergedBy });
  deps.log.info({ repo: pull.repo, pr: pull.number, merge: pull.pendingMergeSha }, 'an earlier merge of this local pull request had landed; recorded');
  return marked ?? (await localPullByNumber(deps.pool, pull.repo, pull.number)) ?? pull;
}

/**
 * One ref transaction: the base moves from `from` to `to` only if it is still at `from` and the
 * head branch is still at the approved SHA. False when either moved (the caller looks again).
 */
async function moveBase(repo: RepoOnDisk, pull: LocalPull, head: string, from: string, to: string): Promise<boolean> {
  const input = `verify refs/heads/${pull.headRef} ${head}\nupdate refs/heads/${pull.baseRef} ${to} ${from}\n`;
  try {
    await repo.run(['update-ref', '-m', `baton: merge PR #${pull.number} from ${pull.headRef}`, '--stdin'], { input });
    return true;
  } catch (error) {
    if (!(error instanceof GitError) || error.code !== 'git_failed') throw error;
    const [headNow, baseNow] = [await repo.branchSha(pull.headRef), await repo.branchSha(pull.baseRef)];
    if (headNow !== head || baseNow !== from) return false;
    throw error;
  }
}

/** GitHub's default texts when the caller gives none: "Merge pull request #n from …" or "Title (#n)". */
async function commitText(repo: RepoOnDisk, pull: LocalPull, input: LocalMergeApprovedInput, base: string): Promise<{ title: string; message: string }> {
  if (input.method === 'merge') {
    return { title: input.commitTitle ?? `Merge pull request #${pull.number} from ${pull.headRef}`, message: input.commitMessage ?? pull.title };
  }
  if (input.method === 'rebase') return { title: '', message: '' }; // each commit keeps its own
  const subjects = input.commitMessage ?? (await repo.out(['log', '--reverse', '--format=* %s', `${base}..${input.approvedSha}`]));
  return { title: input.commitTitle ?? `${pull.title} (#${pull.number})`, message: subjects };
}

function listed(items: string[]): string {
  return items.length > 5 ? `${items.slice(0, 5).join(', ')} and ${items.length - 5} more` : items.join(', ');
}
