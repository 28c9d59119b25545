import type { WorkspaceManager } from '../integrations/git/create-workspace-manager.ts';
import type { Logger } from '../logger.ts';

export interface RunWorkspaceDeps {
  /** Present in worker processes; a run that ended gives its worktree back at once. */
  workspaces?: Pick<WorkspaceManager, 'removeWorkspace'>;
  log: Logger;
}

/**
 * Removes an ended run's worktree. A failure is logged and left for start-up's stale clean-up,
 * because the run has ended either way and telling its thread matters more.
 */
export async function releaseRunWorkspace(runId: string, deps: RunWorkspaceDeps): Promise<void> {
  if (!deps.workspaces) return;
  try {
    await deps.workspaces.removeWorkspace(runId);
  } catch (error) {
    deps.log.error({ err: error, runId }, 'could not remove the run’s workspace; start-up clean-up will');
  }
}
