import type { GateFailure, GateName } from '../domain/agent-outcome.ts';
import type { Ticket } from '../domain/ticket.ts';

/** The sentences a person reads in the thread (and on the ticket) when the coder stops without a proof. */

const GATE_LABELS: Record<GateName, string> = {
  fail_to_pass: 'FAIL_TO_PASS',
  suite_green: 'test suite',
  test_deleted: 'deleted test',
  assertion_weakened: 'weakened assertion',
  diff_too_large: 'diff size',
  sensitive_path: 'sensitive path',
  no_change: 'no change',
  no_test: 'no test',
};

/** Text from elsewhere as one sentence: trimmed, ending in exactly one full stop (or its own ? or !). */
export function asSentence(text: string): string {
  const trimmed = text.trim().replace(/[.\s]+$/, '');
  return /[?!]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

export function gateFailedReason(failures: readonly GateFailure[], attempts: number): string {
  const each = failures.map((f) => `${GATE_LABELS[f.gate]}: ${asSentence(f.reason)}`).join('\n');
  const times = attempts === 1 ? 'once' : `${attempts} times`;
  return `Baton's checks still failed after the agent finished ${times}. Nothing was pushed: retry the run, or make the change by hand.\n${each}`;
}

export function refusalReason(category: string | null, explanation: string): string {
  const why = explanation.trim() ? asSentence(explanation) : 'It gave no explanation.';
  return `The model declined to work on this ticket${category ? ` (${category})` : ''}: ${why} Reword the ticket if it was misread, then retry.`;
}

export function spendLimitReason(message: string): string {
  return `${asSentence(message)} Raise the organisation's spend limit with Anthropic, then retry the run.`;
}

export function contextWindowReason(reason: string): string {
  return `${asSentence(reason)} Retry the run with a narrower ticket, or split it.`;
}

export function noFinishReason(lastText: string): string {
  const said = lastText.trim();
  const quote = said ? ` Its last words: "${said.length > 400 ? `${said.slice(0, 399)}…` : said}"` : '';
  return `The agent stopped twice without calling finish or asking a question, so there is no change to check.${quote} Retry the run, or add detail to the ticket.`;
}

/** Baton's own question when the agent could not reproduce the bug and did not ask. */
export function noReproductionQuestion(ticket: Ticket, turns: number, lastNotes: string | undefined): string {
  const notes = lastNotes ? ` The agent's last notes: "${lastNotes}"` : '';
  return `I could not reproduce ${ticket.key} with a failing test after ${turns} turns. Could you give the exact input or steps that show the bug, and the result you expected?${notes}`;
}
