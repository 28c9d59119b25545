import { pathToFileURL } from 'node:url';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentStep, AgentStepResult } from '../agents/agent-step.ts';
import { runCoder, type CoderResult } from '../agents/coder.ts';
import type { ModelClient } from '../agents/model-client.ts';
import { runInstall } from '../agents/run-install.ts';
import { insertAgentCall } from '../db/agent-calls.ts';
import { auditForRun } from '../db/audit-log.ts';
import type { Pool } from '../db/pool.ts';
import { clarificationAnsweredBy, loadConversation, markProgress, markUnsandboxed, setCostCap, startAgentClock } from '../db/run-agent.ts';
import { cloneUrlFor } from '../domain/clone-url.ts';
import { repoForTicket } from '../domain/route-ticket.ts';
import type { Run } from '../domain/run.ts';
import type { Ticket } from '../domain/ticket.ts';
import type { WorkspaceManager } from '../integrations/git/create-workspace-manager.ts';
import type { Workspace } from '../integrations/git/workspace.ts';
import type { SlackClient } from '../integrations/slack.ts';
import type { Logger } from '../logger.ts';
import type { Policy } from '../policy.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';
import { message } from '../bot/views/blocks.ts';
import { UNSANDBOXED_TEXT, unsandboxedWarning } from '../bot/views/unsandboxed-warning.ts';
import type Anthropic from '@anthropic-ai/sdk';
import { AGENT_PARKED } from './apply-agent-outcome.ts';
import { RetryableError } from './errors.ts';
import { throttledStatus } from './throttled-status.ts';
import type { TrackerRoutes } from './tracker-routes.ts';

export interface CoderStepDeps {
  pool: Pool;
  slack: SlackClient | undefined;
  routes: TrackerRoutes;
  workspaces: WorkspaceManager;
  policy: Pick<Policy, 'repos' | 'agent' | 'sandbox' | 'outcome_gates'>;
  /** GITHUB_API_URL: clone URLs derive from its host (src/domain/clone-url.ts). */
  githubApiUrl: string;
  sandbox: Sandbox;
  model: ModelClient;
  log: Logger;
  /** The status message is edited at most this often while the agent works; default 2 s. */
  statusIntervalMs?: number;
}

interface Parked {
  why: 'clarification' | 'budget';
  workspace?: Workspace;
}

