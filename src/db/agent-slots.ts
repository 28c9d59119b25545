import { TERMINAL_STATUSES, type RunStatus } from '../domain/run.ts';
import type { Queryable } from './pool.ts';

// One lock for every slot decision, so two workers cannot both see a free slot and take it.
const AGENT_SLOTS_LOCK = "hashtext('baton.agent_slots')";

/**
 * `held_elsewhere`: this run's slot has a live lease of another holder (another delivery of its
 * job is working). `all_taken`: every slot is in use by other runs (or the run has ended).
 * `queued_behind`: a slot is free but kept for a waiting run that is due earlier.
 */
export type TakeAgentSlotResult = 'taken' | 'held_elsewhere' | 'all_taken' | 'queued_behind';

/*
 * Times below are statement_timestamp(), read after the advisory lock is granted, not now():
 * now() is when the transaction began, possibly before another worker's take or renewal that
 * held the lock committed, and a stale clock could see a lease live that the other saw lapsed.
 */

/**
 * Takes one of `capacity` agent slots for the run as `holder`, or renews it if `holder` already
 * has it. A live lease of another holder is never shared: that holder must release it or let
 * it lapse. Must run in a transaction: the advisory lock is held until it commits.
 *
 * Free slots go in due order: runs refused earlier keep a place in line (agent_wait_until), and
 * each live place of a run due before this one (higher job priority, or equal and created
 * first) holds one free slot for it. A refused run takes or refreshes its own place for
 * `keepPlaceSeconds`; a caller that will not come back passes 0 and keeps none.
 */
export async function takeAgentSlot(
  tx: Queryable,
  runId: string,
  holder: string,
  capacity: number,
  leaseSeconds: number,
  keepPlaceSeconds = 0,
): Promise<TakeAgentSlotResult> {
  await tx.query(`SELECT pg_advisory_xact_lock(${AGENT_SLOTS_LOCK})`);
  const { rows } = await tx.query<{ lease_holder: string | null; in_use: string; ahead: string }>(
    `SELECT CASE WHEN me.agent_lease_until > statement_timestamp() THEN me.agent_holder END AS lease_holder,
            (SELECT count(*) FROM runs WHERE agent_lease_until > statement_timestamp()) AS in_use,
            (SELECT count(*) FROM runs w
              WHERE w.agent_wait_until > statement_timestamp()
                AND NOT run_status_ended(w.status)
                AND w.id <> me.id
                AND (-w.priority, w.created_at, w.id) < (-me.priority, me.created_at, me.id)) AS ahead
     FROM runs me
     WHERE me.id = $1 AND NOT run_status_ended(me.status)`,
    [runId],
  );
  const line = rows[0];
  if (!line) return 'all_taken';
  if (line.lease_holder !== null && line.lease_holder !== holder) return 'held_elsewhere';
  const inUse = Number(line.in_use);
  if (line.lease_holder === null && inUse + Number(line.ahead) >= capacity) {
    await tx.query(
      `UPDATE runs SET agent_wait_until = statement_timestamp() + make_interval(secs => $2)
       WHERE id = $1 AND NOT run_status_ended(status)`,
      [runId, keepPlaceSeconds],
    );
    return inUse >= capacity ? 'all_taken' : 'queued_behind';
  }
  // Conditional on the run not having ended: a cancel needs no lock and may have landed since.
  const taken = await tx.query(
    `UPDATE runs SET agent_lease_until = statement_timestamp() + make_interval(secs => $3), agent_holder = $2,
                     agent_wait_until = NULL, updated_at = now()
     WHERE id = $1 AND NOT run_status_ended(status)`,
    [runId, holder, leaseSeconds],
  );
  return taken.rowCount === 1 ? 'taken' : 'all_taken';
}

/**
 * Extends `holder`'s live lease: 'lost' when it had lapsed or another holder has the slot now,
 * 'ended' when it is still held but the run itself has ended.
 * Must run in a transaction, under the same lock as takeAgentSlot, so a take that saw this
 * lease lapsed cannot be followed by a renewal that revives it.
 */
export async function renewAgentSlot(tx: Queryable, runId: string, holder: string, leaseSeconds: number): Promise<'held' | 'lost' | 'ended'> {
  await tx.query(`SELECT pg_advisory_xact_lock(${AGENT_SLOTS_LOCK})`);
  const { rows } = await tx.query<{ status: string }>(
    `UPDATE runs SET agent_lease_until = statement_timestamp() + make_interval(secs => $3)
     WHERE id = $1 AND agent_holder = $2 AND agent_lease_until > statement_timestamp()
     RETURNING status`,
    [runId, holder, leaseSeconds],
  );
  if (!rows[0]) return 'lost';
  // The run was cancelled (its ticket closed, its PR closed) while its agent works: the agent
  // hears it at the next beat instead of finishing work nobody wants.
  return TERMINAL_STATUSES.includes(rows[0].status as RunStatus) ? 'ended' : 'held';
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
