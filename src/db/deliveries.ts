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
