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
  createdAt: Date;
  updatedAt: Date;
}

export interface NewRun {
  ticketKey: string;
  source: RunSource;
  requestedBy: string;
  channelId: string | null;
  responseUrl?: string | null;
  priority?: number;
}
