import { appendAudit } from '../db/audit-log.ts';
import { withTransaction, type Pool } from '../db/pool.ts';
import { listRunsWaitingForAgent, stopWaitingForAgent } from '../db/run-agent.ts';
import type { Logger } from '../logger.ts';
import type { Queue } from './queue.ts';

export const REQUEUED_REASON = 'A model is configured now; the run is queued for its agent.';

/**
 * A worker that starts with the agent configured sends run.fix again for the runs that read their
 * ticket while no model was configured (run-fix.ts left them `queued` with no job). Each run is
 * taken off its wait and its job sent in one transaction, so of two workers starting at once only
 * one sends it; a duplicate would be harmless anyway (run.fix ends at once for a run another
 * delivery's agent works on, or one that has moved on). Returns the runs re-queued.
 */
export async function requeueRunsWaitingForAgent(deps: { pool: Pool; queue: Queue; log: Logger }): Promise<string[]> {
  const requeued: string[] = [];
  for (const run of await listRunsWaitingForAgent(deps.pool)) {
    const sent = await withTransaction(deps.pool, async (tx) => {
      const taken = await stopWaitingForAgent(tx, run.id, REQUEUED_REASON);
      if (!taken) return false;
      await deps.queue.enqueue(tx, 'run.fix', { runId: run.id }, { priority: run.priority, singletonKey: run.ticketKey });
      await appendAudit(tx, { runId: run.id, actor: 'baton', action: 'run.requeued', detail: { why: 'the agent is configured now' } });
      return true;
    });
    if (sent) requeued.push(run.id);
  }
  if (requeued.length) {
    deps.queue.notify('run.fix');
    deps.log.info({ runIds: requeued }, 'runs that waited for a model configuration are queued for their agent');
  }
  return requeued;
}
