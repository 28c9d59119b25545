import { setTimeout as delay } from 'node:timers/promises';
import type { MergeOutcome, PullRequest, RepoRef, WorkflowRunResult } from '../../domain/pull-request.ts';
import type { Logger } from '../../logger.ts';
import { createOctokit, type GitHubAuth } from './create-octokit.ts';
import { dispatchWorkflow, type DispatchWorkflowInput } from './dispatch-workflow.ts';
import { findOpenPullRequest } from './find-open-pull-request.ts';
import { followWorkflowRun, type FollowOptions } from './follow-workflow-run.ts';
import { mergeApproved, type MergeApprovedInput } from './merge-approved.ts';
import { openPullRequest, type OpenPullRequestInput } from './open-pull-request.ts';
import { pullRequestFromApi } from './pull-request-from-api.ts';

export type { GitHubAuth } from './create-octokit.ts';
export type { DispatchWorkflowInput } from './dispatch-workflow.ts';
export type { FollowOptions } from './follow-workflow-run.ts';
export type { MergeApprovedInput } from './merge-approved.ts';
export type { OpenPullRequestInput } from './open-pull-request.ts';

export interface GitHubClientOptions {
  /** https://api.github.com, or GitHub Enterprise's https://host/api/v3, or a fake in tests. */
  apiUrl: string;
  auth: GitHubAuth;
  /** Extra attempts for reads that met a 5xx or no answer. Writes and rate limits go back to the job queue. */
  retries: number;
  log?: Logger;
  /** First wait before a retried read, doubled each time; default 1 s. */
  retryDelayMs?: number;
  /** How long dispatchWorkflow looks for its run when GitHub does not name it; default 10 × 1.5 s. */
  dispatchPoll?: { attempts: number; intervalMs: number };
}

/**
 * The GitHub verbs Baton's jobs use. Every failure is a GitHubError; every result a domain type.
 * Nothing Octokit-shaped leaves this folder.
 */
export function createGitHubClient(options: GitHubClientOptions) {
  const sleep = (ms: number): Promise<void> => delay(ms);
  const octokit = createOctokit({
    apiUrl: options.apiUrl, auth: options.auth, retries: options.retries,
    retryDelayMs: options.retryDelayMs ?? 1000, log: options.log, sleep,
  });
  const dispatchDeps = { claimed: new Set<number>(), poll: options.dispatchPoll ?? { attempts: 10, intervalMs: 1500 }, sleep };

  return {
    /**
     * A token for `git push` over HTTPS (user `x-access-token`): the configured token, or an App
     * installation token, which Octokit caches and renews before its hour is up.
     */
    async installationToken(): Promise<string> {
      const auth = (await octokit.auth({ type: 'installation' })) as { token: string };
      return auth.token;
    },

    /** The open PR whose head is `branch` of `repo` itself, if any. */
    findOpenPullRequest(repo: RepoRef, branch: string): Promise<PullRequest | undefined> {
      return findOpenPullRequest(octokit, repo, branch);
    },

    /** Opens the PR, or brings the one already open from `head` up to date; `created` says which. */
    openPullRequest(input: OpenPullRequestInput): Promise<{ pr: PullRequest; created: boolean }> {
      return openPullRequest(octokit, input);
    },

    async getPullRequest(repo: RepoRef, number: number): Promise<PullRequest> {
      const { data } = await octokit.pulls.get({ owner: repo.owner, repo: repo.name, pull_number: number });
      return pullRequestFromApi(data);
    },

    /** Merges at the approved SHA only, with CI green; otherwise says why not. */
    mergeApproved(input: MergeApprovedInput): Promise<MergeOutcome> {
      return mergeApproved(octokit, input);
    },

    /** Starts a workflow_dispatch run and returns it (queued). */
    dispatchWorkflow(input: DispatchWorkflowInput): Promise<WorkflowRunResult> {
      return dispatchWorkflow(octokit, input, dispatchDeps);
    },

    /** Polls a run to completion (or to `timeoutMs`, returning its last state). */
    followWorkflowRun(repo: RepoRef, runId: number, follow: FollowOptions): Promise<WorkflowRunResult> {
      return followWorkflowRun(octokit, repo, runId, follow, sleep);
    },

    /** Closes the PR without merging (a Reject, where repos.<r>.on_reject is `close`); closing a closed one is a no-op. */
    async closePullRequest(repo: RepoRef, number: number): Promise<PullRequest> {
      const { data } = await octokit.pulls.update({ owner: repo.owner, repo: repo.name, pull_number: number, state: 'closed' });
      return pullRequestFromApi(data);
    },

    /** PR conversation comments are issue comments in GitHub's API. */
    async commentOnPullRequest(repo: RepoRef, number: number, markdown: string): Promise<{ url: string }> {
      const { data } = await octokit.issues.createComment({ owner: repo.owner, repo: repo.name, issue_number: number, body: markdown });
      return { url: data.html_url };
    },
  };
}

export type GitHubClient = ReturnType<typeof createGitHubClient>;
