import type { Logger } from '../logger.ts';
import type { Pool } from '../db/pool.ts';
import type { SlackClient } from '../integrations/slack.ts';
import { describeError, isRetryable } from './errors.ts';
import { failRun } from './fail-run.ts';
import type { Queue } from './queue.ts';
import { runFix } from './run-fix.ts';

export interface WorkerDeps {
  pool: Pool;
  queue: Queue;
  slack: SlackClient | undefined;
  log: Logger;
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
}
