import { appendAudit } from '../db/audit-log.ts';
import { withTransaction, type Pool } from '../db/pool.ts';
import { lockRunForEnd, transitionRun } from '../db/runs.ts';
import type { Run, RunStatus } from '../domain/run.ts';
import type { SlackMessage } from '../integrations/slack.ts';

export interface RunEnd {
  from: readonly RunStatus[];
  to: 'cancelled' | 'failed';
  actor: string;
  action: 'run.cancelled' | 'run.failed';
  reason: string;
  /** Kept in the audit entry, so whoever finds the notice undelivered can still post it. */
  notice: SlackMessage;
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
    await appendAudit(tx, { runId, actor: end.actor, action: end.action, detail: { reason: end.reason, notice: end.notice } });
    return { run, agentWorking: locked.agentWorking };
  });
}
