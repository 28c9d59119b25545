import type { RunWorkspaceDeps } from './release-run-workspace.ts';
import type { Pool } from '../db/pool.ts';
import { ACTIVE_STATUSES } from '../domain/run.ts';
import type { Logger } from '../logger.ts';
import type { SlackClient } from '../integrations/slack.ts';
import { runFailedMessage } from '../bot/views/run-failed-message.ts';
import { getRun } from '../db/runs.ts';
import { finishRun } from './end-run.ts';
import { describeError, slackErrorCode } from './errors.ts';

export interface FailRunDeps extends RunWorkspaceDeps {
  pool: Pool;
  slack: SlackClient | undefined;
  log: Logger;
}

/** Who ends a run as failed in the audit log (and so whose undelivered notice a retry may finish). */
export const FAILED_BY = 'baton';

/**
 * Ends a run as failed with a reason and tells the person waiting (finishRun): in the run's thread
 * when it has one, otherwise through the slash command's response_url.
 */
export async function failRun(runId: string, error: unknown, deps: FailRunDeps): Promise<void> {
  const reason = describeError(error);
  const before = await getRun(deps.pool, runId);
  if (!before) return;
  await finishRun(runId, {
    from: ACTIVE_STATUSES, to: 'failed', actor: FAILED_BY, action: 'run.failed', reason,
    notice: runFailedMessage({ ...before, status: 'failed', statusReason: reason }, reason, slackErrorCode(error)),
  }, deps);
}
