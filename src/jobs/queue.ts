import PgBoss from 'pg-boss';
import type { Logger } from '../logger.ts';
import type { Pool, Queryable } from '../db/pool.ts';
import { QUEUE_NAMES, QUEUES, type Payload, type QueueName } from './queues.ts';

export interface EnqueueOptions {
  priority?: number;
  singletonKey?: string;
  startAfterSeconds?: number;
}

export type JobHandler<N extends QueueName> = (
  payload: Payload<N>,
  job: { id: string; retryCount: number; retryLimit: number },
) => Promise<void>;

export interface Queue {
  start(): Promise<void>;
  readonly started: boolean;
  /** Sends a job through `db` (a transaction, usually), so it commits or rolls back with the caller's rows. */
  enqueue<N extends QueueName>(db: Queryable, name: N, payload: Payload<N>, options?: EnqueueOptions): Promise<string>;
  /** Wakes this process's workers for `name` now instead of at their next poll. */
  notify(name: QueueName): void;
  work<N extends QueueName>(name: N, handler: JobHandler<N>, concurrency?: number): Promise<void>;
  stop(graceSeconds: number): Promise<void>;
}

export interface QueueOptions {
  pool: Pool;
  schema: string;
  pollIntervalSeconds: number;
  log: Logger;
  /** Web-only processes leave pg-boss maintenance and schedules to the workers. */
  supervise: boolean;
}

/** pg-boss on Baton's own pool, so `enqueue` can join the caller's transaction. */
export function createQueue(options: QueueOptions): Queue {
  const boss = new PgBoss({
    db: { executeSql: (text, values) => options.pool.query(text, values) },
    schema: options.schema,
    supervise: options.supervise,
    schedule: options.supervise,
    migrate: true,
  });
  boss.on('error', (error) => options.log.error({ err: error }, 'queue error'));
  const workerIds = new Map<QueueName, string[]>();
  let started = false;

  return {
    get started() {
      return started;
    },

    async start() {
      await boss.start();
      for (const name of QUEUE_NAMES) {
        const { policy, ...retry } = QUEUES[name].options;
        // createQueue is not idempotent in pg-boss 10; updateQueue keeps settings in step with the table.
        if (await boss.getQueue(name)) await boss.updateQueue(name, { name, policy, ...retry });
        else await boss.createQueue(name, { name, policy, ...retry });
      }
      started = true;
    },

    async enqueue(db, name, payload, enqueueOptions = {}) {
      const data = QUEUES[name].payload.parse(payload);
      const id = await boss.send(name, data as object, {
        db: { executeSql: (text, values) => db.query(text, values) },
        priority: enqueueOptions.priority,
        singletonKey: enqueueOptions.singletonKey,
        startAfter: enqueueOptions.startAfterSeconds,
      });
      // pg-boss returns null when a policy swallowed the job; the caller's rows must not commit alone.
      if (!id) throw new Error(`queue ${name} refused the job (policy ${QUEUES[name].options.policy})`);
      return id;
    },

    notify(name) {
      for (const id of workerIds.get(name) ?? []) boss.notifyWorker(id);
    },

    async work(name, handler, concurrency = QUEUES[name].workers) {
      const ids: string[] = [];
      for (let i = 0; i < concurrency; i += 1) {
        const id = await boss.work<Payload<typeof name>>(
          name,
          { pollingIntervalSeconds: options.pollIntervalSeconds, batchSize: 1, includeMetadata: true },
          async ([job]) => {
            if (!job) return;
            const payload = QUEUES[name].payload.parse(job.data) as Payload<typeof name>;
            await handler(payload, { id: job.id, retryCount: job.retryCount, retryLimit: job.retryLimit });
          },
        );
        ids.push(id);
      }
      workerIds.set(name, [...(workerIds.get(name) ?? []), ...ids]);
    },

    async stop(graceSeconds) {
      if (!started) return;
      started = false;
      // Running jobs get `graceSeconds` to finish; pg-boss then fails what is left, which
      // releases those jobs for a retry instead of leaving them active until they expire.
      await boss.stop({ graceful: true, wait: true, timeout: graceSeconds * 1000, close: false });
    },
  };
}
