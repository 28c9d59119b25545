import PgBoss from 'pg-boss';
import type { Logger } from '../logger.ts';
import { connectOwnClient, withTransaction, type Pool, type Queryable } from '../db/pool.ts';
import { withSessionLock } from '../db/with-session-lock.ts';
import { describeError, retryAfterSecondsOf } from './errors.ts';
import { QUEUE_NAMES, QUEUES, type Payload, type QueueName } from './queues.ts';
import { startWakeOnNotify, type ListenClient, type WakeOnNotify } from './wake-on-notify.ts';
import { createJobLeaseKeeper, type ReleasedJob } from './job-lease-keeper.ts';

export type { ReleasedJob } from './job-lease-keeper.ts';

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
  /** Whether this process's workers are woken by other processes' NOTIFY right now (else they poll). */
  readonly listening: boolean;
  /** Sends a job through `db` (a transaction, usually), so it commits or rolls back with the caller's rows. */
  enqueue<N extends QueueName>(db: Queryable, name: N, payload: Payload<N>, options?: EnqueueOptions): Promise<string>;
  /** Wakes this process's workers for `name` now instead of at their next poll (other processes hear the enqueue's NOTIFY). */
  notify(name: QueueName): void;
  work<N extends QueueName>(name: N, handler: JobHandler<N>, concurrency?: number): Promise<void>;
  /**
   * Whether a job of `name` for `runId` is waiting (created, or failed and waiting for its retry) or
   * was taken by a worker less than `activeWithinSeconds` ago. An active job older than that may
   * belong to a worker that died: pg-boss hands it back only at its expiry.
   */
  hasLiveJob(name: QueueName, runId: string, activeWithinSeconds: number): Promise<boolean>;
  /** Sends a job to `name` on a cron schedule (pg-boss keeps one schedule per queue, in UTC). */
  schedule(name: QueueName, cron: string): Promise<void>;
  /**
   * Fails (so pg-boss retries) every job active past the job lease whose worker stopped renewing
   * it. Worker processes run it on a timer; exposed so a test can run one pass.
   */
  releaseAbandonedJobs(): Promise<ReleasedJob[]>;
  /** What to do with a released job that had no retry left (its run must not wait forever). */
  onGivenUp(handler: (job: ReleasedJob) => Promise<void>): void;
  stop(graceSeconds: number): Promise<void>;
}

export interface QueueOptions {
  pool: Pool;
  schema: string;
  pollIntervalSeconds: number;
  log: Logger;
  /** Web-only processes leave pg-boss maintenance and schedules to the workers. */
  supervise: boolean;
  /** baton.yml `queue.retry_delay_seconds`: the first retry's delay for every queue that retries. */
  retryDelaySeconds?: number;
  /** Expiries that policy decides (run.fix's follows agent.limits.minutes), over the table's. */
  expireInSeconds?: Partial<Record<QueueName, number>>;
  /**
   * Wake the workers when another process enqueues (LISTEN/NOTIFY); true by default. Off, they
   * find such jobs at their next poll.
   */
  listen?: boolean;
  /** Opens the listener's own connection; by default a pg.Client with the pool's settings. */
  connectListener?: () => Promise<ListenClient>;
  /**
   * How long a job may run without its process saying it is alive (baton.yml
   * scheduling.agent_lease_seconds; 60 s by default). A worker killed mid-job has its job released
   * this long after it started or last renewed, instead of at pg-boss's expiry.
   */
  leaseSeconds?: number;
  /** Told of each job this process's watchdog released (the metrics count them). */
  onReleased?: (job: ReleasedJob) => void;
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
  const inFlight = new Set<Promise<unknown>>();
  const leases = createJobLeaseKeeper({
    pool: options.pool,
    boss,
    schema: options.schema,
    leaseSeconds: options.leaseSeconds ?? 60,
    log: options.log,
    wake: (name) => {
      const known = QUEUE_NAMES.find((q) => q === name);
      if (known) queue.notify(known);
    },
    onReleased: options.onReleased,
  });
  let started = false;
  let stopping = false;
  let wake: WakeOnNotify | undefined;
  // One channel per pg-boss schema: Baton instances on other schemas of the database stay asleep.
  const channel = options.schema;
  const wakeAll = (): void => QUEUE_NAMES.forEach((name) => queue.notify(name));