/** The last park of this run (apply-agent-outcome.ts records it with the worktree), if any. */
async function lastPark(pool: Pool, runId: string): Promise<Parked | undefined> {
  const parks = (await auditForRun(pool, runId)).filter((entry) => entry.action === AGENT_PARKED);
  return parks.at(-1)?.detail as Parked | undefined;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/**
 * The coder's part of run.fix: the ticket's repository checked out on the run's branch (or the
 * worktree a parked run left, when it resumes), then the agent with the sandbox and the model, its
 * checklist steps and model calls recorded as they happen. What it ends in goes back to run.fix,
 * which moves the run (apply-agent-outcome.ts).
 */
export function createCoderStep(deps: CoderStepDeps): AgentStep {
  return async ({ run, ticket, signal }) => {
    const log = deps.log.child({ runId: run.id, ticket: run.ticketKey, step: 'coder' });
    const route = deps.routes.require(run.ticketKey);
    const repoName = repoForTicket(route.team, ticket.labels);
    if (!repoName) {
      return { kind: 'failed', code: 'no_repository', reason: `No repository is configured for ${route.prefix} tickets: set teams.${route.prefix}.repo (or label_repos) in baton.yml.` };
    }
    const repo = deps.policy.repos[repoName];
    if (!repo) return { kind: 'failed', code: 'no_repository', reason: `${repoName} is not listed under repos in baton.yml.` };
    if (!repo.test) {
      return { kind: 'failed', code: 'no_test_command', reason: `Baton proves every fix with the repository's tests, and ${repoName} has none configured: set repos.${repoName}.test in baton.yml.` };
    }

    const conversation = await loadConversation<Anthropic.MessageParam>(deps.pool, run.id);
    const parked = conversation ? await lastPark(deps.pool, run.id) : undefined;
    let workspace: Workspace;
    let fresh = false;
    if (parked?.workspace && (await exists(join(parked.workspace.path, '.git')))) {
      // A resumed run goes on in the worktree it stopped in, dependencies installed: the saved
      // conversation describes it.
      workspace = parked.workspace;
      log.info({ branch: workspace.branch }, 'resuming in the parked worktree');
    } else {
      fresh = true;
      const [owner, name] = repoName.split('/') as [string, string];
      workspace = await deps.workspaces.prepareWorkspace({
        // A repository on disk (local mode) is cloned from, and pushed into, its own path.
        repo: { owner, name, cloneUrl: cloneUrlFor(deps.githubApiUrl, repoName, repo.path ? pathToFileURL(repo.path).href : repo.clone_url), baseBranch: repo.base },
        runId: run.id,
        ticketKey: run.ticketKey,
        title: ticket.title,
      });
    }

    const status = throttledStatus({ pool: deps.pool, slack: deps.slack, runId: run.id, log, intervalMs: deps.statusIntervalMs });
    if (!deps.sandbox.sandboxed && (await markUnsandboxed(deps.pool, run.id))) await warnUnsandboxed(run, deps, log);
    if (fresh && repo.install) {
      const failed = await installOnBase({ repoName, command: repo.install, workspace, deps, signal, log });
      if (failed) return failed;
    }
    if (await markProgress(deps.pool, run.id, 'workspace_ready')) status.poke();
    const capUsd = run.costCapUsd ?? deps.policy.agent.limits.dollars;
    if (run.costCapUsd === null) await setCostCap(deps.pool, run.id, capUsd);

    // agent.limits.minutes on the run's agent clock: it goes on across redeliveries (a worker that
    // died mid-loop used that time) and stands still while the run waits for a person (db/run-agent.ts).
    const startedAt = await startAgentClock(deps.pool, run.id);
    const resume = conversation ? { conversation, ...(await resumeAnswer(run, ticket, parked, deps.pool)) } : undefined;
    let result: CoderResult;
    try {
      result = await runCoder(
        {
          runId: run.id,
          ticket,
          workspace,
          testCommand: repo.test,
          // Installed on the base above; proveChange re-installs, offline, a change to the manifests.
          installCommand: repo.install,
          resume,
          startedAt,
          spentUsd: run.costUsd,
          capUsd,
          budgetAcknowledged: run.costCapRaisedBy !== null,
        },
        {
          model: deps.model,
          sandbox: deps.sandbox,
          offerBash: deps.sandbox.sandboxed,
          workspaces: deps.workspaces,
          policy: { agent: deps.policy.agent, sandbox: deps.policy.sandbox, gates: deps.policy.outcome_gates },
          log,
          signal,
          onProgress: async (step) => {
            if (await markProgress(deps.pool, run.id, step)) status.poke();
          },
          onModelCall: async (call) => {
            await insertAgentCall(deps.pool, {
              runId: run.id, turn: call.turn, model: call.model, usage: call.usage, costUsd: call.costUsd,
              stopReason: call.message.stop_reason, durationMs: call.durationMs,
            });
            status.poke();
          },
        },
      );
    } catch (error) {
      throw asJobError(error, signal);
    } finally {
      await status.flush();
    }
    return toStepResult(result, workspace);
  };
}

/**
 * repos.<r>.install on the freshly prepared base commit, before the agent's first turn, so its bash
 * and Baton's test runs find the dependencies. This is the repository's own reviewed code, trusted
 * as its CI trusts it: it runs in the sandbox with the host's network where sandbox.install_network
 * allows. The agent's changes never get that network (prove-change.ts re-installs them offline).
 * Returns the failure that ends the run, or undefined when the worktree is ready.
 */
async function installOnBase(args: {
  repoName: string;
  command: string;
  workspace: Workspace;
  deps: CoderStepDeps;
  signal: AbortSignal;
  log: Logger;
}): Promise<Extract<AgentStepResult, { kind: 'failed' }> | undefined> {
  const { repoName, command, workspace, deps, signal, log } = args;
  const network = deps.policy.sandbox.install_network;
  const before = new Set(await deps.workspaces.untrackedFiles(workspace));
  let installed;
  try {
    installed = await runInstall({ command, worktree: workspace.path, network, policy: deps.policy.sandbox, signal }, deps.sandbox);
  } catch (error) {
    throw asJobError(error, signal);
  }
  const where = `on ${repoName}'s base commit ${workspace.baseSha.slice(0, 12)}, before the agent started`;
  if (!installed.ok) {
    log.warn({ code: 'install_failed', exitCode: installed.result.exitCode, timedOut: installed.result.timedOut }, 'the install on the base commit failed');
    const offline = network ? '' : ' It ran without the network (sandbox.install_network: false): vendor the dependencies in the repository, or allow the network.';
    return {
      kind: 'failed',
      code: 'install_failed',
      reason:
        `The install command \`${command}\` ${installed.how} ${where}, so the agent could not work on the repository.${offline} ` +
        `Fix repos.${repoName}.install in baton.yml or the repository's dependencies, then retry the run. Its output ends:\n${installed.tail}`,
    };
  }
  // Baton commits everything in the worktree that .gitignore does not cover: what the install left
  // there would be pushed with the fix.
  const left = (await deps.workspaces.untrackedFiles(workspace)).filter((path) => !before.has(path));
  if (left.length > 0) {
    log.warn({ code: 'install_untracked', files: left.slice(0, 20) }, 'the install on the base commit left files .gitignore does not cover');
    const shown = left.length > 5 ? `${left.slice(0, 5).join(', ')} and ${left.length - 5} more` : left.join(', ');
    return {
      kind: 'failed',
      code: 'install_untracked',
      reason:
        `The install command \`${command}\` left files that the repository's .gitignore does not cover (${shown}) ${where}; Baton would commit them with the fix. ` +
        `Ignore them in ${repoName}'s .gitignore, then retry the run.`,
    };
  }
  log.info({ durationMs: installed.result.durationMs, network }, 'installed the dependencies on the base commit');
  return undefined;
}

/** What resumes a parked run: the thread's answer (with who gave it), the edited ticket, or (after the budget) nothing. */
async function resumeAnswer(run: Run, ticket: Ticket, parked: Parked | undefined, pool: Pool): Promise<{ answer?: string; answeredBy?: string }> {
  if (parked?.why !== 'clarification') return {};
  if (run.clarificationAnswer !== null) {
    const by = await clarificationAnsweredBy(pool, run.id);
    return { answer: run.clarificationAnswer, answeredBy: by ? `Slack user ${by}, in the run's thread` : 'a person in the run’s Slack thread' };
  }
  return { answer: `The ticket was updated. Its description now reads:\n\n${ticket.description}`, answeredBy: 'the ticket' };
}

function toStepResult(result: CoderResult, workspace: Workspace): AgentStepResult {
  const { outcome, conversation } = result;
  switch (outcome.kind) {
    case 'proven':
      return { ...outcome, workspace };
    case 'needs_clarification':
      return { ...outcome, conversation, workspace };
    case 'budget_paused':
      return { kind: 'budget_paused', costUsd: outcome.spentUsd, capUsd: outcome.capUsd, conversation, workspace };
    case 'failed':
      return outcome;
  }
}

/**
 * An abort is a cancel or a lost slot: retried, so the next delivery sees which (ended, or another
 * agent's). A ModelError goes to the queue as it is: errors.ts retries it when the API may recover
 * (overloaded, 5xx, a dropped connection, a rate limit, after the API's Retry-After, which a
 * wrapper would drop) and ends the run with its reason when it cannot (auth, spend, a bad request).
 */
function asJobError(error: unknown, signal: AbortSignal): unknown {
  if (signal.aborted) return new RetryableError('agent_stopped', `the agent stopped: ${(signal.reason as Error | undefined)?.message ?? 'aborted'}`, { cause: error });
  return error;
}

async function warnUnsandboxed(run: Run, deps: CoderStepDeps, log: Logger): Promise<void> {
  if (!deps.slack || !run.channelId || !run.threadTs) return;
  await deps.slack
    .postMessage(run.channelId, message(UNSANDBOXED_TEXT.replace(/^:warning: /, '').replace(/\*/g, ''), unsandboxedWarning()), run.threadTs)
    .catch((error: unknown) => log.error({ err: error }, 'could not warn the thread that tests run without a sandbox'));
}
