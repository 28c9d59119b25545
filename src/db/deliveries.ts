import type { Queryable } from './pool.ts';

export type DeliverySource = 'linear' | 'jira' | 'github';

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

/** Deliveries older than every sender's redelivery window are only history. */
export async function pruneDeliveries(db: Queryable, olderThanDays: number): Promise<number> {
  const result = await db.query(`DELETE FROM deliveries WHERE received_at < now() - make_interval(days => $1)`, [olderThanDays]);
  return result.rowCount ?? 0;
}
