import type { Pool } from '../db/pool.ts';
import type { Run } from '../domain/run.ts';
import type { SlackClient, SlackMessage } from '../integrations/slack.ts';
import type { Logger } from '../logger.ts';
import { oncePerRun, type RunStep } from './once-per-run.ts';
import { refreshThread } from './refresh-thread.ts';
import type { TrackerRoutes } from './tracker-routes.ts';

export interface TellDeps {
  pool: Pool;
  slack: SlackClient | undefined;
  routes: TrackerRoutes;
  log: Logger;
}

/**
 * Posts `message` in the run's thread once per `step` (a redelivered job does not post it again)
 * and records where it went. A Slack failure is thrown, so the job is retried before it moves the
 * run on. A run with no thread (or no Slack) has nobody to tell there; the ticket is told instead.
 */
export async function tellThreadOnce(run: Run, step: RunStep, message: () => SlackMessage, deps: TellDeps): Promise<void> {
  const { channelId, threadTs } = run;
  if (!deps.slack || !channelId || !threadTs) return;
  const slack = deps.slack;
  await oncePerRun(deps.pool, run.id, step, async () => {
    const posted = await slack.postMessage(channelId, message(), threadTs);
    return { ts: posted.ts };
  });
}

/** Comments on the run's ticket once per `step`. Tracker failures are thrown (errors.ts decides retries). */
export async function tellTicketOnce(run: Run, step: RunStep, markdown: string, deps: TellDeps): Promise<void> {
  const { tracker } = deps.routes.require(run.ticketKey);
  await oncePerRun(deps.pool, run.id, step, async () => {
    await tracker.comment(run.ticketKey, markdown);
  });
}

/** The thread's root and status message show where the run stands; stale, they mislead, but the step is done. */
export async function refreshThreadQuietly(run: Run, deps: Pick<TellDeps, 'slack'>, log: Logger): Promise<void> {
  if (!deps.slack) return;
  await refreshThread(run, deps.slack).catch((error: unknown) => log.warn({ err: error }, 'the step is done, but the thread status could not be updated'));
}
