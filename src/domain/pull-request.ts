/**
 * Pull requests, CI runs and merges as Baton sees them. src/integrations/github translates
 * GitHub's REST shapes into these at the edge, so jobs and views never meet an Octokit type.
 */

export interface RepoRef {
  owner: string;
  name: string;
}

export interface PullRequest {
  number: number;
  /** The page people open (html_url), not the API URL. */
  url: string;
  title: string;
  headRef: string;
  headSha: string;
  baseRef: string;
  state: 'open' | 'closed' | 'merged';
  draft: boolean;
  /** `null` while GitHub is still computing it, and always from list endpoints. */
  mergeable: boolean | null;
  /** GitHub's `mergeable_state` (clean, dirty, blocked, behind, unstable, draft, unknown), when known. */
  mergeableState: string | null;
  body: string;
  /** Who merged it (`pulls.get` says; list items do not), else null. */
  mergedBy: string | null;
}

export type MergeMethod = 'merge' | 'squash' | 'rebase';

export type MergeRefusal =
  | 'head_moved'
  | 'checks_failing'
  | 'checks_pending'
  | 'conflicts'
  | 'not_mergeable'
  | 'method_not_allowed'
  | 'closed';

/**
 * `merged: false` is an answer, not an error: the gate tells the approver why, in `message`.
 * `alreadyMerged` marks a PR found merged at the approved SHA (a retried merge job).
 */
export type MergeOutcome =
  | { merged: true; sha: string; alreadyMerged: boolean }
  | { merged: false; reason: MergeRefusal; message: string };

export type WorkflowRunStatus = 'queued' | 'in_progress' | 'completed';

export interface WorkflowRunResult {
  id: number;
  /** The run's page on GitHub. */
  url: string;
  status: WorkflowRunStatus;
  /** success, failure, cancelled, timed_out, …; null until the run completes. */
  conclusion: string | null;
}
