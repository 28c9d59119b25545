import { appendAudit } from '../db/audit-log.ts';
import { withTransaction, type Pool } from '../db/pool.ts';
import { lockRunForEnd, transitionRun } from '../db/runs.ts';
import type { RunEndAction } from '../db/run-announcements.ts';
import type { Run, RunStatus } from '../domain/run.ts';
import type { SlackMessage } from '../integrations/slack.ts';
import { announceRunEnd, type AnnounceDeps } from './announce-run-end.ts';
import { releaseRunWorkspace, type RunWorkspaceDeps } from './release-run-workspace.ts';

export interface RunEnd {
  from: readonly RunStatus[];
  to: 'cancelled' | 'failed' | 'succeeded' | 'rejected';
  actor: string;
  action: RunEndAction;
  reason: string;
  /** Kept in the audit entry, so whoever finds the notice undelivered can still post it. */
  notice: SlackMessage;
  /** More for the audit entry (the PR number, …). */
  detail?: Record<string, unknown>;
}

/**
 * Ends a run and records why in one transaction: a failure between the two would otherwise leave
 * a run ended with no audit entry, which a retry (finding the run ended) never writes.
 */
export async function endRun(pool: Pool, runId: string, end: RunEnd): Promise<{ run: Run; agentWorking: boolean } | undefined> {
  return withTransaction(pool, async (tx) => {
    // Whether an agent still works in the run's worktree (then it gives the worktree back itself).
    const locked = await lockRunForEnd(tx, runId);
    const run = await transitionRun(tx, runId, [...end.from], end.to, end.reason);
    if (!run || !locked) return undefined;
    await appendAudit(tx, { runId, actor: end.actor, action: end.action, detail: { ...end.detail, reason: end.reason, notice: end.notice } });
    return { run, agentWorking: locked.agentWorking };
  });
}

export interface FinishRunDeps extends AnnounceDeps, RunWorkspaceDeps {}

/**
 * Every way a run ends (cancelled, failed, closed or merged on GitHub): end it with its audit
 * entry, give its worktree back unless an agent still works in it, and tell the thread. A repeat
 * of the same cause (a retried job) finishes a notice the first attempt did not deliver; one that
 * still does not get through stays owed, and reconcile's sweep posts it. `ended` is undefined when
 * this cause did not end the run; `told` says whether this call posted the notice.
 */
export async function finishRun(runId: string, end: RunEnd, deps: FinishRunDeps): Promise<{ ended: Run | undefined; told: boolean }> {
  const ended = await endRun(deps.pool, runId, end);
  const log = deps.log.child({ runId, ticket: ended?.run.ticketKey });
  if (ended) {
    await releaseRunWorkspace(runId, deps, { agentWorking: ended.agentWorking });
    // A failure is worth a warning; a cancel or a PR closed on GitHub is business as usual.
    log[end.to === 'failed' ? 'warn' : 'info']({ to: end.to, reason: end.reason }, `run ${end.to}`);
  }
  let told = false;
  try {
    told = await announceRunEnd(runId, deps, { actor: end.actor, reason: end.reason });
  } catch (error) {
    log.error({ err: error }, `run ${end.to}, but the thread could not be told yet; reconcile will try again`);
  }
  return { ended: ended?.run, told };
}
