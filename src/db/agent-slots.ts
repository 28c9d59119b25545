import type { Queryable } from './pool.ts';

// One lock for every slot decision, so two workers cannot both see a free slot and take it.
const AGENT_SLOTS_LOCK = "hashtext('baton.agent_slots')";

/**
 * Takes one of `capacity` agent slots for the run (or renews the one it holds). Must run in a
 * transaction: the advisory lock is held until it commits. Returns whether the run holds a slot.
 */
export async function takeAgentSlot(tx: Queryable, runId: string, capacity: number, leaseSeconds: number): Promise<boolean> {
  await tx.query(`SELECT pg_advisory_xact_lock(${AGENT_SLOTS_LOCK})`);
  const { rows } = await tx.query<{ id: string }>(
    `UPDATE runs SET agent_lease_until = now() + make_interval(secs => $3), updated_at = now()
     WHERE id = $1
       AND status NOT IN ('succeeded', 'failed', 'cancelled')
       AND (agent_lease_until > now()
            OR (SELECT count(*) FROM runs WHERE agent_lease_until > now()) < $2)
     RETURNING id`,
    [runId, capacity, leaseSeconds],
  );
  return rows.length === 1;
}

/** Extends a held slot; false when the lease had already lapsed (another run may have it now). */
export async function renewAgentSlot(db: Queryable, runId: string, leaseSeconds: number): Promise<boolean> {
  const result = await db.query(
    `UPDATE runs SET agent_lease_until = now() + make_interval(secs => $2)
     WHERE id = $1 AND agent_lease_until > now()`,
    [runId, leaseSeconds],
  );
  return result.rowCount === 1;
}

export async function releaseAgentSlot(db: Queryable, runId: string): Promise<void> {
  await db.query('UPDATE runs SET agent_lease_until = NULL WHERE id = $1', [runId]);
}

export async function countAgentSlotsInUse(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM runs WHERE agent_lease_until > now()');
  return Number(rows[0]!.n);
}
