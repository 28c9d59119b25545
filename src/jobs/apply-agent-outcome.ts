import type { AgentStepResult } from '../agents/agent-step.ts';
import { appendAudit } from '../db/audit-log.ts';
import { withTransaction, type Pool } from '../db/pool.ts';
import { parkForBudget, parkForClarification, recordOutcome } from '../db/run-agent.ts';
import { transitionRun } from '../db/runs.ts';
import type { Run } from '../domain/run.ts';
import type { SlackClient } from '../integrations/slack.ts';
import type { Logger } from '../logger.ts';
import { clarificationMessage } from '../bot/views/clarification-message.ts';
import { costCapMessage } from '../bot/views/cost-cap-message.ts';
import { diffStats } from './diff-stats.ts';
import { PermanentError } from './errors.ts';
import { failRun } from './fail-run.ts';
import type { Queue } from './queue.ts';
import { refreshThread } from './refresh-thread.ts';
import type { RunWorkspaceDeps } from './release-run-workspace.ts';
import type { TrackerRoutes } from './tracker-routes.ts';

export interface ApplyOutcomeDeps extends RunWorkspaceDeps {
  pool: Pool;
  queue: Queue;
  slack: SlackClient | undefined;
  routes: TrackerRoutes;
  log: Logger;
  /** baton.yml agent.limits.raise_factor: what Continue multiplies the cap by (once). */
  raiseFactor: number;
}

// Between "proven" and "published": the three reviewers, then the PR and the review card.
export const PROVEN_REASON = 'Fix proven by Baton’s own test runs; three reviewers are reading it.';

/** The audit action a park records with the worktree a resume may reuse. */
export const AGENT_PARKED = 'agent.parked';

/**
 * Moves a run on from what its agent ended in. The state change and what comes next (the
 * run.review job, the saved conversation) commit in one transaction, conditional on the run still
 * `running` (a cancel that landed meanwhile wins, and nothing follows). The thread and the ticket
 * are told after the commit.
 */
export async function applyAgentOutcome(run: Run, result: AgentStepResult, deps: ApplyOutcomeDeps): Promise<Run | undefined> {
  const log = deps.log.child({ runId: run.id, ticket: run.ticketKey, outcome: result.kind });
  switch (result.kind) {
    case 'proven': {
      const moved = await withTransaction(deps.pool, async (tx) => {
        const recorded = await recordOutcome(tx, run.id, {
          summary: result.summary,
          headSha: result.headSha,
          diffStats: diffStats(result.diff),
          evidence: {
            testFiles: result.evidence.testFiles,
            sandboxed: result.evidence.sandboxed,
            runs: result.evidence.runs.map(({ output: _output, ...rest }) => rest),
          },
        });
        if (!recorded) return undefined;
        const next = await transitionRun(tx, run.id, ['running'], 'reviewing', PROVEN_REASON);
        if (!next) return undefined;
        await deps.queue.enqueue(tx, 'run.review', { runId: run.id, workspace: result.workspace, diff: result.diff }, { priority: run.priority });
        await appendAudit(tx, { runId: run.id, actor: 'baton', action: 'agent.proven', detail: { headSha: result.headSha, testFiles: result.evidence.testFiles } });
        return next;
      });
      if (!moved) return notMoved(run, log);
      deps.queue.notify('run.review');
      await tellThread(moved, undefined, deps, log);
      return moved;
    }
    case 'needs_clarification': {
      const parked = await withTransaction(deps.pool, async (tx) => {
        const next = await parkForClarification(tx, run.id, result.question, result.conversation);
        if (next) await appendAudit(tx, { runId: run.id, actor: 'agent', action: AGENT_PARKED, detail: { why: 'clarification', question: result.question, workspace: result.workspace } });
        return next;
      });
      if (!parked) return notMoved(run, log);
      log.info('the agent asked a question; the run waits for an answer, holding no worker and no slot');
      await tellThread(parked, clarificationMessage(parked, result.question), deps, log);
      // On the ticket too, where its author will see it. Best effort: the thread already has it.
      const route = deps.routes.resolve(run.ticketKey);
      await route?.tracker
        .comment(run.ticketKey, `Baton's agent needs an answer before it can go on:\n\n${result.question}\n\nReply in the Slack thread, or update this ticket's description.`)
        .catch((error: unknown) => log.error({ err: error }, 'the question could not be posted on the ticket; it is in the thread'));
      return parked;
    }
    case 'budget_paused': {
      const reason = `Paused at $${result.costUsd.toFixed(2)} of its $${result.capUsd.toFixed(2)} cap: Continue or Stop?`;
      const parked = await withTransaction(deps.pool, async (tx) => {
        const next = await parkForBudget(tx, run.id, reason, result.conversation);
        if (next) await appendAudit(tx, { runId: run.id, actor: 'agent', action: AGENT_PARKED, detail: { why: 'budget', costUsd: result.costUsd, capUsd: result.capUsd, workspace: result.workspace } });
        return next;
      });
      if (!parked) return notMoved(run, log);
      log.info({ costUsd: result.costUsd, capUsd: result.capUsd }, 'near its dollar cap; the run asks Continue / Stop');
      await tellThread(parked, costCapMessage(parked, { spentUsd: result.costUsd, capUsd: result.capUsd, raiseToUsd: raisedCap(result.capUsd, deps.raiseFactor) }), deps, log);
      return parked;
    }
    case 'failed':
      await failRun(run.id, new PermanentError(result.code, result.reason), deps);
      return undefined;
  }
}

/** The cap Continue sets: the current one times the policy's factor, to the cent. */
export function raisedCap(capUsd: number, factor: number): number {
  return Math.round(capUsd * factor * 100) / 100;
}

function notMoved(run: Run, log: Logger): undefined {
  log.info('the run left `running` while its agent worked (a cancel); its outcome is dropped');
  return undefined;
}

/** Posts what people must answer (if anything) and refreshes the status; logged, never thrown: the run has moved. */
async function tellThread(run: Run, post: Parameters<SlackClient['postMessage']>[1] | undefined, deps: ApplyOutcomeDeps, log: Logger): Promise<void> {
  if (!deps.slack || !run.channelId || !run.threadTs) return;
  try {
    if (post) await deps.slack.postMessage(run.channelId, post, run.threadTs);
    await refreshThread(run, deps.slack);
  } catch (error) {
    log.error({ err: error }, 'the run moved on, but its thread could not be told');
  }
}
