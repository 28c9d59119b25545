import type { IntakeRule } from '../policy.ts';
import type { RunStatus } from './run.ts';
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
 * - A closed or cancelled ticket cancels its active run.
 * - A description edit resumes a run that waits for clarification.
 * - Otherwise a ticket without an active run starts one when it just gained the rule's label or
 *   just moved to the rule's state (a newly created ticket counts as both).
 */
export function decideIntake(event: TicketEvent, rule: IntakeRule | undefined, activeRun: { status: RunStatus } | undefined): IntakeDecision {
  if (activeRun) {
    if (event.state.category === 'done' || event.state.category === 'cancelled') return { kind: 'cancel', stateName: event.state.name };
    if (event.descriptionChanged && activeRun.status === 'needs_clarification') return { kind: 'resume' };
    return { kind: 'ignore', reason: `the ticket already has an active run (${activeRun.status})` };
  }
  if (!rule) return { kind: 'ignore', reason: 'the team has no intake rule in baton.yml' };
  if (event.state.category === 'done' || event.state.category === 'cancelled') return { kind: 'ignore', reason: `the ticket is ${event.state.name}` };
  const labelled = rule.label !== undefined && event.labelsAdded.some((l) => same(l, rule.label!));
  const enteredState = event.kind === 'created' ? event.state : event.stateChangedTo;
  const moved = rule.state !== undefined && enteredState !== undefined && same(enteredState.name, rule.state);
  if (labelled || moved) return { kind: 'start' };
  return { kind: 'ignore', reason: 'the change matches neither the intake label nor the intake state' };
}
