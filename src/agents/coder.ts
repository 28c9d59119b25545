import type Anthropic from '@anthropic-ai/sdk';
import type { AgentOutcome } from '../domain/agent-outcome.ts';
import type { ProgressStep } from '../domain/run-progress.ts';
import type { Ticket } from '../domain/ticket.ts';
import type { Workspace } from '../integrations/git/workspace.ts';
import type { Logger } from '../logger.ts';
import type { AgentPolicy, OutcomeGatesPolicy, SandboxPolicy } from '../policy.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';
import {
  ANSWER_MARKER, CONTINUE_NOTE, GATE_FAILURE_MARKER, NO_FINISH_NOTE, REPRODUCE_MARKER,
  answerNote, appendToLastUser, assistantTurns, countNotes, gateFailureNote, lastAgentText, reproduceNote, turnsBeforeLastNote,
} from './coder-conversation.ts';
import {
  contextWindowReason, gateFailedReason, noFinishReason, noReproductionQuestion, refusalReason, spendLimitReason,
} from './coder-reasons.ts';
import { limitReached, limitReason, type CoderStopCode, type LimitState } from './coder-limits.ts';
import { coderSystem, firstUserMessage } from './coder-prompt.ts';
import { ReproductionWatch } from './coder-reproduction.ts';
import type { ModelCall, ModelClient } from './model-client.ts';
import { ModelError } from './model-error.ts';
import { proveChange, type ProveChangeDeps } from './prove-change.ts';
import { readRepoNotes } from './read-repo-notes.ts';
import { runToolLoop, type LoopResult } from './tool-loop.ts';
import { coderTools } from './tools/coder-tools.ts';
import type { CoderStop } from './tools/coder-stop.ts';

export interface CoderInput {
  runId: string;
  ticket: Ticket;
  /** The run's worktree on its branch; Baton commits the proven change there. */
  workspace: Workspace;
  /** The repository's test command (baton.yml repos.<r>.test), run by Baton's gates and offered to the model. */
  testCommand: string;
  /**
   * repos.<r>.install. The job ran it on the base commit before the agent started; Baton's gates run
   * it again, without the network, only on a change that touches a dependency manifest.
   */
  installCommand?: string;
  /**
   * A parked run going on: the conversation saved from the last CoderResult, and the person's answer
   * to the agent's question (absent after a budget pause, where a "continue" note is added instead).
   */
  resume?: { conversation: Anthropic.MessageParam[]; answer?: string; answeredBy?: string };
  /** Dollars the run has already spent (earlier attempts, before a pause). */
  spentUsd: number;
  /** The run's dollar cap (agent.limits.dollars, or raised once by Continue). */
  capUsd: number;
  /** Someone chose Continue at the budget prompt: do not ask again, stop only at the cap. */
  budgetAcknowledged: boolean;
  /** When the agent's work on the run began (epoch ms), for agent.limits.minutes; default now. */
  startedAt?: number;
}

export interface CoderDeps {
  model: ModelClient;
  sandbox: Sandbox;
  /** False where bubblewrap cannot run and policy allows running unsandboxed: run_tests replaces bash. */
  offerBash: boolean;
  workspaces: ProveChangeDeps['workspaces'];
  policy: { agent: AgentPolicy; sandbox: SandboxPolicy; gates: OutcomeGatesPolicy };
  log: Logger;
  /** Aborts on cancel or a lost agent slot; the abort propagates as an error. */
  signal: AbortSignal;
  /** A checklist step done ('reproduced', 'fix_written', 'tests_green'), each at most once per call. */
  onProgress(step: ProgressStep): Promise<void>;
  /** After every model call, to store its usage and cost; `turn` counts the run's model calls from 1, across pauses. */
  onModelCall(call: ModelCall & { turn: number }): Promise<void>;
  /** Prompt-caching breakpoints on the model requests (default true); see ToolLoopOptions. */
  promptCaching?: boolean;
  now?: () => number;
}

export type CoderOutcome = AgentOutcome | { kind: 'budget_paused'; spentUsd: number; capUsd: number };

export interface CoderResult {
  outcome: CoderOutcome;
  /** The whole conversation, valid to send again: what the job saves so a parked run resumes. */
  conversation: Anthropic.MessageParam[];
  /** Dollars spent by this call (not counting input.spentUsd). */
  costUsd: number;
  /** Model calls made by this call. */
  turns: number;
}

/**
 * The coder agent: the tool loop on the ticket until the model calls finish and Baton's own gates
 * prove the change, or it asks a question, or a limit is reached. Writes nothing to the database
 * or Slack itself: the callbacks and the result do.
 */
