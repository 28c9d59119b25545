import pg, { type QueryResult } from 'pg';
import type { Queryable } from './pool.ts';

export type DeliverySource = 'linear' | 'jira' | 'local' | 'github';

/**
 * Deliveries older than every sender's redelivery window are only history. Body digests of GitHub
 * deliveries are kept longer: GitHub's bodies carry no timestamp, so the digest is the only thing
 * that stops a captured signed body being replayed, and a run can wait on its PR for weeks.
 */
export async function pruneDeliveries(db: Queryable, olderThanDays: number, githubDigestDays = 90): Promise<number> {
  const result = await db.query(
    `DELETE FROM deliveries
     WHERE received_at < now() - make_interval(days => $1)
       AND (source <> 'github' OR delivery_id NOT LIKE 'sha256:%' OR received_at < now() - make_interval(days => $2))`,
    [olderThanDays, githubDigestDays],
  );
  return result.rowCount ?? 0;
}

export interface DeliveryKey {
  source: DeliverySource;
  deliveryId: string;
  event: string;
}

/**
 * The statement that records many delivery keys, written out with its values (escaped by pg's
 * escapeLiteral) so it can share one simple query with BEGIN: a round trip less per batch of
 * deliveries (src/jobs/accept-delivery.ts). Its rows are the keys that were new; read them with
 * recordedKeys. Keys go in sorted order, so two transactions recording overlapping keys take their
 * locks in the same order and wait for each other instead of deadlocking.
 */
export function insertDeliveriesStatement(keys: readonly DeliveryKey[]): string {
  const sorted = [...keys].sort((a, b) => compare(a.source, b.source) || compare(a.deliveryId, b.deliveryId));
  const rows = sorted.map((k) => `(${literal(k.source)}, ${literal(k.deliveryId)}, ${literal(k.event)})`);
  return `INSERT INTO deliveries (source, delivery_id, event) VALUES ${rows.join(', ')}
     ON CONFLICT (source, delivery_id) DO NOTHING
     RETURNING source, delivery_id`;
}

/** The keys insertDeliveriesStatement recorded, as deliveryKey makes them. */
export function recordedKeys(result: QueryResult): Set<string> {
  return new Set(result.rows.map((row: { source: string; delivery_id: string }) => deliveryKey(row.source, row.delivery_id)));
}

/** A delivery key as one string. */
export function deliveryKey(source: string, deliveryId: string): string {
  return `${source}\u0000${deliveryId}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function literal(value: string): string {
  // PostgreSQL text cannot hold NUL, and a simple query ends at one; a parameter would fail too.
  if (value.includes('\u0000')) throw new Error('a delivery key or event name contains a NUL character');
  return pg.escapeLiteral(value);
}

/** Takes back rows recorded earlier in the same transaction (a duplicate's keys past the one that was seen). */
export async function deleteDeliveries(db: Queryable, keys: readonly Omit<DeliveryKey, 'event'>[]): Promise<void> {
  await db.query(
    `DELETE FROM deliveries WHERE (source, delivery_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
    [keys.map((k) => k.source), keys.map((k) => k.deliveryId)],
  );
}
