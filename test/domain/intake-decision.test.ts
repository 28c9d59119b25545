import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideIntake, type IntakeDecision } from '../../src/domain/intake-decision.ts';
import type { TicketEvent } from '../../src/domain/ticket-event.ts';
import type { TicketState } from '../../src/domain/ticket.ts';
import { RUN_STATUSES, TERMINAL_STATUSES, type RunStatus } from '../../src/domain/run.ts';
import type { IntakeRule } from '../../src/policy.ts';

const TODO: TicketState = { name: 'Todo', category: 'todo' };
const AGENT_READY: TicketState = { name: 'Agent Ready', category: 'todo' };
const IN_PROGRESS: TicketState = { name: 'In Progress', category: 'in_progress' };
const DONE: TicketState = { name: 'Done', category: 'done' };
const CANCELED: TicketState = { name: 'Canceled', category: 'cancelled' };

/** An update that changed nothing Baton looks at; each row says what it did change. */
function event(change: Partial<TicketEvent> = {}): TicketEvent {
  return {
    kind: 'updated',
    source: 'linear',
    ticketKey: 'ENG-1',
    team: 'ENG',
    labelsAdded: [],
    descriptionChanged: false,
    labels: [],
    state: TODO,
    priority: 'none',
    ...change,
  };
}

const LABEL: IntakeRule = { label: 'baton' };
const STATE: IntakeRule = { state: 'Agent Ready' };
const BOTH: IntakeRule = { label: 'baton', state: 'Agent Ready' };
const ACTIVE_STATUSES = RUN_STATUSES.filter((s) => !TERMINAL_STATUSES.includes(s));

interface Row {
  name: string;
  event: TicketEvent;
  rule: IntakeRule | undefined;
  active?: RunStatus;
  expected: IntakeDecision['kind'];
  stateName?: string;
}

