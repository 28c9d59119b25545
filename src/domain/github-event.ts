/**
 * A GitHub webhook delivery, reduced to what a run reacts to: its PR closed outside Baton, new
 * commits pushed to it, CI finished on its head, or a person (or bot) reviewed or commented on its PR.
 * Built by src/bot/webhooks/parse-github-webhook.ts.
 */

/**
 * GitHub's check conclusions; null while a check has none (GitHub documents it as nullable).
 * GitHub adds values now and then (`startup_failure` came later), so an unknown one is carried
 * as the string GitHub sent rather than dropping the delivery.
 */
export const CHECK_CONCLUSIONS = ['success', 'failure', 'neutral', 'cancelled', 'timed_out', 'action_required', 'skipped', 'stale', 'startup_failure'] as const;
export type CheckConclusion = (typeof CHECK_CONCLUSIONS)[number];

export type ReviewState = 'approved' | 'changes_requested' | 'commented';

export interface PullRequestClosedEvent {
  kind: 'pull_request_closed';
  /** 'owner/name' */
  repo: string;
  number: number;
  url: string;
  /** The PR's head branch, e.g. baton/ENG-123-fix-checkout. */
  branch: string;
  headSha: string;
  merged: boolean;
  /** Login of whoever merged it (merged_by), or closed it (sender). */
  actor: string;
  title: string;
}

/**
 * New commits on the PR's head branch (GitHub's `pull_request` `synchronize`): a push, a force
 * push, or a merge of the base into it. Approvals given for an earlier head no longer hold.
 */
export interface PullRequestPushedEvent {
  kind: 'pull_request_pushed';
  repo: string;
  number: number;
  url: string;
  branch: string;
  /** The head after the push. */
  headSha: string;
  /** The head before it; after a force push it may be on no branch at all. */
  beforeSha: string;
  /** Who pushed (the sender): Baton's own push shows up as its App or token user. */
  actor: string;
  actorIsBot: boolean;
}

export interface ChecksCompletedEvent {
  kind: 'checks_completed';
  /** A whole check suite (one per app and commit) or a single check run within one. */
  scope: 'suite' | 'run';
  repo: string;
  headSha: string;
  /** Null when GitHub could not tie the commit to a branch (e.g. a fork or a deleted branch). */
  headBranch: string | null;
  /** Open PRs in this repository whose head is headSha; empty for forks. */
  pullNumbers: number[];
  /** The app's name for a suite, the check's name for a run. */
  name: string;
  conclusion: CheckConclusion | (string & {}) | null;
  url: string;
}

export interface ReviewEvent {
  kind: 'review';
  repo: string;
  number: number;
  /** The review itself, on the PR page. */
  url: string;
  branch: string;
  author: string;
  authorIsBot: boolean;
  state: ReviewState;
  /** Empty when the reviewer wrote nothing (GitHub sends null). */
  body: string;
}

export interface CommentEvent {
  kind: 'comment';
  repo: string;
  number: number;
  /** The comment itself, on the PR page. */
  url: string;
  /** Known for review comments; an issue_comment payload carries the issue, not the PR's head. */
  branch?: string;
  author: string;
  authorIsBot: boolean;
  body: string;
  /** Review comments only: the file and line the comment is anchored to. */
  path?: string;
  line?: number;
}

export type GitHubEvent = PullRequestClosedEvent | PullRequestPushedEvent | ChecksCompletedEvent | ReviewEvent | CommentEvent;

/** What the webhook parser returns: an event, or why the delivery is not one (ignored kinds included). */
export type ParsedGitHubEvent = { ok: true; value: GitHubEvent } | { ok: false; reason: string };
