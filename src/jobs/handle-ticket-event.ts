import { appendAudit } from '../db/audit-log.ts';
import { withTransaction, type Pool } from '../db/pool.ts';
import { findActiveRun } from '../db/runs.ts';
import { answerClarification } from '../db/run-agent.ts';
import { decideIntake } from '../domain/intake-decision.ts';
import type { TicketEvent } from '../domain/ticket-event.ts';
import type { SlackClient } from '../integrations/slack.ts';
import type { Logger } from '../logger.ts';
import { runResumedMessage } from '../bot/views/ticket-event-messages.ts';
import { cancelForClosedTicket, readClosure } from './cancel-for-closed-ticket.ts';
import type { Queue } from './queue.ts';
import type { StartRunResult } from './start-run.ts';
import type { TrackerRoutes } from './tracker-routes.ts';
import type { NewRun } from '../domain/run.ts';

export interface TicketEventDeps {
  pool: Pool;
  queue: Queue;
  slack: SlackClient | undefined;
  routes: TrackerRoutes;
  /** The same start-run function `/agent fix` uses (main.ts hands it over with its dependencies). */
  startRun(input: NewRun): Promise<StartRunResult>;
  log: Logger;
}

export type TicketEventOutcome = 'started' | 'already_running' | 'cancelled' | 'resumed' | 'ignored';

/** `intake.event` for Linear and Jira: apply the team's intake rule to one ticket change. */
export async function handleTicketEvent(event: TicketEvent, deps: TicketEventDeps): Promise<TicketEventOutcome> {
  const log = deps.log.child({ ticket: event.ticketKey, source: event.source, job: 'intake.event' });
  const route = deps.routes.resolve(event.ticketKey);
  if (!route || route.trackerName !== event.source) {
    log.info({ team: event.team }, 'ticket event ignored: its prefix is not a team in baton.yml for this tracker');
    return 'ignored';
  }
  const active = await findActiveRun(deps.pool, event.ticketKey);
  const decision = decideIntake(event, route.team.intake, active);
  switch (decision.kind) {
    case 'ignore':
      log.debug({ reason: decision.reason }, 'ticket event needs nothing');
      return 'ignored';
    case 'start': {
      const result = await deps.startRun({
        ticketKey: event.ticketKey,
        source: event.source,
        requestedBy: `${event.source} webhook`,
        channelId: route.team.channel,
        ticketPriority: event.priority,
      });
      log.info({ runId: result.run.id, outcome: result.kind }, 'ticket event matched the intake rule');
      return result.kind;
    }
    case 'cancel': {
      // The event may be stale (a retried delivery, a retried job); only the tracker's answer now counts.
      const closure = await readClosure(event.ticketKey, route);
      if (closure.kind === 'open') {
        log.info({ eventState: decision.stateName }, 'ticket event said closed, but the ticket is open now; the run goes on');
        return 'ignored';
      }
      const cancelled = await cancelForClosedTicket(active!, closure, `${event.source} webhook`, route, deps);
      return cancelled ? 'cancelled' : 'ignored';
    }
    case 'resume':
      return (await resumeRun(active!.id, event.ticketKey, deps, log)) ? 'resumed' : 'ignored';
  }
}

/**
 * A run waiting for clarification goes back in the queue, in the same transaction as its job. The
 * edited ticket is the answer: run.fix reads it afresh and resumes the saved conversation with it
 * (no thread answer is stored: answerClarification with null).
 */
async function resumeRun(runId: string, ticketKey: string, deps: TicketEventDeps, log: Logger): Promise<boolean> {
  const run = await withTransaction(deps.pool, async (tx) => {
    const resumed = await answerClarification(tx, runId, null, 'The ticket’s description changed; resuming.');
    if (!resumed) return undefined;
    await deps.queue.enqueue(tx, 'run.fix', { runId }, { priority: resumed.priority, singletonKey: ticketKey });
    await appendAudit(tx, { runId, actor: 'tracker', action: 'run.resumed', detail: { why: 'description edited' } });
    return resumed;
  });
  if (!run) return false;
  deps.queue.notify('run.fix');
  log.info({ runId }, 'run resumed after the description was edited');
  if (deps.slack && run.channelId && run.threadTs) {
    await deps.slack.postMessage(run.channelId, runResumedMessage(ticketKey), run.threadTs).catch((error: unknown) => {
      log.error({ err: error }, 'run resumed, but the thread could not be told');
    });
  }
  return true;
}
