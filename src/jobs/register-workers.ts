import type { Logger } from '../logger.ts';
import type { Pool } from '../db/pool.ts';
import type { TicketEvent } from '../domain/ticket-event.ts';
import type { GitHubEvent } from '../domain/github-event.ts';
import type { SlackClient } from '../integrations/slack.ts';
import { describeError, isRetryable } from './errors.ts';
import { failRun } from './fail-run.ts';
import { handleTicketEvent, type TicketEventDeps } from './handle-ticket-event.ts';
import type { Queue } from './queue.ts';
import { reconcile, type ReconcileDeps } from './reconcile.ts';
import { rescueStrandedRuns, strandedAfterSeconds } from './rescue-stranded-runs.ts';
import { runFix, type RunFixDeps } from './run-fix.ts';
import { runPublish, type RunPublishDeps } from './run-publish.ts';
import type { RunWorkspaceDeps } from './release-run-workspace.ts';

export interface WorkerDeps extends RunFixDeps, TicketEventDeps, ReconcileDeps, RunWorkspaceDeps {
  pool: Pool;
  queue: Queue;
  slack: SlackClient | undefined;
  log: Logger;
  /** baton.yml `scheduling.reconcile_interval_minutes`. */
  reconcileIntervalMinutes: number;
  /** GitHub deliveries (pull requests, checks, reviews); undefined while GitHub is not configured. */
  handleGitHubEvent?: (event: GitHubEvent) => Promise<void>;
  /** What run.publish needs beyond the shared deps (GitHub, the uploader, the repositories, redaction). */
  publish: Omit<RunPublishDeps, 'pool' | 'slack' | 'routes' | 'log'>;
}

/**
 * Runs a job for a run. Retryable failures go back to pg-boss for backoff until the last
 * attempt; permanent ones (and the last attempt) end the run with the reason, in Slack.
 */
async function guardRun(
  runId: string,
  job: { id: string; retryCount: number; retryLimit: number },
  work: () => Promise<void>,
  deps: WorkerDeps,
): Promise<void> {
  try {
    await work();
  } catch (error) {
    const retryable = isRetryable(error);
    const log = deps.log.child({ runId, jobId: job.id, attempt: job.retryCount + 1 });
    if (retryable && job.retryCount < job.retryLimit) {
      log.warn({ err: error, reason: describeError(error) }, 'job failed; pg-boss will retry it');
      throw error;
    }
    await failRun(runId, error, deps);
    // After the last attempt the job is recorded as failed too; a permanent error completes it,
    // because retrying cannot help.
    if (retryable) throw error;
  }
}

export async function registerWorkers(deps: WorkerDeps): Promise<void> {
  await deps.queue.work('run.fix', (payload, job) => guardRun(payload.runId, job, () => runFix(payload, deps), deps));
  await deps.queue.work('run.publish', (payload, job) =>
    guardRun(payload.runId, job, () => runPublish(payload, { ...deps.publish, pool: deps.pool, slack: deps.slack, routes: deps.routes, log: deps.log }), deps),
  );
  await deps.queue.work('intake.event', async (payload) => {
    if (payload.source === 'github') {
      if (!deps.handleGitHubEvent) {
        deps.log.warn({ deliveryId: payload.deliveryId }, 'GitHub delivery dropped: GitHub is not configured');
        return;
      }
      return deps.handleGitHubEvent(payload.event as unknown as GitHubEvent);
    }
    await handleTicketEvent(payload.event as TicketEvent, deps);
  });
  await deps.queue.work('intake.reconcile', async () => {
    await reconcile(deps);
    await rescueStrandedRuns({ ...deps, strandedAfterSeconds: strandedAfterSeconds(deps.agentSlots.leaseSeconds) });
  });
  await deps.queue.schedule('intake.reconcile', `*/${deps.reconcileIntervalMinutes} * * * *`);
}
