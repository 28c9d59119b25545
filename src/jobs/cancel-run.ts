import { appendAudit } from '../db/audit-log.ts';
import { releaseRunWorkspace, type RunWorkspaceDeps } from './release-run-workspace.ts';
import type { Pool } from '../db/pool.ts';
import { transitionRun } from '../db/runs.ts';
import { ACTIVE_STATUSES, type Run } from '../domain/run.ts';
import type { SlackClient, SlackMessage } from '../integrations/slack.ts';
import type { Logger } from '../logger.ts';
import { refreshThread } from './refresh-thread.ts';

export interface CancelRunDeps extends RunWorkspaceDeps {
  pool: Pool;
  slack: SlackClient | undefined;
  log: Logger;
}

/**
 * Cancels an active run (a conditional update, so a run that just ended is left alone), records
 * who did it, and says so in the thread. Returns the cancelled run, or undefined if it was not active.
 */
export async function cancelRun(
  runId: string,
  cause: { actor: string; reason: string; notice: SlackMessage },
  deps: CancelRunDeps,
): Promise<Run | undefined> {
  const run = await transitionRun(deps.pool, runId, [...ACTIVE_STATUSES], 'cancelled', cause.reason);
  if (!run) return undefined;
  await appendAudit(deps.pool, { runId, actor: cause.actor, action: 'run.cancelled', detail: { reason: cause.reason } });
  await releaseRunWorkspace(runId, deps);
  const log = deps.log.child({ runId, ticket: run.ticketKey });
  log.info({ reason: cause.reason }, 'run cancelled');
  if (deps.slack && run.channelId && run.threadTs) {
    // Telling the thread is best effort: the run is cancelled either way, and a failure is logged.
    try {
      await deps.slack.postMessage(run.channelId, cause.notice, run.threadTs);
      await refreshThread(run, deps.slack);
    } catch (error) {
      log.error({ err: error }, 'run cancelled, but the thread could not be told');
    }
  }
  return run;
}
