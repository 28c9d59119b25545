import { deleteDeliveries, deliveryKey, insertDeliveriesStatement, recordedKeys, type DeliveryKey, type DeliverySource } from '../db/deliveries.ts';
import { withOpenedTransaction, type Pool } from '../db/pool.ts';
import { createGroupCommit } from './group-commit.ts';
import type { JobInserter } from './create-job-inserter.ts';
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
  /**
   * The queue's jobs sent in one statement per batch (src/jobs/create-job-inserter.ts, on the
   * queue's schema); without it each job goes through queue.enqueue, two statements apiece.
   */
  insertJobs?: JobInserter;
}

type Outcome = 'queued' | 'duplicate';
export type Accept = (delivery: IncomingDelivery) => Promise<Outcome>;

// Deliveries arriving together (a sender's burst, several senders at once) share a transaction.
// Up to this many transactions commit at once, on a pool of 10 that other work shares too.
const MAX_IN_FLIGHT = 2;
const MAX_BATCH = 50;

/**
 * Records a verified webhook delivery and enqueues its `intake.event` job in one transaction, so a
 * redelivery (Linear resends after a minute and an hour, Jira retries for half an hour) finds its
 * id taken and enqueues nothing, and a failure leaves neither behind for the sender to retry into.
 * The acceptor resolves only once that transaction committed, which it may share with deliveries
 * arriving at the same time (src/jobs/group-commit.ts); a batch that fails is retried one delivery
 * at a time. Build one per entry point and keep it: its batches are its own.
 */
export function createDeliveryAcceptor(deps: AcceptDeliveryDeps): Accept {
  return createGroupCommit<IncomingDelivery, Outcome>({
    commit: (deliveries) => commitDeliveries(deliveries, deps),
    keysOf: (d) => keysOf(d).map((key) => deliveryKey(d.source, key)),
    maxBatch: MAX_BATCH,
    maxInFlight: MAX_IN_FLIGHT,
  });
}

/** The other keys first: a body replayed under a new id stops there, before that id is recorded. */
function keysOf(delivery: IncomingDelivery): string[] {
  return [...new Set([...(delivery.alsoKnownAs ?? []), delivery.deliveryId])];
}

/**
 * Deliveries whose keys are all distinct from each other's, in one transaction of three round
 * trips: BEGIN with the NOTIFY and the delivery rows, the jobs, COMMIT (when the jobs go through
 * queue.enqueue, two more per job).
 */
async function commitDeliveries(deliveries: IncomingDelivery[], deps: AcceptDeliveryDeps): Promise<Outcome[]> {
  const keys = deliveries.flatMap((d) => keysOf(d).map((deliveryId): DeliveryKey => ({ source: d.source, deliveryId, event: d.eventName })));
  // A batch of redeliveries only wakes the workers for nothing; a NOTIFY is delivered only at commit.
  const opening = ['BEGIN', ...(deps.insertJobs ? [deps.insertJobs.notifyStatement('intake.event')] : []), insertDeliveriesStatement(keys)];
  const outcomes = await withOpenedTransaction(deps.pool, opening.join('; '), async (tx, opened) => {
    const recorded = recordedKeys(opened.at(-1)!);
    const takeBack: Omit<DeliveryKey, 'event'>[] = [];
    const outcomes = deliveries.map((d): Outcome => {
      const own = keysOf(d);
      const seen = own.findIndex((key) => !recorded.has(deliveryKey(d.source, key)));
      if (seen === -1) return 'queued';
      // As if recorded one key at a time, stopping at the first one seen: the keys after it stay unrecorded.
      for (const key of own.slice(seen + 1)) if (recorded.has(deliveryKey(d.source, key))) takeBack.push({ source: d.source, deliveryId: key });
      return 'duplicate';
    });
    if (takeBack.length) await deleteDeliveries(tx, takeBack);
    // Both check each payload against the queue's schema, so a mismatched event fails here, loudly.
    const payloads = deliveries
      .filter((_, i) => outcomes[i] === 'queued')
      .map((d) => ({ source: d.source, deliveryId: d.deliveryId, event: d.event }) as Payload<'intake.event'>);
    if (deps.insertJobs) await deps.insertJobs.insert(tx, 'intake.event', payloads);
    else for (const payload of payloads) await deps.queue.enqueue(tx, 'intake.event', payload);
    return outcomes;
  });
  if (outcomes.includes('queued')) deps.queue.notify('intake.event');
  return outcomes;
}
