import type { AgentPolicy } from '../policy.ts';

/** Why the coder's beforeTurn stops the loop; the first four end the run, the last two steer it. */
export type CoderStopCode = 'time_limit' | 'turn_limit' | 'budget_exhausted' | 'budget_paused' | 'reproduce_nudge' | 'no_reproduction';

export interface LimitState {
  /** Model calls already made in this run, across pauses. */
  turnsDone: number;
  /** Dollars spent by the run so far, across pauses. */
  spentUsd: number;
  capUsd: number;
  budgetAcknowledged: boolean;
  elapsedMs: number;
  reproduced: boolean;
  /** Turn count from which the reproduction window runs (0, or where a person's answer arrived). */
  reproduceFrom: number;
  /** Turn count at which the model was told to ask, if it was. */
  reproduceNudgedAt: number | undefined;
}

/** Turns the model gets after the nudge to ask its question before Baton asks on its behalf. */
export const TURNS_AFTER_REPRODUCE_NUDGE = 2;

/** Checked before every model call: the first limit reached, or undefined to go on. */
export function limitReached(state: LimitState, limits: AgentPolicy['limits']): CoderStopCode | undefined {
  if (state.elapsedMs >= limits.minutes * 60_000) return 'time_limit';
  if (state.turnsDone >= limits.turns) return 'turn_limit';
  if (state.spentUsd >= state.capUsd) return 'budget_exhausted';
  if (!state.budgetAcknowledged && state.spentUsd >= limits.ask_at_fraction * state.capUsd) return 'budget_paused';
  if (state.reproduced) return undefined;
  if (state.reproduceNudgedAt !== undefined) {
    return state.turnsDone - state.reproduceNudgedAt >= TURNS_AFTER_REPRODUCE_NUDGE ? 'no_reproduction' : undefined;
  }
  return state.turnsDone - state.reproduceFrom >= limits.reproduce_within_turns ? 'reproduce_nudge' : undefined;
}

const usd = (n: number): string => `$${n.toFixed(2)}`;

/** The failed outcome's reason for a limit that ends the run: what happened and what a person can do. */
export function limitReason(code: 'time_limit' | 'turn_limit' | 'budget_exhausted', state: LimitState, limits: AgentPolicy['limits']): string {
  switch (code) {
    case 'time_limit':
      return `The agent worked for its whole ${limits.minutes}-minute limit without a proven fix. Retry the run, make the ticket narrower, or raise agent.limits.minutes in baton.yml.`;
    case 'turn_limit':
      return `The agent used all ${limits.turns} of its turns without a proven fix. Retry the run, make the ticket narrower, or raise agent.limits.turns in baton.yml.`;
    case 'budget_exhausted':
      return `The agent spent ${usd(state.spentUsd)} and reached its ${usd(state.capUsd)} cap without a proven fix. Retry the run for a fresh budget, or raise agent.limits.dollars in baton.yml.`;
  }
}
