import type Anthropic from '@anthropic-ai/sdk';
import type { LoopTool, ToolOutput } from '../../src/agents/loop-tool.ts';
import { createAnthropic } from '../../src/integrations/anthropic.ts';
import { createModelClient, type ModelClient } from '../../src/agents/model-client.ts';
import type { ModelPrice } from '../../src/policy.ts';

export const MODEL = 'claude-sonnet-5-5';
export const FALLBACK = 'claude-opus-5-5';
export const PRICES: Record<string, ModelPrice> = {
  [MODEL]: { input: 3, output: 15, cache_write_5m: 3.75, cache_write_1h: 6, cache_read: 0.3 },
  [FALLBACK]: { input: 5, output: 25, cache_write_5m: 6.25, cache_write_1h: 10, cache_read: 0.5 },
};

export type Stop = { summary: string };

export function modelClient(url: string): ModelClient {
  const anthropic = createAnthropic({ baseUrl: url, apiKey: 'sk-ant-test', maxRetries: 2, timeoutMs: 10_000 });
  return createModelClient({ anthropic, models: [MODEL, FALLBACK], prices: PRICES, log: { warn: () => undefined } });
}

export function customTool<T = Stop>(name: string, readOnly: boolean, run: (input: unknown) => Promise<ToolOutput<T>> | ToolOutput<T>): LoopTool<T> {
  return {
    definition: { name, description: `The ${name} tool.`, input_schema: { type: 'object', properties: { path: { type: 'string' } } } },
    readOnly,
    run: async (input) => run(input),
  };
}

export const finishTool = (): LoopTool<Stop> =>
  customTool('finish', false, (input) => ({ content: 'Finished.', terminal: { summary: String((input as { summary?: unknown }).summary) } }));

export const ticket = (text = 'ENG-1: the total is off by one.'): Anthropic.MessageParam[] => [
  { role: 'user', content: [{ type: 'text', text }] },
];

export const SYSTEM: Anthropic.TextBlockParam[] = [{ type: 'text', text: 'You are Baton\'s coder.' }];

export function blocksOf(message: Anthropic.MessageParam | undefined): Anthropic.ContentBlockParam[] {
  if (!message) return [];
  return typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
}

export function hasCacheControl(messages: readonly Anthropic.MessageParam[]): boolean {
  return messages.some((m) => blocksOf(m).some((b) => 'cache_control' in b && b.cache_control));
}