  function listenForWakeUps(): void {
    if (wake || options.listen === false || stopping) return;
    wake = startWakeOnNotify({
      channel,
      connect: options.connectListener ?? (() => connectOwnClient(options.pool, `baton listener ${options.schema}`)),
      notify: async (to, payload) => void (await options.pool.query('SELECT pg_notify($1, $2)', [to, payload])),
      onWake: (payload) => {
        const name = QUEUE_NAMES.find((known) => known === payload);
        if (name) queue.notify(name);
      },
      onResume: wakeAll,
      log: options.log,
      pollIntervalSeconds: options.pollIntervalSeconds,
    });
  }

  async function createQueues(): Promise<void> {
    for (const name of QUEUE_NAMES) {
      const { policy, ...defaults } = QUEUES[name].options;
      const retry = {
        ...defaults,
        retryDelay: options.retryDelaySeconds ?? defaults.retryDelay,
        expireInSeconds: options.expireInSeconds?.[name] ?? defaults.expireInSeconds,
      };
      // createQueue is not idempotent in pg-boss 10; updateQueue keeps settings in step with the table.
      if (await boss.getQueue(name)) await boss.updateQueue(name, { name, policy, ...retry });
      else await boss.createQueue(name, { name, policy, ...retry });
    }
  }

  const queue: Queue = {
    get started() {
      return started;
    },

    get listening() {
      return wake?.listening ?? false;
    },

    async start() {
      // pg-boss's install (its schema, its tables) races when processes start together on a fresh
      // database: "duplicate key … pg_namespace" or a deadlock, and the process exits. One at a time.
      await withSessionLock(options.pool, `baton.queue.start.${options.schema}`, async () => {
        await boss.start();
        await createQueues();
      });
      if (options.supervise) leases.watch();
      started = true;
    },

    async enqueue(db, name, payload, enqueueOptions = {}) {
      const data = QUEUES[name].payload.parse(payload);
      // pg-boss validates keys that are present, even when undefined, so only set what was given.
      const sendOptions: PgBoss.SendOptions = { db: { executeSql: (text, values) => db.query(text, values) } };
      if (enqueueOptions.priority !== undefined) sendOptions.priority = enqueueOptions.priority;
      if (enqueueOptions.singletonKey !== undefined) sendOptions.singletonKey = enqueueOptions.singletonKey;
      if (enqueueOptions.startAfterSeconds !== undefined) sendOptions.startAfter = enqueueOptions.startAfterSeconds;
      const id = await boss.send(name, data as object, sendOptions);
      // pg-boss returns null when a policy swallowed the job; the caller's rows must not commit alone.
      if (!id) throw new Error(`queue ${name} refused the job (policy ${QUEUES[name].options.policy})`);
      // Delivered at commit, so a worker elsewhere never wakes for a job it cannot see yet.
      if (!enqueueOptions.startAfterSeconds) await db.query('SELECT pg_notify($1, $2)', [channel, name]);
      return id;
    },

    notify(name) {
      for (const id of workerIds.get(name) ?? []) boss.notifyWorker(id);
    },

    async work(name, handler, concurrency = QUEUES[name].workers) {
      listenForWakeUps();
      const ids: string[] = [];
      for (let i = 0; i < concurrency; i += 1) {
        // pg-boss names the worker only once it runs; its first fetch cannot deliver before that.
        const self: { id?: string } = {};
        const id = await boss.work<Payload<typeof name>>(
          name,
          { pollingIntervalSeconds: options.pollIntervalSeconds, batchSize: 1, includeMetadata: true },
          async ([job]) => {
            if (!job) return;
            // pg-boss sleeps the whole poll interval after every fetch, even one that found a job;
            // a worker that found one fetches again at once, so a backlog drains at full speed
            // and only an empty fetch waits. (Its notify flag is reset before each fetch.)
            if (self.id && !stopping) boss.notifyWorker(self.id);
            // A fetch that was under way when stop() began still delivers; hand the job back
            // (pg-boss retries it) rather than start work on a pool about to close.
            if (stopping) throw new Error('Baton is shutting down; the job will be retried');
            const payload = QUEUES[name].payload.parse(job.data) as Payload<typeof name>;
            leases.began(job.id, name);
            const work = handler(payload, { id: job.id, retryCount: job.retryCount, retryLimit: job.retryLimit });
            inFlight.add(work);
            try {
              await work;
            } catch (error) {
              const retryAfter = retryAfterSecondsOf(error);
              if (retryAfter === undefined) throw error;
              // pg-boss's backoff cannot take a delay per failure, so when the service said how
              // long to wait, fail the job here and move its retry no earlier than that. pg-boss's
              // own completion of the job that follows is a no-op: it only touches active jobs.
              await withTransaction(options.pool, async (tx) => {
                const db = { executeSql: (text: string, values?: unknown[]) => tx.query(text, values) };
                await boss.fail(name, job.id, { message: describeError(error), retryAfterSeconds: retryAfter }, { db });
                await delayRetry(tx, options.schema, job.id, retryAfter);
              });
              options.log.warn({ queue: name, jobId: job.id, retryAfterSeconds: retryAfter }, 'rate-limited; the retry waits as the service asked');
            } finally {
              inFlight.delete(work);
              await leases.ended(job.id);
            }
          },
        );
        self.id = id;
        ids.push(id);
      }
      workerIds.set(name, [...(workerIds.get(name) ?? []), ...ids]);
    },

    async hasLiveJob(name, runId, activeWithinSeconds) {
      const { rows } = await options.pool.query(
        `SELECT 1 FROM ${options.schema}.job
          WHERE name = $1 AND data->>'runId' = $2
            AND (state IN ('created', 'retry')
                 OR (state = 'active' AND (started_on > now() - $3 * interval '1 second'
                     OR EXISTS (SELECT 1 FROM job_leases l WHERE l.job_id = job.id AND l.lease_until > now()))))
          LIMIT 1`,
        [name, runId, activeWithinSeconds],
      );
      return rows.length > 0;
    },

    async schedule(name, cron) {
      await boss.schedule(name, cron, {}, { tz: 'UTC' });
    },

    releaseAbandonedJobs: () => leases.release(),

    onGivenUp(handler) {
      leases.onGivenUp(handler);
    },

    async stop(graceSeconds) {
      if (!started) return;
      started = false;
      stopping = true;
      leases.stop();
      await wake?.stop();
      // Running jobs get `graceSeconds` to finish; pg-boss then fails what is left, which
      // releases those jobs for a retry instead of leaving them active until they expire.
      await boss.stop({ graceful: true, wait: true, timeout: graceSeconds * 1000, close: false });
      // pg-boss 10 records a job's completion without awaiting it, and a handler past the grace
      // period keeps running; wait for both before the caller closes the pool under them.
      await Promise.allSettled([...inFlight]);
      await drained(options.pool, 5000);
    },
  };
  return queue;
}

/**
 * Pushes a job that pg-boss just put in `retry` to at least `seconds` from now. A job on its
 * last attempt is `failed` instead and is left as it is.
 */
async function delayRetry(db: Queryable, schema: string, jobId: string, seconds: number): Promise<void> {
  await db.query(
    `UPDATE ${schema}.job
        SET start_after = GREATEST(start_after, now() + $2 * interval '1 second')
      WHERE id = $1 AND state = 'retry'`,
    [jobId, seconds],
  );
}

/** Waits until no query is running on the pool, seen twice in a row so a follow-up query counts. */
async function drained(pool: Pool, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let idleChecks = 0;
  while (idleChecks < 2 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    idleChecks = pool.totalCount > pool.idleCount || pool.waitingCount > 0 ? 0 : idleChecks + 1;
  }
}
