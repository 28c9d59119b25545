import type Anthropic from '@anthropic-ai/sdk';
import type { LoopTool, ToolOutput } from './loop-tool.ts';

export interface ToolCallAnswers<T> {
  /** One tool_result per call, in the order of the calls. */
  results: Anthropic.ToolResultBlockParam[];
  /** The first terminal value a tool returned this turn, if any. */
  terminal?: { value: T };
}

const MAX_REASON_CHARS = 500;

/**
 * Runs the tool calls of one assistant message and answers every one of them. Consecutive
 * read-only calls run concurrently; any other call waits for everything before it and runs alone,
 * so a read after a write sees the write. A tool that throws, or that does not exist, answers
 * `is_error` with a short reason: the model can correct itself, and no call is left unanswered.
 * Only an abort of the run escapes.
 */
export async function answerToolCalls<T>(
  calls: readonly Anthropic.ToolUseBlock[],
  tools: readonly LoopTool<T>[],
  signal: AbortSignal,
): Promise<ToolCallAnswers<T>> {
  const byName = new Map(tools.map((tool) => [nameOf(tool.definition), tool]));
  const outputs: ToolOutput<T>[] = [];
  let batch: Promise<ToolOutput<T>>[] = [];
  const flush = async () => {
    outputs.push(...(await Promise.all(batch)));
    batch = [];
  };

  for (const call of calls) {
    const tool = byName.get(call.name);
    if (!tool || tool.readOnly) {
      batch.push(runOne(call, tool, byName, signal));
      continue;
    }
    await flush();
    outputs.push(await runOne(call, tool, byName, signal));
  }
  await flush();
  signal.throwIfAborted();

  const results = calls.map((call, i): Anthropic.ToolResultBlockParam => {
    const output = outputs[i]!;
    // An empty tool_result reads to the model like a lost answer; say there was nothing.
    const content = output.content === '' ? '(no output)' : output.content;
    return output.isError ? { type: 'tool_result', tool_use_id: call.id, content, is_error: true } : { type: 'tool_result', tool_use_id: call.id, content };
  });
  const terminal = outputs.find((output) => output.terminal !== undefined);
  return terminal ? { results, terminal: { value: terminal.terminal as T } } : { results };
}

async function runOne<T>(
  call: Anthropic.ToolUseBlock,
  tool: LoopTool<T> | undefined,
  byName: ReadonlyMap<string, LoopTool<T>>,
  signal: AbortSignal,
): Promise<ToolOutput<T>> {
  if (!tool) {
    return { content: `There is no tool named “${call.name}”. The tools are: ${[...byName.keys()].join(', ')}.`, isError: true };
  }
  try {
    return await tool.run(call.input, { signal });
  } catch (error) {
    if (signal.aborted) throw error;
    return { content: `${call.name} failed: ${shortReason(error)}`, isError: true };
  }
}

function shortReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = message.split('\n')[0] ?? '';
  return line.length > MAX_REASON_CHARS ? `${line.slice(0, MAX_REASON_CHARS)}…` : line || 'an error without a message';
}

export function nameOf(definition: Anthropic.ToolUnion): string {
  return 'name' in definition && typeof definition.name === 'string' ? definition.name : definition.type ?? '';
}