const rows: Row[] = [
  // Labels: only a label the change added counts, matched without case.
  { name: 'the intake label was just added', event: event({ labelsAdded: ['baton'], labels: ['baton'] }), rule: LABEL, expected: 'start' },
  { name: 'the intake label was added in another case', event: event({ labelsAdded: ['Baton'], labels: ['Baton'] }), rule: LABEL, expected: 'start' },
  { name: 'the rule spells the label in another case', event: event({ labelsAdded: ['baton'], labels: ['baton'] }), rule: { label: 'BATON' }, expected: 'start' },
  { name: 'an accented spelling is another label', event: event({ labelsAdded: ['bâton'], labels: ['bâton'] }), rule: LABEL, expected: 'ignore' },
  { name: 'another label was added to a ticket that already had the intake label', event: event({ labelsAdded: ['Bug'], labels: ['baton', 'Bug'] }), rule: LABEL, expected: 'ignore' },
  { name: 'a ticket that has the label changed otherwise', event: event({ labels: ['baton'], descriptionChanged: true }), rule: LABEL, expected: 'ignore' },
  { name: 'the intake label was added, but the team’s rule is state-only', event: event({ labelsAdded: ['baton'], labels: ['baton'] }), rule: STATE, expected: 'ignore' },
  // States: only a state the change moved the ticket into counts, matched without case.
  { name: 'the ticket moved into the intake state', event: event({ stateChangedTo: AGENT_READY, state: AGENT_READY }), rule: STATE, expected: 'start' },
  {
    name: 'the ticket moved into the intake state, spelled in another case',
    event: event({ stateChangedTo: { name: 'AGENT ready', category: 'todo' }, state: { name: 'AGENT ready', category: 'todo' } }),
    rule: STATE,
    expected: 'start',
  },
  { name: 'the ticket moved into another state', event: event({ stateChangedTo: IN_PROGRESS, state: IN_PROGRESS }), rule: STATE, expected: 'ignore' },
  { name: 'the ticket already was in the intake state and changed otherwise', event: event({ state: AGENT_READY, labelsAdded: ['infra'] }), rule: STATE, expected: 'ignore' },
  { name: 'the ticket moved into a state named like the rule, but the rule is label-only', event: event({ stateChangedTo: AGENT_READY, state: AGENT_READY }), rule: LABEL, expected: 'ignore' },
  // A rule with both starts on either.
  { name: 'both-rule: label added', event: event({ labelsAdded: ['baton'], labels: ['baton'] }), rule: BOTH, expected: 'start' },
  { name: 'both-rule: state entered', event: event({ stateChangedTo: AGENT_READY, state: AGENT_READY }), rule: BOTH, expected: 'start' },
  { name: 'both-rule: neither', event: event({ labelsAdded: ['infra'], stateChangedTo: IN_PROGRESS, state: IN_PROGRESS }), rule: BOTH, expected: 'ignore' },
  // Created tickets: all labels count as added, and the state they are created in counts as entered.
  { name: 'created with the intake label', event: event({ kind: 'created', labelsAdded: ['baton', 'Bug'], labels: ['baton', 'Bug'] }), rule: LABEL, expected: 'start' },
  { name: 'created without the intake label', event: event({ kind: 'created', labelsAdded: ['Bug'], labels: ['Bug'] }), rule: LABEL, expected: 'ignore' },
  { name: 'created in the intake state', event: event({ kind: 'created', state: AGENT_READY }), rule: STATE, expected: 'start' },
  { name: 'created in another state', event: event({ kind: 'created', state: TODO }), rule: STATE, expected: 'ignore' },
  { name: 'created done, with the intake label', event: event({ kind: 'created', labelsAdded: ['baton'], labels: ['baton'], state: DONE }), rule: LABEL, expected: 'ignore' },
  // Finished tickets never start a run, whatever else the change did.
  { name: 'the intake label was added to a Done ticket', event: event({ labelsAdded: ['baton'], labels: ['baton'], state: DONE }), rule: LABEL, expected: 'ignore' },
  { name: 'the intake label was added to a Canceled ticket', event: event({ labelsAdded: ['baton'], labels: ['baton'], state: CANCELED }), rule: LABEL, expected: 'ignore' },
  { name: 'a ticket without a run was closed', event: event({ stateChangedTo: DONE, state: DONE, labels: ['baton'] }), rule: LABEL, expected: 'ignore' },
  // No rule: webhooks start nothing (only /agent fix does).
  { name: 'no rule, label added', event: event({ labelsAdded: ['baton'], labels: ['baton'] }), rule: undefined, expected: 'ignore' },
  { name: 'no rule, created', event: event({ kind: 'created', labelsAdded: ['baton'], labels: ['baton'] }), rule: undefined, expected: 'ignore' },
  // With an active run: closing cancels it, a description edit resumes one that waits for it, nothing starts a second.
  { name: 'closed (done) with an active run', event: event({ stateChangedTo: DONE, state: DONE }), rule: LABEL, active: 'queued', expected: 'cancel', stateName: 'Done' },
  { name: 'canceled with an active run', event: event({ stateChangedTo: CANCELED, state: CANCELED }), rule: LABEL, active: 'running', expected: 'cancel', stateName: 'Canceled' },
  { name: 'closed with an active run, and the team has no rule', event: event({ stateChangedTo: DONE, state: DONE }), rule: undefined, active: 'awaiting_approval', expected: 'cancel', stateName: 'Done' },
  {
    name: 'closed with its description edited while the run waits for clarification: cancelling wins',
    event: event({ stateChangedTo: DONE, state: DONE, descriptionChanged: true }),
    rule: LABEL,
    active: 'needs_clarification',
    expected: 'cancel',
    stateName: 'Done',
  },
  { name: 'description edited while the run waits for clarification', event: event({ descriptionChanged: true }), rule: LABEL, active: 'needs_clarification', expected: 'resume' },
  { name: 'description edited while the run waits, team without a rule', event: event({ descriptionChanged: true }), rule: undefined, active: 'needs_clarification', expected: 'resume' },
  { name: 'the label added again while a run is active', event: event({ labelsAdded: ['baton'], labels: ['baton'] }), rule: LABEL, active: 'queued', expected: 'ignore' },
  { name: 'created while a run is active (slash command first)', event: event({ kind: 'created', labelsAdded: ['baton'], labels: ['baton'] }), rule: LABEL, active: 'queued', expected: 'ignore' },
  { name: 'moved into the intake state while a run is active', event: event({ stateChangedTo: AGENT_READY, state: AGENT_READY }), rule: STATE, active: 'running', expected: 'ignore' },
  { name: 'moved to In Progress while a run is active', event: event({ stateChangedTo: IN_PROGRESS, state: IN_PROGRESS }), rule: LABEL, active: 'running', expected: 'ignore' },
  // Resume only from needs_clarification: every other active status ignores a description edit.
  ...ACTIVE_STATUSES.filter((s) => s !== 'needs_clarification').map(
    (status): Row => ({ name: `description edited while the run is ${status}`, event: event({ descriptionChanged: true }), rule: LABEL, active: status, expected: 'ignore' }),
  ),
  // A description edit with no active run starts nothing (the rule is about labels and states).
  { name: 'description edited, no active run', event: event({ descriptionChanged: true, labels: ['baton'] }), rule: LABEL, expected: 'ignore' },
];

