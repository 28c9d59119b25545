import type { Pool } from '../db/pool.ts';
import { getRun } from '../db/runs.ts';
import { ACTIVE_STATUSES, type Run, type RunStatus } from '../domain/run.ts';
import type { SlackClient, SlackMessage } from '../integrations/slack.ts';
import type { Logger } from '../logger.ts';
import { finishRun } from './end-run.ts';
import type { RunWorkspaceDeps } from './release-run-workspace.ts';

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
 * Cancels a run (a conditional update, so a run that just ended is left alone) and says so in the
 * thread (finishRun). Returns the cancelled run, or undefined if this cause did not cancel it.
 */
export async function cancelRun(runId: string, cause: CancelCause, deps: CancelRunDeps): Promise<Run | undefined> {
  const { ended, told } = await finishRun(runId, {
    from: cause.from ?? ACTIVE_STATUSES, to: 'cancelled', actor: cause.actor, action: 'run.cancelled', reason: cause.reason, notice: cause.notice,
  }, deps);
  if (ended) return ended;
  // A retry of the same cause that only now got the notice through.
  return told ? getRun(deps.pool, runId) : undefined;
}
