import type { Queryable } from './pool.ts';

/** Takes or renews the leases of `jobIds` (all held by `holder`) for `seconds` from now. */
export async function renewJobLeases(db: Queryable, jobs: readonly { id: string; queue: string }[], holder: string, seconds: number): Promise<void> {
  if (jobs.length === 0) return;
  await db.query(
    `INSERT INTO job_leases (job_id, queue, holder, lease_until)
     SELECT id, queue, $3, now() + $4 * interval '1 second' FROM unnest($1::uuid[], $2::text[]) AS j(id, queue)
     ON CONFLICT (job_id) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until`,
    [jobs.map((j) => j.id), jobs.map((j) => j.queue), holder, seconds],
  );
}

/** Drops the leases of jobs that ended here. */
export async function dropJobLeases(db: Queryable, jobIds: readonly string[]): Promise<void> {
  if (jobIds.length === 0) return;
  await db.query('DELETE FROM job_leases WHERE job_id = ANY($1::uuid[])', [jobIds]);
}

export interface AbandonedJob {
  id: string;
  name: string;
  data: unknown;
  retryCount: number;
  retryLimit: number;
  /** Who last held its lease, if anyone renewed one. */
  holder: string | null;
}

/**
 * Jobs pg-boss has `active` for longer than `seconds` with no live lease: their worker stopped
 * (killed, lost its host, or lost its database connection while pg-boss recorded the end). Locked
 * for the caller's transaction (SKIP LOCKED: two watchdogs never release one job twice).
 */
export async function lockAbandonedJobs(tx: Queryable, jobsSchema: string, seconds: number, limit = 100): Promise<AbandonedJob[]> {
  const { rows } = await tx.query<{ id: string; name: string; data: unknown; retry_count: number; retry_limit: number; holder: string | null }>(
    `SELECT j.id, j.name, j.data, j.retry_count, j.retry_limit, l.holder
       FROM ${jobsSchema}.job j LEFT JOIN job_leases l ON l.job_id = j.id
      WHERE j.state = 'active' AND j.started_on < now() - $1 * interval '1 second'
        AND (l.job_id IS NULL OR l.lease_until < now())
      ORDER BY j.started_on
      LIMIT $2
      FOR UPDATE OF j SKIP LOCKED`,
    [seconds, limit],
  );
  return rows.map((r) => ({ id: r.id, name: r.name, data: r.data, retryCount: r.retry_count, retryLimit: r.retry_limit, holder: r.holder }));
}

/** Forgets leases that lapsed long ago (their jobs ended without the holder dropping them). */
export async function sweepJobLeases(db: Queryable, olderThanSeconds: number): Promise<void> {
  await db.query(`DELETE FROM job_leases WHERE lease_until < now() - $1 * interval '1 second'`, [olderThanSeconds]);
}
