import type { TestRun } from './agent-outcome.ts';
import type { ProgressStep } from './run-progress.ts';
import type { TicketPriority } from './ticket.ts';

/** Run states. Terminal ones free the ticket for a new run. */
export const RUN_STATUSES = [
  'queued',
  'running',
  'needs_clarification',
  /** Paused near its dollar cap: Continue (raises the cap once) or Stop, in the thread. Holds no worker and no slot. */
  'awaiting_budget',
  'reviewing',
  'awaiting_approval',
  'merging',
  'deploying',
  /** Merged (and on staging, when configured): the production gate waits for an Approve. */
  'awaiting_deploy_approval',
  'succeeded',
  'failed',
  'cancelled',
  /** People rejected the change at a gate, with a reason. */
  'rejected',
] as const;

export type RunStatus = (typeof RUN_STATUSES)[number];
export type RunSource = 'slack' | 'linear' | 'jira' | 'local' | 'reconcile';

/**
 * The one list of statuses that end a run. SQL asks `run_status_ended(status)` (migration 0007),
 * which test/db/terminal-statuses.test.ts holds equal to this list.
 */
export const TERMINAL_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled', 'rejected'];

/** Every status a run can still leave: the `from` list of a transition that ends a run. */
export const ACTIVE_STATUSES: readonly RunStatus[] = RUN_STATUSES.filter((s) => !TERMINAL_STATUSES.includes(s));

/**
 * Statuses a ticket closed or deleted in its tracker may cancel: the ones before Baton merges.
 * Linear and Jira close a ticket *because* its PR merged ("Fixes ENG-123" in the PR body), and that
 * delivery can beat GitHub's pull_request.closed; so from `merging` on, and for any run with a PR,
 * GitHub's merge or close ends the run (src/jobs/handle-github-event.ts), never the ticket.
 */
export const CANCELLABLE_BY_TICKET: readonly RunStatus[] = ['queued', 'running', 'needs_clarification', 'awaiting_budget', 'reviewing', 'awaiting_approval'];

export function isActive(status: RunStatus): boolean {
  return !TERMINAL_STATUSES.includes(status);
}

export interface Run {
  id: string;
  ticketKey: string;
  source: RunSource;
  status: RunStatus;
  statusReason: string | null;
  requestedBy: string;
  channelId: string | null;
  responseUrl: string | null;
  threadTs: string | null;
  statusTs: string | null;
  threadUrl: string | null;
  priority: number;
  /** Filled in by run.fix once the ticket is fetched. */
  ticketTitle: string | null;
  ticketUrl: string | null;
  /** Where the run publishes (owner/name), its branch, and its PR once opened. */
  repo: string | null;
  branch: string | null;
  prNumber: number | null;
  prUrl: string | null;
  headSha: string | null;
  /** Spent so far on model calls (USD), across every resume. */
  costUsd: number;
  /** The run's dollar cap; null means agent.limits.dollars from baton.yml. */
  costCapUsd: number | null;
  /** Who pressed Continue at the cost cap (it may be raised once); null while never raised. */
  costCapRaisedBy: string | null;
  /** Checklist steps done, in checklist order (see run-progress.ts for what a view shows). */
  progress: ProgressStep[];
  /** The agent's last clarification question, and the thread reply that answered it (null for a ticket edit). */
  question: string | null;
  clarificationAnswer: string | null;
  /** Baton's tests for this run ran without a sandbox (policy allowed it): shown loudly. */
  unsandboxed: boolean;
  /** Queued because no model is configured: its status says what is missing, with Retry. */
  waitingForAgent: boolean;
  /** A proven change, once Baton's outcome gates held. */
  outcome: RunOutcome | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Statuses in which a run waits for a person (a reply, a budget decision, a review, an approval). */
export const WAITING_FOR_HUMAN: readonly RunStatus[] = ['needs_clarification', 'awaiting_budget', 'awaiting_approval', 'awaiting_deploy_approval'];

/**
 * What is kept on the run of a change Baton proved: small enough to read with the run (the test
 * output stays in the logs and the PR body, the diff in the worktree at `headSha`).
 */
export interface RunOutcome {
  summary: string;
  headSha: string;
  diffStats: { files: number; added: number; removed: number };
  evidence: {
    testFiles: string[];
    sandboxed: boolean;
    runs: Omit<TestRun, 'output'>[];
  };
}

export interface NewRun {
  ticketKey: string;
  source: RunSource;
  requestedBy: string;
  channelId: string | null;
  responseUrl?: string | null;
  /** The ticket's priority when the intake path knows it; the job priority is derived from it. */
  ticketPriority?: TicketPriority;
}
