import { hostname } from 'node:os';
import type PgBoss from 'pg-boss';
import { dropJobLeases, lockAbandonedJobs, renewJobLeases, sweepJobLeases, type AbandonedJob } from '../db/job-leases.ts';
import { withTransaction, type Pool, type Queryable } from '../db/pool.ts';
import type { Logger } from '../logger.ts';

/** A job the watchdog took from a worker that stopped; `givenUp` when it had no retry left. */
export interface ReleasedJob extends AbandonedJob {
  givenUp: boolean;
}

/** Identifies this process in job leases and the log line that releases its jobs. */
const HOLDER = `${hostname()}:${process.pid}`;

export interface JobLeaseKeeperOptions {
  pool: Pool;
  boss: PgBoss;
  /** pg-boss's schema. */
  schema: string;
  leaseSeconds: number;
  log: Logger;
  /** Wakes this process's workers for a released job's queue. */
  wake: (queue: string) => void;
  /** Told of each released job (the metrics count them). */
  onReleased?: (job: ReleasedJob) => void;
}

/**
 * pg-boss knows a job is `active`, not whether the process that took it still exists: a worker
 * SIGKILLed mid-job leaves it active until its expiry (up to an hour and a half). Job leases say
 * sooner. Wherever jobs run, their leases are renewed three times a lease (one statement a tick;
 * a job shorter than a third of a lease never writes one); worker processes, twice a lease, fail
 * (so pg-boss retries) the jobs active past the lease with no live lease (migrations/0010).
 */
export function createJobLeaseKeeper(options: JobLeaseKeeperOptions) {
  const { leaseSeconds, log } = options;
  // Jobs running here (id → queue), and those whose lease row was written (dropped when they end).
  const running = new Map<string, string>();
  const leased = new Set<string>();
  const timers: NodeJS.Timeout[] = [];
  let renewing = false;
  let givenUp: ((job: ReleasedJob) => Promise<void>) | undefined;

  const every = (seconds: number, tick: () => Promise<unknown>): void => {
    const timer = setInterval(() => void tick(), Math.max(1, seconds) * 1000);
    timer.unref();
    timers.push(timer);
  };

  /** Renews the lease of every job running here; a failure (database away) is retried next tick. */
  async function renew(): Promise<void> {
    const jobs = [...running].map(([id, queue]) => ({ id, queue }));
    try {
      await renewJobLeases(options.pool, jobs, HOLDER, leaseSeconds);
      for (const job of jobs) if (running.has(job.id)) leased.add(job.id);
    } catch (error) {
      log.warn({ err: error, jobs: jobs.length }, 'could not renew the job leases; trying again shortly');
    }
  }

  async function release(): Promise<ReleasedJob[]> {
    const released = await withTransaction(options.pool, async (tx) => {
      const jobs = await lockAbandonedJobs(tx, options.schema, leaseSeconds);
      if (jobs.length === 0) return [];
      const db = { executeSql: (text: string, values?: unknown[]) => tx.query(text, values) };
      const why = { message: `its worker stopped (no lease for ${leaseSeconds} s); released by ${HOLDER}` };
      for (const job of jobs) await options.boss.fail(job.name, job.id, why, { db });
      await dropJobLeases(tx, jobs.map((j) => j.id));
      const failed = await failedJobIds(tx, options.schema, jobs.map((j) => j.id));
      return jobs.map((j) => ({ ...j, givenUp: failed.has(j.id) }));
    });
    await sweepJobLeases(options.pool, 24 * 60 * 60);
    for (const job of released) {
      log.warn(
        { queue: job.name, jobId: job.id, holder: job.holder, attempt: job.retryCount + 1, givenUp: job.givenUp },
        job.givenUp ? 'a job whose worker stopped had no retry left' : 'a job whose worker stopped was released for a retry',
      );
      options.onReleased?.(job);
      options.wake(job.name);
      if (job.givenUp && givenUp) {
        await givenUp(job).catch((error: unknown) => log.error({ err: error, jobId: job.id }, 'could not end the run of a job given up'));
      }
    }
    return released;
  }

  return {
    /** A job starts running here. */
    began(jobId: string, queue: string): void {
      running.set(jobId, queue);
      if (renewing) return;
      renewing = true;
      every(leaseSeconds / 3, renew);
    },

    /** A job running here ended (its lease, if written, goes; left behind it is harmless and swept later). */
    async ended(jobId: string): Promise<void> {
      running.delete(jobId);
      if (!leased.delete(jobId)) return;
      await dropJobLeases(options.pool, [jobId]).catch((error: unknown) => log.warn({ err: error, jobId }, 'could not drop an ended job’s lease'));
    },

    /** In worker processes: release, twice a lease, the jobs whose worker stopped. */
    watch(): void {
      every(leaseSeconds / 2, async () => {
        try {
          await release();
        } catch (error) {
          log.warn({ err: error }, 'could not look for jobs whose worker stopped; trying again shortly');
        }
      });
    },

    release,

    onGivenUp(handler: (job: ReleasedJob) => Promise<void>): void {
      givenUp = handler;
    },

    stop(): void {
      for (const timer of timers.splice(0)) clearInterval(timer);
      renewing = false;
    },
  };
}

/** Which of `ids` pg-boss has marked `failed` (out of retries). */
async function failedJobIds(db: Queryable, schema: string, ids: string[]): Promise<Set<string>> {
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM ${schema}.job WHERE id = ANY($1::uuid[]) AND state = 'failed'`, [ids]);
  return new Set(rows.map((r) => r.id));
}