for (const row of rows) {
  test(`decideIntake: ${row.name} → ${row.expected}`, () => {
    const decision = decideIntake(row.event, row.rule, row.active ? { status: row.active } : undefined);
    assert.equal(decision.kind, row.expected, JSON.stringify(decision));
    if (decision.kind === 'cancel') assert.equal(decision.stateName, row.stateName);
    if (decision.kind === 'ignore') assert.ok(decision.reason.length > 0, 'an ignore says why');
  });
}

test('decideIntake: a ticket closed while its run has a PR or is merging is left to GitHub (the close may be the merge itself)', () => {
  // "Fixes ENG-123" in the PR body: Linear moves ENG-123 to Done when the PR merges, maybe before GitHub's event arrives.
  const merged = decideIntake(event({ stateChangedTo: DONE, state: DONE }), LABEL, { status: 'awaiting_approval', prNumber: 42 });
  assert.equal(merged.kind, 'ignore');
  assert.match((merged as { reason: string }).reason, /PR #42.*GitHub/);
  for (const status of ['merging', 'deploying'] as const) {
    const owned = decideIntake(event({ stateChangedTo: DONE, state: DONE }), LABEL, { status });
    assert.equal(owned.kind, 'ignore', status);
    assert.match((owned as { reason: string }).reason, new RegExp(status));
  }
  assert.equal(decideIntake(event({ stateChangedTo: DONE, state: DONE }), LABEL, { status: 'awaiting_approval', prNumber: null }).kind, 'cancel');
});

test('decideIntake: a deleted ticket cancels its run, and starts nothing without one', () => {
  assert.deepEqual(decideIntake(event({ kind: 'deleted' }), LABEL, { status: 'running' }), { kind: 'cancel', stateName: 'deleted' });
  assert.equal(decideIntake(event({ kind: 'deleted', labelsAdded: ['baton'] }), LABEL, undefined).kind, 'ignore');
});

test('decideIntake: an ignore with an active run names its status; one for a finished ticket names the state', () => {
  const busy = decideIntake(event({ labelsAdded: ['baton'] }), LABEL, { status: 'awaiting_approval' });
  assert.equal(busy.kind, 'ignore');
  assert.match((busy as { reason: string }).reason, /awaiting_approval/);
  const closed = decideIntake(event({ labelsAdded: ['baton'], state: { name: 'Won’t Do', category: 'cancelled' } }), LABEL, undefined);
  assert.equal(closed.kind, 'ignore');
  assert.match((closed as { reason: string }).reason, /Won’t Do/);
});

test('decideIntake: closing the ticket cancels only a run before merging; none is resumed except needs_clarification', () => {
  for (const status of ACTIVE_STATUSES) {
    const beforeMerge = !['merging', 'deploying', 'awaiting_deploy_approval'].includes(status);
    assert.equal(decideIntake(event({ stateChangedTo: DONE, state: DONE }), LABEL, { status }).kind, beforeMerge ? 'cancel' : 'ignore', status);
    assert.equal(decideIntake(event({ kind: 'deleted' }), LABEL, { status }).kind, beforeMerge ? 'cancel' : 'ignore', `deleted, ${status}`);
    const resumed = decideIntake(event({ descriptionChanged: true }), LABEL, { status }).kind === 'resume';
    assert.equal(resumed, status === 'needs_clarification', status);
  }
});
