import { appendAudit } from '../db/audit-log.ts';
import type { Pool } from '../db/pool.ts';
import { getRun } from '../db/runs.ts';
import type { NewRun, Run } from '../domain/run.ts';
import type { SlackMessage } from '../integrations/slack.ts';
import type { Logger } from '../logger.ts';
import { message, section } from '../bot/views/blocks.ts';
import { link } from '../bot/views/blocks.ts';
import type { Queue } from './queue.ts';
import type { StartRunResult } from './start-run.ts';

export interface RetryRunDeps {
  pool: Pool;
  queue: Pick<Queue, 'enqueue' | 'notify'>;
  log: Logger;
  startRun(input: NewRun): Promise<StartRunResult>;
  /** Why this Baton has no model (config.anthropicMissing as a sentence), or undefined when it has one. */
  agentMissing: string | undefined;
}

/** Shown only to the clicker. */
const reply = (text: string): SlackMessage => message(text, section(text));

/**
 * Retry on a run's thread. On a run that ended (failed, cancelled, rejected): a new run of the same
 * ticket, requested by the clicker, as `/agent fix` would start it (one active run per ticket still
 * holds). On a run waiting for a model: its job again, if this Baton has a model now; otherwise the
 * clicker is told what is still missing, and nothing changes.
 */
export async function retryRun(click: { runId: string; userId: string; channelId: string | undefined }, deps: RetryRunDeps): Promise<SlackMessage> {
  const run = await getRun(deps.pool, click.runId);
  if (!run) return reply('That run no longer exists; start a new one with `/agent fix <ticket>`.');
  const log = deps.log.child({ runId: run.id, ticket: run.ticketKey, user: click.userId });
  if (run.status === 'queued') {
    if (deps.agentMissing) return reply(`Still waiting: ${deps.agentMissing}`);
    await deps.queue.enqueue(deps.pool, 'run.fix', { runId: run.id }, { priority: run.priority });
    deps.queue.notify('run.fix');
    await appendAudit(deps.pool, { runId: run.id, actor: click.userId, action: 'run.retried' });
    log.info('run sent to its agent again on Retry');
    return reply(`Sent ${run.ticketKey} to the agent again.`);
  }
  if (!['failed', 'cancelled', 'rejected'].includes(run.status)) return reply(`${run.ticketKey} is not stuck (it is ${run.status.replace(/_/g, ' ')}); nothing to retry.`);
  const started = await deps.startRun({ ticketKey: run.ticketKey, source: 'slack', requestedBy: click.userId, channelId: run.channelId ?? click.channelId ?? null });
  await appendAudit(deps.pool, { runId: run.id, actor: click.userId, action: 'run.retried', detail: { newRun: started.run.id, outcome: started.kind } });
  log.info({ newRun: started.run.id, outcome: started.kind }, 'Retry on an ended run');
  return reply(started.kind === 'started' ? `Started a new run for ${run.ticketKey}; it opens its own thread.` : `${run.ticketKey} already has a run going${threadOf(started.run)}.`);
}

function threadOf(run: Run): string {
  return run.threadUrl ? `: ${link(run.threadUrl, 'its thread')}` : '';
}
