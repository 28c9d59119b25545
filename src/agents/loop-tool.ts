import type Anthropic from '@anthropic-ai/sdk';

/**
 * A tool the agent loop offers the model and executes itself. `T` is what a terminal tool
 * (finish, ask_clarification) hands back to end the loop.
 */
export interface LoopTool<T = never> {
  /** What the model sees: a client tool it was trained on (text editor, bash) or a custom one. */
  definition: Anthropic.ToolUnion;
  /** Read-only calls in one turn may run concurrently; the others run one after another, in order. */
  readOnly: boolean;
  run(input: unknown, context: { signal: AbortSignal }): Promise<ToolOutput<T>>;
}

export interface ToolOutput<T = never> {
  /** Already truncated at the source, head and tail, with a count of what was left out. */
  content: string;
  /** A failed tool answers `is_error` with a short reason, never an exception out of the loop. */
  isError?: boolean;
  /** Ends the loop once every call of this turn has its tool_result. */
  terminal?: T;
}
