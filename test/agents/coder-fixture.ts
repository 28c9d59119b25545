import type Anthropic from '@anthropic-ai/sdk';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import pino from 'pino';
import { runCoder, type CoderDeps, type CoderInput, type CoderResult } from '../../src/agents/coder.ts';
import { createModelClient, type ModelCall } from '../../src/agents/model-client.ts';
import type { ProgressStep } from '../../src/domain/run-progress.ts';
import type { Ticket } from '../../src/domain/ticket.ts';
import { createAnthropic } from '../../src/integrations/anthropic.ts';
import type { Workspace } from '../../src/integrations/git/workspace.ts';
import { policySchema, type Policy } from '../../src/policy.ts';
import { createBwrapSandbox } from '../../src/sandbox/create-bwrap-sandbox.ts';
import type { FakeAnthropic, ScriptedBlock, ScriptedEntry, ScriptedMessage } from '../fakes/fake-anthropic.ts';
import { tempDir, testManager } from '../integrations/git/git-fixtures.ts';
import { createDemoRepo, DEMO_FIX, DEMO_NEW_TEST, DEMO_TEST_COMMAND, demoTicket, type DemoRepo } from '../support/demo-repo.ts';

/** One coder run's world: the calc demo repository in a real worktree, the real sandbox, a model client on the fake. */
export interface CoderWorld {
  demo: DemoRepo;
  workspace: Workspace;
  policy: Policy;
  ticket: Ticket;
  progress: ProgressStep[];
  calls: (ModelCall & { turn: number })[];
  deps: CoderDeps;
  input: CoderInput;
  run(overrides?: Partial<CoderInput>): Promise<CoderResult>;
}

export async function coderWorld(
  t: TestContext,
  fake: FakeAnthropic,
  options: { policy?: Record<string, unknown>; ticket?: Partial<Ticket>; extraFiles?: Record<string, string> } = {},
): Promise<CoderWorld> {
  const { dir, cleanup } = await tempDir('baton-coder-');
  t.after(cleanup);
  const demo = await createDemoRepo(dir, options.extraFiles);
  const workspaces = testManager(join(dir, 'data'));
  const ticket = demoTicket(options.ticket);
  const workspace = await workspaces.prepareWorkspace({ repo: demo.remote.repo, runId: 'run-1', ticketKey: ticket.key, title: ticket.title });
  const policy = policySchema.parse(options.policy ?? {});
  const log = pino({ level: 'silent' });
  const model = createModelClient({
    anthropic: createAnthropic({ baseUrl: fake.url, apiKey: 'sk-ant-test', maxRetries: 0, timeoutMs: 30_000 }),
    models: policy.agent.models,
    prices: policy.agent.prices.models,
    log,
  });
  const progress: ProgressStep[] = [];
  const calls: (ModelCall & { turn: number })[] = [];
  const deps: CoderDeps = {
    model,
    sandbox: createBwrapSandbox({ policy: policy.sandbox, bwrapPath: '/usr/bin/bwrap' }),
    offerBash: true,
    workspaces,
    policy: { agent: policy.agent, sandbox: policy.sandbox, gates: policy.outcome_gates },
    log,
    signal: new AbortController().signal,
    onProgress: async (step) => {
      progress.push(step);
    },
    onModelCall: async (call) => {
      calls.push(call);
    },
  };
  const input: CoderInput = {
    runId: 'run-1', ticket, workspace, testCommand: DEMO_TEST_COMMAND, spentUsd: 0, capUsd: policy.agent.limits.dollars, budgetAcknowledged: false,
  };
  return { demo, workspace, policy, ticket, progress, calls, deps, input, run: (overrides = {}) => runCoder({ ...input, ...overrides }, deps) };
}

// ---- The scripted model: each step one tool call, as a trained model would make it. ----

export function toolCall(name: string, input: unknown, text?: string): ScriptedMessage {
  const content: ScriptedBlock[] = text ? [{ type: 'text', text }] : [];
  content.push({ type: 'tool_use', name, input });
  return { content };
}

export const editor = (input: Record<string, unknown>, text?: string): ScriptedMessage => toolCall('str_replace_based_edit_tool', input, text);
export const bash = (command: string): ScriptedMessage => toolCall('bash', { command });
export const finish = (summary: string): ScriptedMessage => toolCall('finish', { summary });
export const askClarification = (question: string): ScriptedMessage => toolCall('ask_clarification', { question });

export const viewCalc = editor({ command: 'view', path: '/repo/src/calc.js' }, 'Looking at range first.');
export const createFailingTest = editor({ command: 'create', path: DEMO_NEW_TEST.path, file_text: DEMO_NEW_TEST.content });
export const fixBug = editor({ command: 'str_replace', path: DEMO_FIX.path, old_str: DEMO_FIX.oldStr, new_str: DEMO_FIX.newStr });
export const runTests = bash(DEMO_TEST_COMMAND);

/** The whole fix as the model makes it: look, reproduce, see it fail, fix, see it pass, finish. */
export function fixSteps(): ScriptedEntry[] {
  return [viewCalc, createFailingTest, runTests, fixBug, runTests, finish('range stopped one short of its end (`i < end`); it now includes it. test/range.test.js covers it.')];
}

/** The newest user message's text blocks (Baton's notes ride there). */
export function lastUserText(request: Anthropic.MessageCreateParams): string {
  const last = request.messages.at(-1);
  if (!last || last.role !== 'user') return '';
  if (typeof last.content === 'string') return last.content;
  return last.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('\n');
}

/** The tool_result texts of the newest user message. */
export function lastToolResults(request: Anthropic.MessageCreateParams): string[] {
  const last = request.messages.at(-1);
  if (!last || typeof last.content === 'string') return [];
  return last.content.flatMap((b) => {
    if (b.type !== 'tool_result') return [];
    return [typeof b.content === 'string' ? b.content : (b.content ?? []).map((p) => (p.type === 'text' ? p.text : '')).join('')];
  });
}

/** Messages as Baton keeps them: the loop adds cache breakpoints only to the copies it sends. */
export function withoutCacheControl(messages: readonly Anthropic.MessageParam[]): unknown {
  return JSON.parse(JSON.stringify(messages), (key, value: unknown) => (key === 'cache_control' ? undefined : value));
}
