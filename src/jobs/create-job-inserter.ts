import { randomUUID } from 'node:crypto';
import PgBoss from 'pg-boss';
import type { Queryable } from '../db/pool.ts';
import { QUEUES, type Payload, type QueueName } from './queues.ts';

/** Sends many jobs of one queue through `db` (a transaction) in one statement; returns their ids. */
export type InsertJobs = <N extends QueueName>(db: Queryable, name: N, payloads: readonly Payload<N>[]) => Promise<string[]>;

/**
 * Queue.enqueue for many jobs at once: pg-boss's `insert` (one multi-row statement) and one
 * NOTIFY, where enqueue costs two statements per job. Jobs get what enqueue without options gives
 * them: priority 0, no singleton key, and the retry, expiry and retention settings of their queue
 * as Queue.start wrote them to pg-boss's queue table (`send` and `insert` read the same columns,
 * and this instance has pg-boss's default configuration, as the queue's own instance has). Only
 * for queues whose policy keeps every job (`standard`): a job pg-boss swallows fails the call.
 * Its own pg-boss instance, never started: `insert` only needs the schema's name.
 */
export function createJobInserter(options: { schema: string }): InsertJobs {
  const boss = new PgBoss({
    db: {
      executeSql: () => {
        throw new Error('the job inserter runs statements only through the caller’s db');
      },
    },
    schema: options.schema,
    supervise: false,
    schedule: false,
    migrate: false,
  });
  return async (db, name, payloads) => {
    if (payloads.length === 0) return [];
    const jobs = payloads.map((payload) => ({ id: randomUUID(), name, data: QUEUES[name].payload.parse(payload) as object }));
    // pg-boss 10's insert returns nothing; the statement's row count says how many jobs it kept.
    let kept = 0;
    const executeSql = async (text: string, values?: unknown[]) => {
      const result = await db.query(text, values);
      kept = result.rowCount ?? 0;
      return result;
    };
    await boss.insert(jobs, { db: { executeSql } });
    // The caller's rows must not commit without their jobs.
    if (kept !== jobs.length) throw new Error(`queue ${name} refused ${jobs.length - kept} of ${jobs.length} jobs (policy ${QUEUES[name].options.policy})`);
    // The channel and message Queue.enqueue's NOTIFY uses (src/jobs/queue.ts): the pg-boss schema, the queue's name.
    await db.query('SELECT pg_notify($1, $2)', [options.schema, name]);
    return jobs.map((job) => job.id);
  };
}
