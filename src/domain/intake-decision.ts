import type { IntakeRule } from '../policy.ts';
import { CANCELLABLE_BY_TICKET, type RunStatus } from './run.ts';
import type { TicketEvent } from './ticket-event.ts';

export type IntakeDecision =
  | { kind: 'start' }
  | { kind: 'cancel'; stateName: string }
  | { kind: 'resume' }
  | { kind: 'ignore'; reason: string };

const same = (a: string, b: string): boolean => a.localeCompare(b, undefined, { sensitivity: 'accent' }) === 0;

/**
 * What a ticket event means for Baton, given the team's intake rule and the ticket's active run
 * (if any). Pure, so every rule is tested without a tracker or a queue.
 * - A closed, cancelled or deleted ticket cancels its active run, unless the run is past the point
 *   a ticket may stop it (see ticketMayCancel). The caller confirms with the tracker first: the
 *   event may be late or out of order.
 * - A description edit resumes a run that waits for clarification.
 * - Otherwise a ticket without an active run starts one when it just gained the rule's label or
 *   just moved to the rule's state (a newly created ticket counts as both).
 */
export function decideIntake(event: TicketEvent, rule: IntakeRule | undefined, activeRun: ActiveRun | undefined): IntakeDecision {
  const closed = event.kind === 'deleted' || isClosed(event.state);
  if (activeRun) {
    if (closed) {
      if (ticketMayCancel(activeRun)) return { kind: 'cancel', stateName: event.kind === 'deleted' ? 'deleted' : event.state.name };
      return { kind: 'ignore', reason: `the ticket closed, but the run is ${activeRun.prNumber ? `on PR #${activeRun.prNumber}` : activeRun.status}: GitHub's merge or close ends it` };
    }
    if (event.descriptionChanged && activeRun.status === 'needs_clarification') return { kind: 'resume' };
    return { kind: 'ignore', reason: `the ticket already has an active run (${activeRun.status})` };
  }
  if (!rule) return { kind: 'ignore', reason: 'the team has no intake rule in baton.yml' };
  if (event.kind === 'deleted') return { kind: 'ignore', reason: 'the ticket was deleted' };
  if (closed) return { kind: 'ignore', reason: `the ticket is ${event.state.name}` };
  const labelled = rule.label !== undefined && event.labelsAdded.some((l) => same(l, rule.label!));
  const enteredState = event.kind === 'created' ? event.state : event.stateChangedTo;
  const moved = rule.state !== undefined && enteredState !== undefined && same(enteredState.name, rule.state);
  if (labelled || moved) return { kind: 'start' };
  return { kind: 'ignore', reason: 'the change matches neither the intake label nor the intake state' };
}

type ActiveRun = { status: RunStatus; prNumber?: number | null };

export function isClosed(state: { category: string }): boolean {
  return state.category === 'done' || state.category === 'cancelled';
}

/**
 * Whether closing (or deleting) the ticket may cancel this run: only before it has a PR and
 * before Baton merges. A PR means the close may be the tracker reacting to that PR's merge.
 */
export function ticketMayCancel(run: ActiveRun): boolean {
  return CANCELLABLE_BY_TICKET.includes(run.status) && !run.prNumber;
}
