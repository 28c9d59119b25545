import type { Logger } from '../logger.ts';
import type { Pool } from '../db/pool.ts';
import type { TicketEvent } from '../domain/ticket-event.ts';
import type { GitHubEvent } from '../domain/github-event.ts';
import type { SlackClient } from '../integrations/slack.ts';
import { describeError, isRetryable, PermanentError } from './errors.ts';
import { failRun } from './fail-run.ts';
import { handleTicketEvent, type TicketEventDeps } from './handle-ticket-event.ts';
import type { Queue } from './queue.ts';
import { reconcile, type ReconcileDeps } from './reconcile.ts';
import { rescueStrandedRuns, strandedAfterSeconds } from './rescue-stranded-runs.ts';
import { runFix, type RunFixDeps } from './run-fix.ts';
import { runPublish, type RunPublishDeps } from './run-publish.ts';
import { runReview, type ReviewChange } from './run-review.ts';
import { gateMerge } from './gate-merge.ts';
import { deployStaging } from './deploy-staging.ts';
import { deployProduction } from './deploy-production.ts';
import { expireApprovalRequests } from './expire-approval-requests.ts';
import type { GitHubClient } from '../integrations/github/create-github-client.ts';
import type { Policy } from '../policy.ts';
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
  /** What run.publish needs beyond the shared deps (the uploader, the workspaces, redaction). */
  publish: Omit<RunPublishDeps, 'pool' | 'slack' | 'routes' | 'log' | 'queue' | 'policy' | 'github'>;
  /** The three reviewers; undefined while no model is configured (`reviewMissing` says why). */
  review: ReviewChange | undefined;
  reviewMissing?: string;
  github: GitHubClient | undefined;
  policy: Policy;
  /** A Slack user's name for the merge commit's message. */
  userName?: (userId: string) => Promise<string | undefined>;
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
  const shared = { pool: deps.pool, queue: deps.queue, slack: deps.slack, routes: deps.routes, log: deps.log, policy: deps.policy, github: deps.github, workspaces: deps.workspaces };
  await deps.queue.work('run.review', (payload, job) =>
    guardRun(payload.runId, job, () => runReview(payload, { ...shared, review: deps.review, reviewMissing: deps.reviewMissing, weights: deps.policy.review.weights }), deps),
  );
  await deps.queue.work('run.publish', (payload, job) => guardRun(payload.runId, job, () => runPublish(payload, { ...shared, ...deps.publish }), deps));
  await deps.queue.work('gate.merge', (payload, job) => guardRun(payload.runId, job, () => gateMerge(payload, { ...shared, userName: deps.userName }), deps));
  await deps.queue.work('deploy.staging', (payload, job) => guardRun(payload.runId, job, () => deployStaging(payload, shared), deps));
  await deps.queue.work('deploy.production', (payload, job) => guardRun(payload.runId, job, () => deployProduction(payload, shared), deps));
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
    await expireApprovalRequests(shared);
  });
  // A job released from a stopped worker with no retry left: its run ends failed and says why, rather than
  // waiting in `reviewing` or `merging` for a job that will never run again.
  deps.queue.onGivenUp(async (job) => {
    const runId = (job.data as { runId?: unknown } | null)?.runId;
    if (typeof runId !== 'string') return;
    const why = `its ${job.name} job was lost with its worker ${job.retryCount + 1} times (Baton processes stopped or were killed mid-job)`;
    await failRun(runId, new PermanentError('worker_lost', why), deps);
  });
  await deps.queue.schedule('intake.reconcile', `*/${deps.reconcileIntervalMinutes} * * * *`);
}
