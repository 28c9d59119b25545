import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { runCoder, type CoderResult } from '../../src/agents/coder.ts';
import type { ModelCall, ModelClient } from '../../src/agents/model-client.ts';
import { createAnthropic } from '../../src/integrations/anthropic.ts';
import { createModelClient } from '../../src/agents/model-client.ts';
import type { Ticket } from '../../src/domain/ticket.ts';
import type { Workspace } from '../../src/integrations/git/workspace.ts';
import { policySchema, type Policy } from '../../src/policy.ts';
import { createBwrapSandbox } from '../../src/sandbox/create-bwrap-sandbox.ts';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import { testManager } from '../../test/integrations/git/git-fixtures.ts';
import { createDemoRepo, DEMO_TEST_COMMAND, demoTicket, type DemoRepo } from '../../test/support/demo-repo.ts';
import { AGENT_REPO_FILES } from './agent-repo-files.ts';

/** Where the agent benches run the coder: the calc demo (plus larger files) as a real remote and mirror. */
export interface AgentWorld {
  policy: Policy;
  demo: DemoRepo;
  /** The real bubblewrap sandbox, with the default sandbox policy. */
  sandbox: Sandbox;
  /** A fresh worktree on its own branch for run `runId` (ticket ENG-<n>). */
  prepare(runId: string, n: number): Promise<Workspace>;
  /** The ticket key the run on `workspace` works on (ENG-<n>). */
  ticketKeyOf(workspace: Workspace): string;
  /** A model client on `baseUrl` with the default models and prices, as production builds it. */
  modelClient(baseUrl: string): ModelClient;
  /** runCoder as run.fix calls it (bash offered, the default policy), on `workspace`. */
  runCoder(options: RunOptions): Promise<CoderResult>;
  cleanup(): Promise<void>;
}

export interface RunOptions {
  workspace: Workspace;
  model: ModelClient;
  sandbox?: Sandbox;
  /** runCoder's promptCaching (default true): false sends no cache_control at all. */
  promptCaching?: boolean;
  onModelCall?: (call: ModelCall & { turn: number }) => Promise<void>;
}

const log = pino({ level: 'silent' });

export async function createAgentWorld(): Promise<AgentWorld> {
  const root = await mkdtemp(join(tmpdir(), 'baton-bench-agent-'));
  try {
    const demo = await createDemoRepo(root, AGENT_REPO_FILES);
    const workspaces = testManager(join(root, 'data'));
    const policy = policySchema.parse({});
    const sandbox = createBwrapSandbox({ policy: policy.sandbox, bwrapPath: '/usr/bin/bwrap' });
    const tickets = new Map<string, Ticket>();
    const ticketFor = (workspace: Workspace): Ticket => tickets.get(workspace.runId) ?? demoTicket();
    return {
      policy,
      demo,
      sandbox,
      prepare: async (runId, n) => {
        const ticket = demoTicket({ key: `ENG-${n}` });
        tickets.set(runId, ticket);
        return workspaces.prepareWorkspace({ repo: demo.remote.repo, runId, ticketKey: ticket.key, title: ticket.title });
      },
      ticketKeyOf: (workspace) => ticketFor(workspace).key,
      modelClient: (baseUrl) =>
        createModelClient({
          anthropic: createAnthropic({ baseUrl, apiKey: 'sk-ant-test', maxRetries: 0, timeoutMs: 60_000 }),
          models: policy.agent.models,
          prices: policy.agent.prices.models,
          log,
        }),
      runCoder: ({ workspace, model, sandbox: runSandbox, promptCaching, onModelCall }) =>
        runCoder(
          {
            runId: workspace.runId, ticket: ticketFor(workspace), workspace, testCommand: DEMO_TEST_COMMAND,
            spentUsd: 0, capUsd: policy.agent.limits.dollars, budgetAcknowledged: false,
          },
          {
            model, sandbox: runSandbox ?? sandbox, offerBash: true, workspaces,
            policy: { agent: policy.agent, sandbox: policy.sandbox, gates: policy.outcome_gates },
            log, signal: new AbortController().signal,
            onProgress: async () => undefined,
            onModelCall: onModelCall ?? (async () => undefined),
            promptCaching,
          },
        ),
      cleanup: () => rm(root, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}
