import type { TicketPriority } from './ticket.ts';

/** Run states. Terminal ones free the ticket for a new run. */
export const RUN_STATUSES = [
  'queued',
  'running',
  'needs_clarification',
  'reviewing',
  'awaiting_approval',
  'merging',
  'deploying',
  'succeeded',
  'failed',
  'cancelled',
] as const;

export type RunStatus = (typeof RUN_STATUSES)[number];
export type RunSource = 'slack' | 'linear' | 'jira' | 'reconcile';

export const TERMINAL_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled'];

/** Every status a run can still leave: the `from` list of a transition that ends a run. */
export const ACTIVE_STATUSES: readonly RunStatus[] = RUN_STATUSES.filter((s) => !TERMINAL_STATUSES.includes(s));

/**
 * Statuses a ticket closed or deleted in its tracker may cancel: the ones before Baton merges.
 * Linear and Jira close a ticket *because* its PR merged ("Fixes ENG-123" in the PR body), and that
 * delivery can beat GitHub's pull_request.closed; so from `merging` on, and for any run with a PR,
 * GitHub's merge or close ends the run (src/jobs/handle-github-event.ts), never the ticket.
 */
export const CANCELLABLE_BY_TICKET: readonly RunStatus[] = ['queued', 'running', 'needs_clarification', 'reviewing', 'awaiting_approval'];

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
  createdAt: Date;
  updatedAt: Date;
}

/** Statuses in which a run waits for a person (a reply, a review, an approval). */
export const WAITING_FOR_HUMAN: readonly RunStatus[] = ['needs_clarification', 'awaiting_approval'];

export interface NewRun {
  ticketKey: string;
  source: RunSource;
  requestedBy: string;
  channelId: string | null;
  responseUrl?: string | null;
  /** The ticket's priority when the intake path knows it; the job priority is derived from it. */
  ticketPriority?: TicketPriority;
}
