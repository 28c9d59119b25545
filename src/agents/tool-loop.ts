import type Anthropic from '@anthropic-ai/sdk';
import type { LoopTool } from './loop-tool.ts';
import type { ModelCall, ModelClient } from './model-client.ts';
import { answerToolCalls } from './answer-tool-calls.ts';
import { withMessageBreakpoints, withSystemBreakpoint, withToolsBreakpoint } from './cache-breakpoints.ts';
import { CUT_OFF_CALL, appendMessage, assistantBlocks, completeBlocks, cutOffNote, textOf } from './loop-messages.ts';

export type LoopEnd<T> =
  | { kind: 'terminal'; value: T }
  | { kind: 'end_turn'; text: string }
  | { kind: 'refusal'; category: string | null; explanation: string }
  | { kind: 'context_window'; reason: string }
  | { kind: 'stopped'; value: string };

export interface LoopResult<T> {
  end: LoopEnd<T>;
  /** The conversation, valid to send again: every tool_use answered, no cache breakpoints in it. */
  messages: Anthropic.MessageParam[];
  /** Model calls made by this loop. */
  turns: number;
  costUsd: number;
}

export interface ToolLoopOptions<T> {
  model: ModelClient;
  /** Stable across the run: it is cached. */
  system: Anthropic.TextBlockParam[];
  tools: LoopTool<T>[];
  /** The conversation so far; the first user message holds the ticket. Not modified. */
  messages: Anthropic.MessageParam[];
  maxTokens: number;
  signal: AbortSignal;
  /**
   * Prompt-caching breakpoints on the requests (default true). False sends the same prompt with no
   * `cache_control` anywhere: for a gateway or local server that refuses it, and to measure what
   * caching saves.
   */
  promptCaching?: boolean;
  /**
   * Before each model call, with `turn` = the model calls this loop has made so far (0 before the
   * first); returning a string stops the loop with `{ kind: 'stopped', value }`.
   */
  beforeTurn?: (state: { turn: number; costUsd: number }) => Promise<string | undefined>;
  /** After each model call (`turn` counts from 1): to store its usage and cost. */
  onModelCall?: (call: ModelCall & { turn: number }) => Promise<void>;
  /**
   * Sent as `output_config` on every call, e.g. a structured-output format (`{ type: 'json_schema', schema }`)
   * for the answer that ends the loop. Part of the cached prefix: keep it stable across the run.
   */
  outputConfig?: Anthropic.OutputConfig;
}

/**
 * Baton's agent loop on the Messages API: call the model, run the tools it asks for, answer every
 * call in one user message, and go on until a tool ends the loop, the model stops, or `beforeTurn`
 * says stop. Model errors (ModelError) and an abort propagate; the tools' failures do not.
 */
export async function runToolLoop<T>(options: ToolLoopOptions<T>): Promise<LoopResult<T>> {
  const { model, tools, maxTokens, signal } = options;
  const caching = options.promptCaching ?? true;
  const toolDefinitions = withToolsBreakpoint(tools.map((tool) => tool.definition), caching);
  const system = withSystemBreakpoint(options.system, caching);
  const messages = [...options.messages];
  let turns = 0;
  let costUsd = 0;
  const end = (value: LoopEnd<T>): LoopResult<T> => ({ end: value, messages, turns, costUsd });

  for (;;) {
    signal.throwIfAborted();
    const stop = await options.beforeTurn?.({ turn: turns, costUsd });
    if (stop !== undefined) return end({ kind: 'stopped', value: stop });

    const call = await model.call(
      {
        ...(system.length ? { system } : {}),
        ...(toolDefinitions.length ? { tools: toolDefinitions } : {}),
        messages: withMessageBreakpoints(messages, caching),
        max_tokens: maxTokens,
        ...(options.outputConfig ? { output_config: options.outputConfig } : {}),
      },
      { signal },
    );
    turns += 1;
    costUsd += call.costUsd;
    await options.onModelCall?.({ ...call, turn: turns });

    const { message } = call;
    const content = assistantBlocks(message.content);
    const calls = message.content.filter((block): block is Anthropic.ToolUseBlock => block.type === 'tool_use');

    switch (message.stop_reason) {
      case 'max_tokens': {
        // The SDK fills a tool call cut off mid-input from the partial JSON, silently, so it looks
        // complete: never run it. Keep what is whole, answer each call as not run, ask for less.
        const kept = completeBlocks(content);
        if (kept.length) appendMessage(messages, { role: 'assistant', content: kept });
        const cut = kept.filter((block): block is Anthropic.ToolUseBlockParam => block.type === 'tool_use');
        appendMessage(messages, {
          role: 'user',
          content: [
            ...cut.map((block): Anthropic.ToolResultBlockParam => ({ type: 'tool_result', tool_use_id: block.id, content: CUT_OFF_CALL, is_error: true })),
            { type: 'text', text: cutOffNote(maxTokens) },
          ],
        });
        continue;
      }
      case 'refusal': {
        keepFinalReply(messages, content);
        const details = message.stop_details;
        return end({
          kind: 'refusal',
          category: details?.category ?? null,
          explanation: details?.explanation ?? 'The model declined to go on and gave no explanation.',
        });
      }
      case 'model_context_window_exceeded': {
        keepFinalReply(messages, content);
        const used = call.usage.input + call.usage.cacheRead + call.usage.cacheWrite5m + call.usage.cacheWrite1h + call.usage.output;
        return end({
          kind: 'context_window',
          reason: `The conversation filled ${call.model}'s context window (${used} tokens after ${turns} turns of this loop); Baton does not compact conversations yet, so the agent stopped here.`,
        });
      }
      default:
        break;
    }

    if (calls.length === 0) {
      if (content.length) appendMessage(messages, { role: 'assistant', content });
      // pause_turn: the API paused a long turn; sending it back as it is lets the model go on.
      if (message.stop_reason === 'pause_turn') continue;
      return end({ kind: 'end_turn', text: textOf(message.content) });
    }

    // tool_use (or any complete reply that holds tool calls): answer all of them in one message.
    appendMessage(messages, { role: 'assistant', content });
    const answers = await answerToolCalls(calls, tools, signal);
    appendMessage(messages, { role: 'user', content: answers.results });
    if (answers.terminal) return end({ kind: 'terminal', value: answers.terminal.value });
  }
}

/** A last reply that ends the loop is kept only as far as it is valid to send back (no unanswered call). */
function keepFinalReply(messages: Anthropic.MessageParam[], content: Anthropic.ContentBlockParam[]): void {
  const kept = completeBlocks(content).filter((block) => block.type !== 'tool_use');
  if (kept.length) appendMessage(messages, { role: 'assistant', content: kept });
}
