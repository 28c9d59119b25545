import type { Queryable } from './pool.ts';

export type DeliverySource = 'linear' | 'jira' | 'local' | 'github';

/**
 * Records a webhook delivery. Returns false when it was seen before (the primary key decides), so
 * the caller, in the same transaction, enqueues its job only for a first delivery.
 */
export async function insertDelivery(db: Queryable, source: DeliverySource, deliveryId: string, event: string): Promise<boolean> {
  const result = await db.query(
    `INSERT INTO deliveries (source, delivery_id, event) VALUES ($1, $2, $3)
     ON CONFLICT (source, delivery_id) DO NOTHING`,
    [source, deliveryId, event],
  );
  return result.rowCount === 1;
}

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
 * Records many delivery keys in one statement and returns those that were new, as
 * `source\u0000deliveryId`. Rows go in key order, so two transactions recording overlapping keys
 * take their locks in the same order and wait for each other instead of deadlocking.
 */
export async function insertDeliveries(db: Queryable, keys: readonly DeliveryKey[]): Promise<Set<string>> {
  const result = await db.query<{ source: string; delivery_id: string }>(
    `INSERT INTO deliveries (source, delivery_id, event)
     SELECT source, delivery_id, event FROM unnest($1::text[], $2::text[], $3::text[]) AS k (source, delivery_id, event)
     ORDER BY source, delivery_id
     ON CONFLICT (source, delivery_id) DO NOTHING
     RETURNING source, delivery_id`,
    [keys.map((k) => k.source), keys.map((k) => k.deliveryId), keys.map((k) => k.event)],
  );
  return new Set(result.rows.map((row) => deliveryKey(row.source, row.delivery_id)));
}

/** The key insertDeliveries reports a new row by. */
export function deliveryKey(source: string, deliveryId: string): string {
  return `${source}\u0000${deliveryId}`;
}

/** Takes back rows recorded earlier in the same transaction (a duplicate's keys past the one that was seen). */
export async function deleteDeliveries(db: Queryable, keys: readonly Omit<DeliveryKey, 'event'>[]): Promise<void> {
  await db.query(
    `DELETE FROM deliveries WHERE (source, delivery_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
    [keys.map((k) => k.source), keys.map((k) => k.deliveryId)],
  );
}
