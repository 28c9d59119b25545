import { appendAudit } from '../db/audit-log.ts';
import { releaseRunWorkspace, type RunWorkspaceDeps } from './release-run-workspace.ts';
import type { Pool } from '../db/pool.ts';
import { transitionRun } from '../db/runs.ts';
import { ACTIVE_STATUSES } from '../domain/run.ts';
import type { Logger } from '../logger.ts';
import type { SlackClient } from '../integrations/slack.ts';
import { runFailedMessage } from '../bot/views/run-failed-message.ts';
import { describeError, slackErrorCode } from './errors.ts';

export interface FailRunDeps extends RunWorkspaceDeps {
  pool: Pool;
  slack: SlackClient | undefined;
  log: Logger;
}

/**
 * Ends a run as failed with a reason, and tells the person waiting: in the run's thread when it
 * has one, otherwise through the slash command's response_url. Telling them is best effort, but
 * a failure to tell is logged, never swallowed.
 */
export async function failRun(runId: string, error: unknown, deps: FailRunDeps): Promise<void> {
  const reason = describeError(error);
  const run = await transitionRun(deps.pool, runId, [...ACTIVE_STATUSES], 'failed', reason);
  if (!run) return;
  const log = deps.log.child({ runId: run.id, ticket: run.ticketKey });
  await appendAudit(deps.pool, { runId: run.id, actor: 'baton', action: 'run.failed', detail: { reason } });
  await releaseRunWorkspace(run.id, deps);
  log.warn({ reason }, 'run failed');
  if (!deps.slack) return;
  const notice = runFailedMessage(run, reason, slackErrorCode(error));
  try {
    if (run.threadTs && run.channelId) await deps.slack.postMessage(run.channelId, notice, run.threadTs);
    else if (run.responseUrl) await deps.slack.respond(run.responseUrl, notice);
  } catch (notifyError) {
    log.error({ err: notifyError }, 'could not tell anyone in Slack that the run failed');
  }
}

