import { releaseRunWorkspace, type RunWorkspaceDeps } from './release-run-workspace.ts';
import type { Pool } from '../db/pool.ts';
import { ACTIVE_STATUSES } from '../domain/run.ts';
import type { Logger } from '../logger.ts';
import type { SlackClient } from '../integrations/slack.ts';
import { runFailedMessage } from '../bot/views/run-failed-message.ts';
import { getRun } from '../db/runs.ts';
import { announceRunEnd } from './announce-run-end.ts';
import { endRun } from './end-run.ts';
import { describeError, slackErrorCode } from './errors.ts';

export interface FailRunDeps extends RunWorkspaceDeps {
  pool: Pool;
  slack: SlackClient | undefined;
  log: Logger;
}

/** Who ends a run as failed in the audit log (and so whose undelivered notice a retry may finish). */
export const FAILED_BY = 'baton';

/**
 * Ends a run as failed with a reason, recorded in the same transaction, and tells the person
 * waiting: in the run's thread when it has one, otherwise through the slash command's
 * response_url. Telling them is best effort here; a notice that did not get through stays owed
 * (src/db/run-announcements.ts) and is posted by a retry of the same failure or reconcile's sweep.
 */
export async function failRun(runId: string, error: unknown, deps: FailRunDeps): Promise<void> {
  const reason = describeError(error);
  const before = await getRun(deps.pool, runId);
  if (!before) return;
  const ended = await endRun(deps.pool, runId, {
    from: ACTIVE_STATUSES, to: 'failed', actor: FAILED_BY, action: 'run.failed', reason,
    notice: runFailedMessage({ ...before, status: 'failed', statusReason: reason }, reason, slackErrorCode(error)),
  });
  const log = deps.log.child({ runId, ticket: before.ticketKey });
  if (ended) {
    // Usually the job whose agent failed, after it let go of its slot; if another delivery's agent
    // still works, that one gives the worktree back.
    await releaseRunWorkspace(runId, deps, { agentWorking: ended.agentWorking });
    log.warn({ reason }, 'run failed');
  }
  try {
    await announceRunEnd(runId, deps, { actor: FAILED_BY, reason });
  } catch (notifyError) {
    log.error({ err: notifyError }, 'could not tell anyone in Slack that the run failed yet; reconcile will try again');
  }
}
