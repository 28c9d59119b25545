import { appendAudit } from '../db/audit-log.ts';
import type { Pool } from '../db/pool.ts';
import { claimEndNotice, pendingAnnouncement, releaseEndNotice } from '../db/run-announcements.ts';
import { getRun } from '../db/runs.ts';
import type { Run } from '../domain/run.ts';
import type { SlackClient, SlackMessage } from '../integrations/slack.ts';
import type { Logger } from '../logger.ts';
import { refreshThread } from './refresh-thread.ts';

export interface AnnounceDeps {
  pool: Pool;
  slack: SlackClient | undefined;
  log: Logger;
}

/**
 * How long a claim on a notice keeps other posters off. Longer than a post takes, and shorter than
 * reconcile's sweep delay (120 s), so a notice whose poster died goes out on the next sweep.
 */
const CLAIM_SECONDS = 60;

/**
 * Posts the notice of a run's end that has not reached Slack yet (in its thread, else through the
 * slash command's response_url) and records that it did. `only` limits it to an end by that actor
 * and reason: a retry of the same cause may finish its own notice, not another cause's in flight.
 * Of callers that find the same notice owed at once (two workers cancelling for one close, a retry
 * and the sweep), only the one that claims it posts. Returns whether this call posted a notice; a
 * Slack failure is thrown and the end stays owed.
 */
export async function announceRunEnd(runId: string, deps: AnnounceDeps, only?: { actor: string; reason: string }): Promise<boolean> {
  const pending = await pendingAnnouncement(deps.pool, runId);
  if (!pending || !deps.slack) return false;
  if (only && (pending.actor !== only.actor || pending.detail.reason !== only.reason)) return false;
  // No lock or transaction spans the Slack call: the claim is a row value that lapses on its own.
  const claim = await claimEndNotice(deps.pool, runId, CLAIM_SECONDS);
  if (!claim) return false;
  let to: string;
  let run: Run | undefined;
  try {
    // Another caller may have posted and released between our read and our claim.
    if ((await pendingAnnouncement(deps.pool, runId))?.id !== pending.id) return false;
    run = await getRun(deps.pool, runId);
    if (!run) return false;
    const notice = pending.detail.notice as SlackMessage;
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
  } finally {
    // Posted: run.announced now keeps everyone off. Failed: a retry or the sweep may post at once.
    // A release that fails must not hide the Slack error; the claim then lapses by itself.
    await releaseEndNotice(deps.pool, runId, claim).catch((error: unknown) => deps.log.warn({ err: error, runId }, 'could not release the claim on a run’s end notice; it lapses by itself'));
  }
  if (to === 'thread') {
    // The notice is what people must see; the root and status edits follow it and may fail alone.
    await refreshThread(run, deps.slack).catch((error: unknown) => deps.log.warn({ err: error, runId }, 'run ended and the thread was told, but its status could not be updated'));
  }
  return to !== 'nobody';
}
