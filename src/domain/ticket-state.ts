import type { StateCategory } from './ticket.ts';

/** Linear's workflow state types (WorkflowState.type); triage and backlog are not started yet. */
export function linearStateCategory(type: string): StateCategory {
  switch (type) {
    case 'started':
      return 'in_progress';
    case 'completed':
      return 'done';
    case 'canceled':
      return 'cancelled';
    default:
      return 'todo';
  }
}

// Jira has no "cancelled" category: a Cancelled or Won't Do status sits in `done`. These names are
// the ones Jira's stock workflows use for closing without doing the work.
const JIRA_CANCELLED = /\b(cancel{1,2}ed|won'?t (do|fix)|rejected|declined|duplicate|obsolete)\b/i;

/** Jira's status category key (`new`, `indeterminate`, `done`) plus the status name. */
export function jiraStateCategory(categoryKey: string | undefined, statusName: string): StateCategory {
  switch (categoryKey) {
    case 'indeterminate':
      return 'in_progress';
    case 'done':
      return JIRA_CANCELLED.test(statusName) ? 'cancelled' : 'done';
    default:
      return 'todo';
  }
}
