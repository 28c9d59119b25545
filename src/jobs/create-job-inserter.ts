import { randomUUID } from 'node:crypto';
import pg from 'pg';
import PgBoss from 'pg-boss';
import type { Queryable } from '../db/pool.ts';
import { QUEUES, type Payload, type QueueName } from './queues.ts';

export interface JobInserter {
  /**
   * Sends many jobs of one queue through `db` (a transaction) in one statement; returns their ids.
   * It sends no NOTIFY: the caller adds notifyStatement to the same transaction.
   */
  insert<N extends QueueName>(db: Queryable, name: N, payloads: readonly Payload<N>[]): Promise<string[]>;
  /** Queue.enqueue's NOTIFY for `name` (delivered at commit), written out to share a simple query with other statements. */
  notifyStatement(name: QueueName): string;
}

/**
 * Queue.enqueue for many jobs at once: pg-boss's `insert` (one multi-row statement), where enqueue
 * costs a send and a NOTIFY per job. Jobs get what enqueue without options gives them: priority 0,
 * no singleton key, and the retry, expiry and retention settings of their queue as Queue.start
 * wrote them to pg-boss's queue table (`send` and `insert` read the same columns, and this
 * instance has pg-boss's default configuration, as the queue's own instance has). Only for queues
 * whose policy keeps every job (`standard`): a job pg-boss swallows fails the call. Its own pg-boss
 * instance on the queue's schema, never started: `insert` needs nothing else.
 */
export function createJobInserter(options: { schema: string }): JobInserter {
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
  return {
    async insert(db, name, payloads) {
      if (payloads.length === 0) return [];
      // Ids chosen here: pg-boss 10's insert returns none.
      const jobs = payloads.map((payload) => ({ id: randomUUID(), name, data: QUEUES[name].payload.parse(payload) as object }));
      let kept = 0;
      const executeSql = async (text: string, values?: unknown[]) => {
        const result = await db.query(text, values);
        kept = result.rowCount ?? 0;
        return result;
      };
      await boss.insert(jobs, { db: { executeSql } });
      // The caller's rows must not commit without their jobs.
      if (kept !== jobs.length) throw new Error(`queue ${name} refused ${jobs.length - kept} of ${jobs.length} jobs (policy ${QUEUES[name].options.policy})`);
      return jobs.map((job) => job.id);
    },
    // The channel and message of Queue.enqueue's NOTIFY (src/jobs/queue.ts): the pg-boss schema, the queue's name.
    notifyStatement: (name) => `SELECT pg_notify(${pg.escapeLiteral(options.schema)}, ${pg.escapeLiteral(name)})`,
  };
}
