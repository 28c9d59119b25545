import type { RunStatus } from '../domain/run.ts';
import type { WorkspaceManager } from '../integrations/git/create-workspace-manager.ts';
import type { Logger } from '../logger.ts';

export interface RunWorkspaceDeps {
  /** Present in worker processes; a run that ended gives its worktree back at once. */
  workspaces?: Pick<WorkspaceManager, 'removeWorkspace'>;
  log: Logger;
}

// A job is working in the worktree in these statuses: deleting it under the job would fail the job
// with confusing file errors. That job sees the run ended at its next step and gives the worktree
// back itself (and start-up's stale clean-up catches one that died first).
const HELD_BY_A_JOB: readonly RunStatus[] = ['running', 'reviewing'];

/**
 * Removes an ended run's worktree, unless `endedFrom` (the status it ended from) says a job is
 * still working in it. A failure is logged and left for start-up's stale clean-up, because the run
 * has ended either way and telling its thread matters more.
 */
export async function releaseRunWorkspace(runId: string, deps: RunWorkspaceDeps, endedFrom?: RunStatus): Promise<void> {
  if (!deps.workspaces) return;
  if (endedFrom && HELD_BY_A_JOB.includes(endedFrom)) {
    deps.log.info({ runId, endedFrom }, 'run ended while a job works in its workspace; that job removes it');
    return;
  }
  try {
    await deps.workspaces.removeWorkspace(runId);
  } catch (error) {
    deps.log.error({ err: error, runId }, 'could not remove the run’s workspace; start-up clean-up will');
  }
}
