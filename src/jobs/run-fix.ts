import { appendAudit } from '../db/audit-log.ts';
import type { Pool } from '../db/pool.ts';
import { getRun, releaseThreadLease, setStatusMessage, setStatusReason, setThreadRoot, takeThreadLease } from '../db/runs.ts';
import { isActive, type Run } from '../domain/run.ts';
import type { SlackClient } from '../integrations/slack.ts';
import type { Logger } from '../logger.ts';
import { statusMessage, threadRootMessage } from '../bot/views/run-messages.ts';
import { PermanentError, RetryableError } from './errors.ts';

export interface RunFixDeps {
  pool: Pool;
  slack: SlackClient | undefined;
  log: Logger;
  /** How long a worker may take to open a thread before another may try. */
  threadLeaseSeconds?: number;
}

// What this version of Baton can truthfully say once the thread is open.
export const PIPELINE_NOT_BUILT =
  'Thread opened. The agent steps (fetch ticket, fix, review, PR) are not built in this version of Baton yet, so this run stays queued.';

/**
 * Opens the run's thread exactly once: a root message and one status message, both recorded on
 * the run. A second delivery of the job finds them recorded (or the lease held) and posts nothing.
 */
async function openThread(run: Run, deps: RunFixDeps, log: Logger): Promise<void> {
  if (!deps.slack) throw new PermanentError('slack_not_connected', 'Slack is not connected, so Baton cannot open a thread');
  if (!run.channelId) throw new PermanentError('no_channel', `no Slack channel is known for ${run.ticketKey}`);
  const leased = await takeThreadLease(deps.pool, run.id, deps.threadLeaseSeconds ?? 120);
  if (!leased) {
    const now = await getRun(deps.pool, run.id);
    if (now?.threadTs && now.statusTs) return;
    throw new RetryableError('thread_busy', 'another worker is opening this run’s thread');
  }
  try {
    let threadTs = leased.threadTs;
    if (!threadTs) {
      const root = await deps.slack.postMessage(run.channelId, threadRootMessage(leased));
      threadTs = root.ts;
      const url = await deps.slack.permalink(run.channelId, threadTs).catch((error: unknown) => {
        log.warn({ err: error }, 'no permalink for the thread; "already running" replies will name the channel instead');
        return null;
      });
      await setThreadRoot(deps.pool, run.id, threadTs, url);
      log.info({ threadTs }, 'thread opened');
    }
    const current = (await setStatusReason(deps.pool, run.id, 'queued', PIPELINE_NOT_BUILT)) ?? leased;
    const status = await deps.slack.postMessage(run.channelId, statusMessage(current), threadTs);
    await setStatusMessage(deps.pool, run.id, status.ts);
    await appendAudit(deps.pool, { runId: run.id, actor: 'baton', action: 'thread.opened', detail: { threadTs } });
  } catch (error) {
    await releaseThreadLease(deps.pool, run.id);
    throw error;
  }
}

export async function runFix(payload: { runId: string }, deps: RunFixDeps): Promise<void> {
  const run = await getRun(deps.pool, payload.runId);
  if (!run) throw new PermanentError('run_not_found', `run ${payload.runId} does not exist`);
  const log = deps.log.child({ runId: run.id, ticket: run.ticketKey, job: 'run.fix' });
  if (!isActive(run.status)) {
    log.info({ status: run.status }, 'run already ended; nothing to do');
    return;
  }
  if (!run.threadTs || !run.statusTs) await openThread(run, deps, log);
}
