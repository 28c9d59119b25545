import { releaseRunWorkspace, type RunWorkspaceDeps } from './release-run-workspace.ts';
import type { Pool } from '../db/pool.ts';
import { getRun } from '../db/runs.ts';
import { ACTIVE_STATUSES, type Run, type RunStatus } from '../domain/run.ts';
import type { SlackClient, SlackMessage } from '../integrations/slack.ts';
import type { Logger } from '../logger.ts';
import { announceRunEnd } from './announce-run-end.ts';
import { endRun } from './end-run.ts';

export interface CancelRunDeps extends RunWorkspaceDeps {
  pool: Pool;
  slack: SlackClient | undefined;
  log: Logger;
}

export interface CancelCause {
  actor: string;
  reason: string;
  notice: SlackMessage;
  /** The statuses this cause may cancel from; default every active one. */
  from?: readonly RunStatus[];
}

/**
 * Cancels a run (a conditional update, so a run that just ended is left alone), records who did it
 * in the same transaction, and says so in the thread. A repeat of the same cause (a retried job)
 * finishes a notice the first attempt did not deliver. Returns the cancelled run, or undefined if
 * this cause did not cancel it.
 */
export async function cancelRun(runId: string, cause: CancelCause, deps: CancelRunDeps): Promise<Run | undefined> {
  const ended = await endRun(deps.pool, runId, {
    from: cause.from ?? ACTIVE_STATUSES, to: 'cancelled', actor: cause.actor, action: 'run.cancelled', reason: cause.reason, notice: cause.notice,
  });
  const run = ended?.run;
  const log = deps.log.child({ runId, ticket: run?.ticketKey });
  if (ended) {
    // Not under an agent working in the worktree: run.fix gives it back when the agent lets go.
    await releaseRunWorkspace(runId, deps, { agentWorking: ended.agentWorking });
    log.info({ reason: cause.reason }, 'run cancelled');
  }
  let told = false;
  try {
    told = await announceRunEnd(runId, deps, { actor: cause.actor, reason: cause.reason });
  } catch (error) {
    // The run is cancelled either way; the notice stays owed and reconcile's sweep posts it.
    log.error({ err: error }, 'run cancelled, but the thread could not be told yet');
  }
  if (run) return run;
  return told ? getRun(deps.pool, runId) : undefined;
}
