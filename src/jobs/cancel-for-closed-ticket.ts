import { isClosed, ticketMayCancel } from '../domain/intake-decision.ts';
import { CANCELLABLE_BY_TICKET, type Run } from '../domain/run.ts';
import type { Ticket, TicketState } from '../domain/ticket.ts';
import { TrackerError } from '../integrations/trackers/ticket-tracker.ts';
import { runCancelledByTicketMessage, ticketDeletedMessage } from '../bot/views/ticket-event-messages.ts';
import { cancelRun, type CancelRunDeps } from './cancel-run.ts';
import type { ResolvedTicket } from './tracker-routes.ts';

/** What the tracker says now about a ticket: closed (with its state), deleted, or still open. */
export type TicketClosure = { kind: 'closed'; state: TicketState } | { kind: 'deleted' } | { kind: 'open' };

export function closureOf(ticket: Ticket): TicketClosure {
  return isClosed(ticket.state) ? { kind: 'closed', state: ticket.state } : { kind: 'open' };
}

/**
 * Asks the tracker, the source of truth, whether the ticket is closed: a webhook can arrive long
 * after the change it reports (Jira retries for about 30 minutes) and after the ticket reopened.
 * "Not found" means deleted; any other failure is thrown, for the caller's retry.
 */
export async function readClosure(key: string, route: ResolvedTicket): Promise<TicketClosure> {
  try {
    return closureOf(await route.tracker.getTicket(key));
  } catch (error) {
    if (error instanceof TrackerError && error.code === 'not_found') return { kind: 'deleted' };
    throw error;
  }
}

/**
 * Cancels a run whose ticket is closed or deleted, if the ticket may still stop it (see
 * ticketMayCancel; the status list is checked again in the update, in case it moved on).
 */
export async function cancelForClosedTicket(
  run: Pick<Run, 'id' | 'ticketKey' | 'status' | 'prNumber'>,
  closure: TicketClosure,
  actor: string,
  route: Pick<ResolvedTicket, 'trackerLabel'>,
  deps: CancelRunDeps,
): Promise<Run | undefined> {
  if (closure.kind === 'open' || !ticketMayCancel(run)) return undefined;
  const { ticketKey } = run;
  const tracker = route.trackerLabel;
  const cause =
    closure.kind === 'deleted'
      ? { reason: `${ticketKey} no longer exists in ${tracker}`, notice: ticketDeletedMessage(ticketKey, tracker) }
      : { reason: `${ticketKey} was moved to ${closure.state.name} in ${tracker}`, notice: runCancelledByTicketMessage(ticketKey, closure.state.name, tracker) };
  return cancelRun(run.id, { actor, ...cause, from: CANCELLABLE_BY_TICKET }, deps);
}
