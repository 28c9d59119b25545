import { appendAudit } from '../db/audit-log.ts';
import type { Pool } from '../db/pool.ts';
import { pendingAnnouncement } from '../db/run-announcements.ts';
import { getRun } from '../db/runs.ts';
import type { SlackClient, SlackMessage } from '../integrations/slack.ts';
import type { Logger } from '../logger.ts';
import { refreshThread } from './refresh-thread.ts';

export interface AnnounceDeps {
  pool: Pool;
  slack: SlackClient | undefined;
  log: Logger;
}

/**
 * Posts the notice of a run's end that has not reached Slack yet (in its thread, else through the
 * slash command's response_url) and records that it did. `only` limits it to an end by that actor
 * and reason: a retry of the same cause may finish its own notice, not another cause's in flight.
 * Returns whether a notice was posted; a Slack failure is thrown and the end stays owed.
 */
export async function announceRunEnd(runId: string, deps: AnnounceDeps, only?: { actor: string; reason: string }): Promise<boolean> {
  const pending = await pendingAnnouncement(deps.pool, runId);
  if (!pending || !deps.slack) return false;
  if (only && (pending.actor !== only.actor || pending.detail.reason !== only.reason)) return false;
  const run = await getRun(deps.pool, runId);
  if (!run) return false;
  const notice = pending.detail.notice as SlackMessage;
  let to: string;
  if (run.channelId && run.threadTs) {
    await deps.slack.postMessage(run.channelId, notice, run.threadTs);
    to = 'thread';
  } else if (run.responseUrl) {
    await deps.slack.respond(run.responseUrl, notice);
    to = 'response_url';
  } else {
    to = 'nobody';
  }
  await appendAudit(deps.pool, { runId, actor: 'baton', action: 'run.announced', detail: { of: pending.id, to } });
  if (to === 'thread') {
    // The notice is what people must see; the root and status edits follow it and may fail alone.
    await refreshThread(run, deps.slack).catch((error: unknown) => deps.log.warn({ err: error, runId }, 'run ended and the thread was told, but its status could not be updated'));
  }
  return to !== 'nobody';
}