export async function runCoder(input: CoderInput, deps: CoderDeps): Promise<CoderResult> {
  const now = deps.now ?? Date.now;
  const startedAt = input.startedAt ?? now();
  const { agent, gates } = deps.policy;
  const limits = agent.limits;
  const log = deps.log.child({ runId: input.runId, ticket: input.ticket.key });

  const progressed = new Set<ProgressStep>();
  const progress = async (step: ProgressStep): Promise<void> => {
    if (progressed.has(step)) return;
    progressed.add(step);
    await deps.onProgress(step);
  };
  const watch = new ReproductionWatch(gates.test_paths, () => progress('reproduced'));
  const tools = coderTools({
    worktree: input.workspace.path, sandbox: deps.sandbox, policy: deps.policy.sandbox, testCommand: input.testCommand, offerBash: deps.offerBash,
  }).map((tool) => watch.wrap(tool));

  let messages = await openingConversation(input, deps.offerBash);
  watch.replay(messages);
  const priorTurns = assistantTurns(messages);
  const reproduceFrom = turnsBeforeLastNote(messages, ANSWER_MARKER) ?? 0;
  const nudged = turnsBeforeLastNote(messages, REPRODUCE_MARKER);
  let reproduceNudgedAt = nudged !== undefined && nudged >= reproduceFrom ? nudged : undefined;
  let calls = 0;
  let costUsd = 0;
  let finishNudged = false;

  const limitState = (): LimitState => ({
    turnsDone: priorTurns + calls, spentUsd: input.spentUsd + costUsd, capUsd: input.capUsd, budgetAcknowledged: input.budgetAcknowledged,
    elapsedMs: now() - startedAt, reproduced: watch.reproduced, reproduceFrom, reproduceNudgedAt,
  });
  const done = (outcome: CoderOutcome): CoderResult => {
    log.info({ outcome: outcome.kind, code: outcome.kind === 'failed' ? outcome.code : undefined, turns: calls, costUsd }, 'coder finished');
    return { outcome, conversation: messages, costUsd, turns: calls };
  };
  const failed = (code: string, reason: string): CoderResult => done({ kind: 'failed', code, reason });

  /** Baton's gates on the change; undefined when the failures went back to the model to fix. */
  const prove = async (summary: string): Promise<CoderResult | undefined> => {
    const proof = await proveChange(
      {
        workspace: input.workspace, testCommand: input.testCommand, installCommand: input.installCommand, ticketLabels: input.ticket.labels,
        commitMessage: `${input.ticket.key}: ${input.ticket.title}\n\n${summary}`, policy: gates, sandboxPolicy: deps.policy.sandbox, signal: deps.signal,
      },
      { sandbox: deps.sandbox, workspaces: deps.workspaces },
    );
    if (proof.ok || !proof.failures.some((f) => f.gate === 'no_change')) await progress('fix_written');
    if (proof.ok) {
      await progress('tests_green');
      return done({ kind: 'proven', summary, evidence: proof.evidence, headSha: proof.headSha, diff: proof.diff });
    }
    const sentBack = countNotes(messages, GATE_FAILURE_MARKER);
    log.info({ failures: proof.failures.map((f) => f.gate), sentBack }, 'outcome gates failed');
    if (sentBack >= limits.gate_attempts) return failed('gate_failed', gateFailedReason(proof.failures, sentBack + 1));
    messages = appendToLastUser(messages, gateFailureNote(proof.failures, limits.gate_attempts - sentBack));
    return undefined;
  };

  for (;;) {
    let result: LoopResult<CoderStop>;
    try {
      result = await runToolLoop<CoderStop>({
        model: deps.model, system: coderSystem(), tools, messages, maxTokens: agent.max_tokens, signal: deps.signal,
        promptCaching: deps.promptCaching,
        beforeTurn: async () => limitReached(limitState(), limits),
        onModelCall: async (call) => {
          calls += 1;
          costUsd += call.costUsd;
          await deps.onModelCall({ ...call, turn: priorTurns + calls });
        },
      });
    } catch (error) {
      if (error instanceof ModelError && error.code === 'spend_limit') return failed('spend_limit', spendLimitReason(error.message));
      throw error;
    }
    messages = result.messages;
    const end = result.end;

    switch (end.kind) {
      case 'terminal': {
        if (end.value.kind === 'clarify') return done({ kind: 'needs_clarification', question: end.value.question });
        const outcome = await prove(end.value.summary);
        if (outcome) return outcome;
        continue;
      }
      case 'end_turn':
        if (finishNudged) return failed('no_finish', noFinishReason(end.text));
        finishNudged = true;
        messages = appendToLastUser(messages, NO_FINISH_NOTE);
        continue;
      case 'refusal':
        return failed('model_refused', refusalReason(end.category, end.explanation));
      case 'context_window':
        return failed('context_window', contextWindowReason(end.reason));
      case 'stopped': {
        const code = stopCode(end.value);
        const state = limitState();
        if (code === 'budget_paused') return done({ kind: 'budget_paused', spentUsd: state.spentUsd, capUsd: state.capUsd });
        if (code === 'reproduce_nudge') {
          reproduceNudgedAt = state.turnsDone;
          messages = appendToLastUser(messages, reproduceNote(state.turnsDone - reproduceFrom));
          continue;
        }
        if (code === 'no_reproduction') {
          return done({ kind: 'needs_clarification', question: noReproductionQuestion(input.ticket, state.turnsDone - reproduceFrom, lastAgentText(messages)) });
        }
        return failed(code, limitReason(code, state, limits));
      }
    }
  }
}

// Only beforeTurn stops the loop, and it returns only these codes.
const stopCode = (value: string): CoderStopCode => value as CoderStopCode;

async function openingConversation(input: CoderInput, offerBash: boolean): Promise<Anthropic.MessageParam[]> {
  if (input.resume) {
    const { conversation, answer, answeredBy } = input.resume;
    return appendToLastUser(conversation, answer !== undefined ? answerNote(answer, answeredBy) : CONTINUE_NOTE);
  }
  const notes = await readRepoNotes(input.workspace.path);
  return [firstUserMessage({ ticket: input.ticket, notes, testCommand: input.testCommand, offerBash })];
}
