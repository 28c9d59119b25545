import { randomUUID } from 'node:crypto';
import { releaseAgentSlot, renewAgentSlot, takeAgentSlot, type TakeAgentSlotResult } from '../db/agent-slots.ts';
import { withTransaction, type Pool } from '../db/pool.ts';
import type { Logger } from '../logger.ts';

export interface AgentSlotOptions {
  pool: Pool;
  /** baton.yml `scheduling.agent_concurrency`: agent runs at once across every process. */
  capacity: number;
  /** A slot whose holder stops renewing (its worker died) is free again after this. */
  leaseSeconds?: number;
  /**
   * How long a refused run keeps its place in line for the next free slot: longer than the
   * caller takes to come back, or a freed slot may go to a run due later. 0 keeps no place.
   */
  keepPlaceSeconds?: number;
  log: Logger;
}

export type AgentSlotOutcome<T> = { ran: true; value: T } | { ran: false; reason: Exclude<TakeAgentSlotResult, 'taken'> };

const AGENT_LEASE_SECONDS = 120;

/**
 * Runs `work` while holding one of the agent slots, renewing the lease as it goes, and frees the
 * slot after, whatever happens. Returns `{ ran: false }` at once when no slot can be had: the
 * caller hands its job back to the queue rather than holding a worker while it waits.
 * `reason: 'held_elsewhere'` means this very run's slot is held by another call (a second
 * delivery of its job), which may take it only once that call releases it or its lease lapses.
 * `all_taken` and `queued_behind` mean the caller should come back within `keepPlaceSeconds`.
 *
 * `work` gets a signal that aborts at the next renewal if the lease is lost (it lapsed or was
 * taken), so a long step stops rather than work past the cap, or if the run has ended (cancelled
 * meanwhile), so it stops rather than finish work nobody wants.
 */
export async function withAgentSlot<T>(
  runId: string,
  options: AgentSlotOptions,
  work: (slot: { stop: AbortSignal }) => Promise<T>,
): Promise<AgentSlotOutcome<T>> {
  const lease = options.leaseSeconds ?? AGENT_LEASE_SECONDS;
  // One holder per call, not the pg-boss job id: pg-boss retries an expired job under the same
  // id, and that retry is exactly the second worker that must not share this slot.
  const holder = randomUUID();
  const log = options.log.child({ runId, agentSlotHolder: holder });
  const taken = await withTransaction(options.pool, (tx) => takeAgentSlot(tx, runId, holder, options.capacity, lease, options.keepPlaceSeconds ?? 0));
  if (taken !== 'taken') return { ran: false, reason: taken };

  const stop = new AbortController();
  let renewing = Promise.resolve();
  const renewOnce = async (): Promise<void> => {
    try {
      const state = await withTransaction(options.pool, (tx) => renewAgentSlot(tx, runId, holder, lease));
      if (state === 'lost' && !stop.signal.aborted) {
        log.warn('agent slot lease lapsed before renewal; another worker may have the slot now');
        stop.abort(new Error('agent slot lease lost'));
      }
      if (state === 'ended' && !stop.signal.aborted) {
        log.info('the run ended while its agent worked; telling the agent to stop');
        stop.abort(new Error('the run ended'));
      }
    } catch (error) {
      // The lease still runs until it lapses; the next beat tries again.
      log.error({ err: error }, 'could not renew the agent slot lease');
    }
  };
  // A third of the lease: two beats may fail (a database blip) before the slot lapses.
  const heartbeat = setInterval(() => {
    renewing = renewing.then(renewOnce);
  }, (lease * 1000) / 3);
  try {
    return { ran: true, value: await work({ stop: stop.signal }) };
  } finally {
    clearInterval(heartbeat);
    // A renewal in flight finishes first, so it cannot report a lapse for the release below.
    await renewing;
    await releaseAgentSlot(options.pool, runId, holder).catch((error: unknown) => {
      log.error({ err: error, leaseSeconds: lease }, 'could not release the agent slot; it frees itself when the lease lapses');
    });
  }
}
