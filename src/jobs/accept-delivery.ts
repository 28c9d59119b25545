import { insertDelivery, type DeliverySource } from '../db/deliveries.ts';
import { withTransaction, type Pool } from '../db/pool.ts';
import type { Payload } from './queues.ts';
import type { Queue } from './queue.ts';

/** A verified webhook delivery, its payload already translated to a domain event at the edge. */
export interface IncomingDelivery {
  source: DeliverySource;
  deliveryId: string;
  /** Other keys the same delivery is known by (its body's digest, for every source); seen under any of them, it is a duplicate. */
  alsoKnownAs?: readonly string[];
  eventName: string;
  event: unknown;
}

export interface AcceptDeliveryDeps {
  pool: Pool;
  queue: Queue;
}

/**
 * Records a verified webhook delivery and enqueues its `intake.event` job in one transaction, so a
 * redelivery (Linear resends after a minute and an hour, Jira retries for half an hour) finds its
 * id taken and enqueues nothing, and a failure leaves neither behind for the sender to retry into.
 */
export async function acceptDelivery(delivery: IncomingDelivery, deps: AcceptDeliveryDeps): Promise<'queued' | 'duplicate'> {
  const { eventName, alsoKnownAs = [], ...rest } = delivery;
  // enqueue checks the payload against the queue's schema, so a mismatched event fails here, loudly.
  const payload = rest as Payload<'intake.event'>;
  const queued = await withTransaction(deps.pool, async (tx) => {
    // The other keys first: a body replayed under a new id stops there, before that id is recorded.
    for (const key of [...alsoKnownAs, payload.deliveryId]) {
      if (!(await insertDelivery(tx, payload.source, key, eventName))) return false;
    }
    await deps.queue.enqueue(tx, 'intake.event', payload);
    return true;
  });
  if (!queued) return 'duplicate';
  deps.queue.notify('intake.event');
  return 'queued';
}
