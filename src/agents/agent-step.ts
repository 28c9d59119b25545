import type Anthropic from '@anthropic-ai/sdk';
import type { AgentOutcome } from '../domain/agent-outcome.ts';
import type { Run } from '../domain/run.ts';
import type { Ticket } from '../domain/ticket.ts';
import type { Workspace } from '../integrations/git/workspace.ts';

/**
 * The agent's part of a run, as run.fix calls it while the run holds an agent slot. It lives in
 * `agents` (not `jobs`) so the agents never import jobs: jobs hand it in, agents implement it.
 */
export interface AgentStepInput {
  run: Run;
  ticket: Ticket;
  /** Aborts when the run was cancelled meanwhile, or its agent slot was lost (this worker stalled past its lease): stop working. */
  signal: AbortSignal;
}

/** Where the agent left the run; Baton moves it (src/jobs/apply-agent-outcome.ts) in one transaction. */
export type AgentStepResult =
  /** Proven by Baton's own gates, committed on the run's branch in `workspace`, ready to publish. */
  | (Extract<AgentOutcome, { kind: 'proven' }> & { workspace: Workspace })
  /** The agent asked; the conversation is saved so the answer resumes it. */
  | (Extract<AgentOutcome, { kind: 'needs_clarification' }> & { conversation: Anthropic.MessageParam[]; workspace?: Workspace })
  /** Near the dollar cap: the run waits for Continue / Stop with its conversation saved. */
  | { kind: 'budget_paused'; costUsd: number; capUsd: number; conversation: Anthropic.MessageParam[]; workspace?: Workspace }
  | Extract<AgentOutcome, { kind: 'failed' }>;

/**
 * Returns where the run goes next; `undefined` leaves the run as it is (a step that moves the run
 * itself, like the slot tests' stand-ins).
 */
export type AgentStep = (input: AgentStepInput) => Promise<AgentStepResult | undefined | void>;
