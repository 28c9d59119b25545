import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import type { Pool } from './db/pool.ts';
import type { AgentStep } from './agents/agent-step.ts';
import { createModelClient, type ModelClient } from './agents/model-client.ts';
import { runReviewers } from './agents/reviewers/run-reviewers.ts';
import { createAnthropic } from './integrations/anthropic.ts';
import type { WorkspaceManager } from './integrations/git/create-workspace-manager.ts';
import type { SlackClient } from './integrations/slack.ts';
import { createBwrapSandbox } from './sandbox/create-bwrap-sandbox.ts';
import { createHostRunner } from './sandbox/create-host-runner.ts';
import { checkSandbox } from './sandbox/check-sandbox.ts';
import type { Sandbox } from './sandbox/sandbox.ts';
import { createCoderStep } from './jobs/coder-step.ts';
import type { ReviewChange } from './jobs/run-review.ts';
import type { TrackerRoutes } from './jobs/tracker-routes.ts';
import { agentNotConfiguredNotice, sandboxUnavailableReason } from './bot/views/agent-not-configured.ts';

/*
 * The agents' part of the composition root (main.ts): the model client, the sandbox as checked at
 * start-up, and the coder and reviewers built on them.
 */

export interface AgentParts {
  model: ModelClient;
  sandbox: Sandbox;
  /** Why bubblewrap does not work here, when sandbox.when_unavailable is `refuse`: runs fail with it. */
  sandboxProblem?: string;
}

/**
 * The model client from config.anthropic and agent.models, and the sandbox checked with a real
 * command now. Without a model, undefined: runs then wait, saying what is missing. Where bubblewrap
 * does not work, sandbox.when_unavailable decides: `refuse` fails each run with the reason,
 * `run_unsandboxed` runs on the host (no bash tool, the run_tests tool instead, and a warning in
 * every thread).
 */
export async function buildAgentParts(config: Config, log: Logger): Promise<AgentParts | undefined> {
  if (!config.anthropic) {
    log.warn({ missing: config.anthropicMissing }, agentNotConfiguredNotice(config.anthropicMissing));
    return undefined;
  }
  const { policy } = config;
  const anthropic = createAnthropic({ baseUrl: config.anthropic.baseUrl, apiKey: config.anthropic.apiKey, maxRetries: config.httpRetries, timeoutMs: 10 * 60_000 });
  const model = createModelClient({ anthropic, models: policy.agent.models, prices: policy.agent.prices.models, maxTokens: policy.agent.max_tokens, log });
  const sandbox: Sandbox = createBwrapSandbox({ policy: policy.sandbox });
  const started = Date.now();
  const check = await checkSandbox(sandbox);
  if (check.ok) {
    // Said, so an operator sees from the log that agent commands will be confined.
    log.info({ ms: Date.now() - started }, 'the sandbox works: agent commands and test runs are confined by bubblewrap');
    return { model, sandbox };
  }
  if (policy.sandbox.when_unavailable === 'refuse') {
    log.error({ reason: check.reason }, 'the sandbox does not work on this host; agent runs are refused (sandbox.when_unavailable: refuse)');
    return { model, sandbox, sandboxProblem: check.reason };
  }
  log.warn({ reason: check.reason }, 'THE SANDBOX DOES NOT WORK ON THIS HOST: agent commands and tests run UNSANDBOXED (sandbox.when_unavailable: run_unsandboxed)');
  return { model, sandbox: createHostRunner({ policy: policy.sandbox }) };
}

/** The coder agent as run.fix calls it. */
export function buildCoder(
  parts: AgentParts,
  config: Config,
  deps: { pool: Pool; slack: SlackClient | undefined; routes: TrackerRoutes; workspaces: WorkspaceManager; log: Logger },
): AgentStep {
  const { sandboxProblem } = parts;
  if (sandboxProblem !== undefined) return async () => ({ kind: 'failed', code: 'sandbox_unavailable', reason: sandboxUnavailableReason(sandboxProblem) });
  return createCoderStep({ ...deps, policy: config.policy, githubApiUrl: config.github.apiUrl, sandbox: parts.sandbox, model: parts.model });
}

/** The three reviewers as run.review calls them: the same model client and sandbox as the coder. */
export function buildReviewers(parts: AgentParts, config: Config, log: Logger): ReviewChange {
  return (request, options) =>
    runReviewers(request, { model: parts.model, sandbox: parts.sandbox, policy: config.policy.review, signal: options.signal, log, onModelCall: options.onModelCall });
}

