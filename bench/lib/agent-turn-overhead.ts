import type { Workspace } from '../../src/integrations/git/workspace.ts';
import type { AgentDatabase } from './agent-database.ts';
import { timedModel, timedSandbox, type CallSpan } from './agent-wrappers.ts';
import type { AgentWorld } from './agent-world.ts';

/** Baton's own time between two model calls: what the turn cost besides the model. */
export interface TurnGap {
  /** From the end of model call `turn` (its answer read, usage priced) to the start of the next call. */
  ms: number;
  /** Of which inside the sandbox (bash commands: bwrap's start, the command, output capture). */
  sandboxMs: number;
  /** Of which writing the call to agent_calls (0 without a database). */
  dbMs: number;
  /** Whether a sandboxed command ran in this turn (bash), else an editor call. */
  bash: boolean;
}

export interface RunTiming {
  outcome: string;
  turns: number;
  gaps: TurnGap[];
  /** Time inside the model client (request, the fake's answer streamed back, parsed): left out of the gaps. */
  modelMs: number[];
  /** From runCoder's start to its first model call (repository notes, first message, tools). */
  startMs: number;
  /** From the last model call's end to runCoder's return: finish, then Baton's gates (test runs, commit, diff). */
  proveMs: number;
}

const within = (spans: CallSpan[], from: number, to: number): number =>
  spans.filter((s) => s.start >= from && s.end <= to).reduce((sum, s) => sum + (s.end - s.start), 0);

/**
 * One scripted runCoder on `workspace`, with the model client, the sandbox and the database write
 * timed, cut into turns at the model calls. The model's latency is left out by construction: a
 * turn's gap starts when the model call returned and ends when the next one starts.
 */
export async function timeCoderRun(
  world: AgentWorld,
  options: { workspace: Workspace; modelUrl: string; db: AgentDatabase | undefined },
): Promise<RunTiming> {
  const modelSpans: CallSpan[] = [];
  const sandboxSpans: CallSpan[] = [];
  const dbSpans: CallSpan[] = [];
  const runId = options.db ? await options.db.newRun(world.ticketKeyOf(options.workspace)) : undefined;
  const started = performance.now();
  const result = await world.runCoder({
    workspace: options.workspace,
    model: timedModel(world.modelClient(options.modelUrl), modelSpans),
    sandbox: timedSandbox(world.sandbox, sandboxSpans),
    onModelCall: async (call) => {
      if (!options.db || !runId) return;
      const span = { start: performance.now(), end: Number.NaN };
      await options.db.recordCall(runId, call);
      span.end = performance.now();
      dbSpans.push(span);
    },
  });
  const ended = performance.now();
  const gaps: TurnGap[] = [];
  for (let i = 0; i + 1 < modelSpans.length; i++) {
    const from = modelSpans[i]!.end;
    const to = modelSpans[i + 1]!.start;
    const sandboxMs = within(sandboxSpans, from, to);
    gaps.push({ ms: to - from, sandboxMs, dbMs: within(dbSpans, from, to), bash: sandboxSpans.some((s) => s.start >= from && s.end <= to) });
  }
  return {
    outcome: result.outcome.kind === 'failed' ? `failed (${result.outcome.code}: ${result.outcome.reason})` : result.outcome.kind,
    turns: result.turns,
    gaps,
    modelMs: modelSpans.map((s) => s.end - s.start),
    startMs: (modelSpans[0]?.start ?? ended) - started,
    proveMs: ended - (modelSpans.at(-1)?.end ?? started),
  };
}
