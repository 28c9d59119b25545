import type { Queryable } from './pool.ts';

// One lock for every slot decision, so two workers cannot both see a free slot and take it.
const AGENT_SLOTS_LOCK = "hashtext('baton.agent_slots')";

/**
 * `held_elsewhere`: this run's slot has a live lease of another holder (another delivery of its
 * job is working). `all_taken`: every slot is in use by other runs (or the run has ended).
 */
export type TakeAgentSlotResult = 'taken' | 'held_elsewhere' | 'all_taken';

/*
 * Times below are statement_timestamp(), read after the advisory lock is granted, not now():
 * now() is when the transaction began, possibly before another worker's take or renewal that
 * held the lock committed, and a stale clock could see a lease live that the other saw lapsed.
 */

/**
 * Takes one of `capacity` agent slots for the run as `holder`, or renews it if `holder` already
 * has it. A live lease of another holder is never shared: that holder must release it or let
 * it lapse. Must run in a transaction: the advisory lock is held until it commits.
 */
export async function takeAgentSlot(
  tx: Queryable,
  runId: string,
  holder: string,
  capacity: number,
  leaseSeconds: number,
): Promise<TakeAgentSlotResult> {
  await tx.query(`SELECT pg_advisory_xact_lock(${AGENT_SLOTS_LOCK})`);
  // The outer SELECT sees the rows as they were before the UPDATE: `run_held` says whether the
  // run had a live lease, which, when the update did not take it, belongs to another holder.
  const { rows } = await tx.query<{ taken: boolean; run_held: boolean }>(
    `WITH taken AS (
       UPDATE runs SET agent_lease_until = statement_timestamp() + make_interval(secs => $4), agent_holder = $2, updated_at = now()
       WHERE id = $1
         AND status NOT IN ('succeeded', 'failed', 'cancelled')
         AND CASE WHEN agent_lease_until > statement_timestamp() THEN agent_holder = $2
                  ELSE (SELECT count(*) FROM runs WHERE agent_lease_until > statement_timestamp()) < $3 END
       RETURNING id
     )
     SELECT EXISTS (SELECT 1 FROM taken) AS taken,
            EXISTS (SELECT 1 FROM runs WHERE id = $1 AND agent_lease_until > statement_timestamp()) AS run_held`,
    [runId, holder, capacity, leaseSeconds],
  );
  const { taken, run_held: runHeld } = rows[0]!;
  if (taken) return 'taken';
  return runHeld ? 'held_elsewhere' : 'all_taken';
}

/**
 * Extends `holder`'s live lease; false when it had lapsed or another holder has the slot now.
 * Must run in a transaction, under the same lock as takeAgentSlot, so a take that saw this
 * lease lapsed cannot be followed by a renewal that revives it.
 */
export async function renewAgentSlot(tx: Queryable, runId: string, holder: string, leaseSeconds: number): Promise<boolean> {
  await tx.query(`SELECT pg_advisory_xact_lock(${AGENT_SLOTS_LOCK})`);
  const result = await tx.query(
    `UPDATE runs SET agent_lease_until = statement_timestamp() + make_interval(secs => $3)
     WHERE id = $1 AND agent_holder = $2 AND agent_lease_until > statement_timestamp()`,
    [runId, holder, leaseSeconds],
  );
  return result.rowCount === 1;
}

/** Frees the slot if `holder` still has it; false when it had passed to another holder. */
export async function releaseAgentSlot(db: Queryable, runId: string, holder: string): Promise<boolean> {
  const result = await db.query(
    'UPDATE runs SET agent_lease_until = NULL, agent_holder = NULL WHERE id = $1 AND agent_holder = $2',
    [runId, holder],
  );
  return result.rowCount === 1;
}

export async function countAgentSlotsInUse(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM runs WHERE agent_lease_until > now()');
  return Number(rows[0]!.n);
}
