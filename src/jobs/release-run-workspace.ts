import type { WorkspaceManager } from '../integrations/git/create-workspace-manager.ts';
import type { Logger } from '../logger.ts';

export interface RunWorkspaceDeps {
  /** Present in worker processes; a run that ended gives its worktree back at once. */
  workspaces?: Pick<WorkspaceManager, 'removeWorkspace'>;
  log: Logger;
}

/**
 * Removes an ended run's worktree, unless an agent still works in it (`agentWorking`, read when
 * the run ended): deleting it under the agent would fail it with confusing file errors, so run.fix
 * gives it back once the agent has let go of its slot. A failure is logged and left for start-up's
 * stale clean-up, because the run has ended either way and telling its thread matters more.
 */
export async function releaseRunWorkspace(runId: string, deps: RunWorkspaceDeps, options: { agentWorking?: boolean } = {}): Promise<void> {
  if (!deps.workspaces) return;
  if (options.agentWorking) {
    deps.log.info({ runId }, 'run ended while its agent works in the workspace; run.fix removes it when the agent lets go');
    return;
  }
  try {
    await deps.workspaces.removeWorkspace(runId);
  } catch (error) {
    deps.log.error({ err: error, runId }, 'could not remove the run’s workspace; start-up clean-up will');
  }
}
