import type { Octokit } from '@octokit/rest';
import type { MergeMethod, MergeOutcome, MergeRefusal, RepoRef } from '../../domain/pull-request.ts';
import { GitHubError } from './github-error.ts';
import { pullRequestFromApi } from './pull-request-from-api.ts';
import { readCiStatus } from './read-ci-status.ts';

export interface MergeApprovedInput {
  repo: RepoRef;
  number: number;
  /** The head SHA the approval was given for; nothing else gets merged. */
  approvedSha: string;
  method: MergeMethod;
  /** Checks that must have reported (and passed) even if branch protection does not require them. */
  requiredChecks?: string[];
  /** Wait before retrying a merge GitHub refused because the base moved under it (times the attempt). */
  baseMovedDelayMs?: number;
  /**
   * The merge commit's subject and body (GitHub's `commit_title` / `commit_message`), e.g. to
   * record who approved and where. GitHub writes its own when left out, and ignores both for
   * `rebase`, which makes no merge commit.
   */
  commitTitle?: string;
  commitMessage?: string;
  /** Who approved (a Slack user id, or the policy): recorded by the local code host; GitHub records its own merger. */
  mergedBy?: string;
}

const BASE_MOVED_ATTEMPTS = 3;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const short = (sha: string): string => sha.slice(0, 7);
const refuse = (reason: MergeRefusal, message: string): MergeOutcome => ({ merged: false, reason, message });
const listed = (items: string[]): string => (items.length > 5 ? `${items.slice(0, 5).join(', ')} and ${items.length - 5} more` : items.join(', '));

/**
 * Merges the PR only at the approved SHA, with CI green. Each refusal is a sentence for the
 * approver. The checks here give the clear reasons; `sha` on the merge call is what makes a
 * head that moves in the meantime impossible to merge (GitHub answers 409).
 */
export async function mergeApproved(octokit: Octokit, input: MergeApprovedInput): Promise<MergeOutcome> {
  const { repo, number, approvedSha, baseMovedDelayMs = 1000 } = input;
  const { data } = await octokit.pulls.get({ owner: repo.owner, repo: repo.name, pull_number: number });
  const pr = pullRequestFromApi(data);
  const name = `PR #${number}`;

  if (pr.state === 'merged') {
    // A merge job that ran twice finds its own work done.
    if (pr.headSha === approvedSha && data.merge_commit_sha) return { merged: true, sha: data.merge_commit_sha, alreadyMerged: true };
    return refuse('closed', `${name} was already merged at ${short(pr.headSha)}, not at the approved ${short(approvedSha)}.`);
  }
  if (pr.state === 'closed') return refuse('closed', `${name} is closed; reopen it before merging.`);
  if (pr.headSha !== approvedSha) {
    return refuse('head_moved', `The head of ${name} moved since it was approved (approved ${short(approvedSha)}, now ${short(pr.headSha)}); the new head needs its own approval.`);
  }
  if (pr.draft) return refuse('not_mergeable', `${name} is still a draft; mark it ready for review first.`);
  if (pr.mergeable === false || pr.mergeableState === 'dirty') {
    return refuse('conflicts', `${name} has conflicts with ${pr.baseRef}; the branch must be rebased, and the new head approved.`);
  }

  const ci = await readCiStatus(octokit, repo, approvedSha, input.requiredChecks);
  if (ci.failing.length > 0) {
    const are = ci.failing.length === 1 ? '1 check is' : `${ci.failing.length} checks are`;
    return refuse('checks_failing', `${name} cannot be merged: ${are} failing on ${short(approvedSha)}: ${listed(ci.failing)}.`);
  }
  if (ci.pending.length > 0) {
    return refuse('checks_pending', `${name} is waiting for ${listed(ci.pending)} on ${short(approvedSha)}.`);
  }
  if (pr.mergeable === null) {
    // GitHub computes mergeability in the background after a push; asking (the GET above) starts it.
    return refuse('checks_pending', `GitHub is still working out whether ${name} can be merged; try again in a minute.`);
  }

  // "Base branch was modified" is GitHub losing a race with another merge into the base; the
  // same call (still pinned to the approved sha) goes through once the base settles.
  for (let attempt = 1; ; attempt += 1) {
    try {
      const { data: merge } = await octokit.pulls.merge({
        owner: repo.owner, repo: repo.name, pull_number: number, sha: approvedSha, merge_method: input.method,
        ...(input.commitTitle !== undefined ? { commit_title: input.commitTitle } : {}),
        ...(input.commitMessage !== undefined ? { commit_message: input.commitMessage } : {}),
      });
      return { merged: true, sha: merge.sha, alreadyMerged: false };
    } catch (error) {
      if (!(error instanceof GitHubError)) throw error;
      if (error.status === 409) {
        return refuse('head_moved', `The head of ${name} moved since it was approved at ${short(approvedSha)}; the new head needs its own approval.`);
      }
      if (error.status !== 405) throw error;
      const said = error.githubMessage ?? 'no reason given';
      if (/base branch was modified/i.test(said) && attempt < BASE_MOVED_ATTEMPTS) {
        await sleep(baseMovedDelayMs * attempt);
        continue;
      }
      // "Squash merges are not allowed on this repository." vs branch protection, reviews, "not mergeable".
      if (/are not allowed on this repository/i.test(said)) {
        return refuse('method_not_allowed', `${name} cannot be merged with the ${input.method} method: GitHub says "${said}"`);
      }
      // Branch protection's own view of CI: a required check that has not reported yet.
      if (/required status checks? .* (is|are) expected/i.test(said)) {
        return refuse('checks_pending', `${name} is waiting for checks branch protection requires: GitHub says "${said}"`);
      }
      return refuse('not_mergeable', `GitHub would not merge ${name}: "${said}"`);
    }
  }
}
