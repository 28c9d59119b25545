import { releaseAgentSlot, renewAgentSlot, takeAgentSlot } from '../db/agent-slots.ts';
import { withTransaction, type Pool } from '../db/pool.ts';
import type { Logger } from '../logger.ts';

export interface AgentSlotOptions {
  pool: Pool;
  /** baton.yml `scheduling.agent_concurrency`: agent runs at once across every process. */
  capacity: number;
  /** A slot whose holder stops renewing (its worker died) is free again after this. */
  leaseSeconds?: number;
  log: Logger;
}

const DEFAULT_LEASE_SECONDS = 120;

/**
 * Runs `work` while holding one of the agent slots, renewing the lease as it goes, and frees the
 * slot after, whatever happens. Returns `{ ran: false }` at once when every slot is taken: the
 * caller hands its job back to the queue rather than holding a worker while it waits.
 */
export async function withAgentSlot<T>(runId: string, options: AgentSlotOptions, work: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
  const lease = options.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  const taken = await withTransaction(options.pool, (tx) => takeAgentSlot(tx, runId, options.capacity, lease));
  if (!taken) return { ran: false };
  const renew = setInterval(() => {
    renewAgentSlot(options.pool, runId, lease).then(
      (held) => {
        if (!held) options.log.warn({ runId }, 'agent slot lease lapsed before renewal; the cap may be exceeded briefly');
      },
      (error: unknown) => options.log.error({ err: error, runId }, 'could not renew the agent slot lease'),
    );
  }, (lease * 1000) / 3);
  try {
    return { ran: true, value: await work() };
  } finally {
    clearInterval(renew);
    await releaseAgentSlot(options.pool, runId);
  }
}
