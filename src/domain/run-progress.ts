/**
 * The checklist in a run's status message. Each step is marked by the code that did it (never
 * ahead of time), stored on the run (runs.progress), and shown in this order.
 */
export const PROGRESS_STEPS = ['ticket_read', 'workspace_ready', 'reproduced', 'fix_written', 'tests_green', 'pr_open'] as const;

export type ProgressStep = (typeof PROGRESS_STEPS)[number];

export const PROGRESS_LABELS: Record<ProgressStep, string> = {
  ticket_read: 'Ticket read',
  workspace_ready: 'Workspace ready',
  reproduced: 'Reproduction found',
  fix_written: 'Fix written',
  tests_green: 'Tests green',
  pr_open: 'PR open',
};

export function isProgressStep(value: string): value is ProgressStep {
  return (PROGRESS_STEPS as readonly string[]).includes(value);
}

/**
 * The steps to show as done: those recorded, plus what the run's own fields prove (a run with a
 * ticket title has read its ticket; one with a PR has done every step), so runs recorded before
 * the checklist existed, and callers that only set those fields, still show the truth.
 */
export function stepsDone(run: { progress: readonly string[]; ticketTitle: string | null; prNumber: number | null }): Set<ProgressStep> {
  const done = new Set(run.progress.filter(isProgressStep));
  if (run.ticketTitle !== null) done.add('ticket_read');
  if (run.prNumber !== null) for (const step of PROGRESS_STEPS) done.add(step);
  return done;
}
