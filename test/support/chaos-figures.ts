import type { Pool } from '../../src/db/pool.ts';

/*
 * What the chaos test measures from the database after the fact: which jobs a killed worker was
 * holding, and when each of their runs moved again.
 */

/** A pg-boss job that was `active` when a process was killed. */
export interface HeldJob {
  id: string;
  name: string;
  runId: string | null;
  startedOnMs: number;
}

/** Every active job right after a kill: the dead process's among them, frozen where it left them. */
export async function activeJobs(pool: Pool, jobs: string): Promise<HeldJob[]> {
  const { rows } = await pool.query<{ id: string; name: string; run_id: string | null; started_ms: string }>(
    `SELECT id::text, name, data->>'runId' AS run_id, (extract(epoch FROM started_on) * 1000)::bigint AS started_ms
       FROM ${jobs} WHERE state = 'active'`,
  );
  return rows.map((r) => ({ id: r.id, name: r.name, runId: r.run_id, startedOnMs: Number(r.started_ms) }));
}

/**
 * Of the jobs active at a kill, those the killed process held: a live process completes its job
 * with the start it had, while a dead one's stays `active` (until pg-boss's expiry retries it,
 * with a new start, or forever if the run was rescued by a new job). Read once everything settled.
 */
export async function orphaned(pool: Pool, jobs: string, atKill: HeldJob[]): Promise<HeldJob[]> {
  if (atKill.length === 0) return [];
  const { rows } = await pool.query<{ id: string; state: string; started_ms: string | null }>(
    `SELECT id::text, state, (extract(epoch FROM started_on) * 1000)::bigint AS started_ms FROM ${jobs} WHERE id = ANY($1::uuid[])`,
    [atKill.map((j) => j.id)],
  );
  const now = new Map(rows.map((r) => [r.id, r]));
  return atKill.filter((job) => {
    const row = now.get(job.id);
    return !row || row.state !== 'completed' || Number(row.started_ms) !== job.startedOnMs;
  });
}

/**
 * What each kill's process held, in kill order: its jobs left orphaned, less those an earlier kill
 * already left (a dead process's job stays `active`, so later kills see it again).
 */
export async function heldByEachKill(pool: Pool, jobs: string, activeAfterEachKill: HeldJob[][]): Promise<HeldJob[][]> {
  const seen = new Set<string>();
  const held: HeldJob[][] = [];
  for (const active of activeAfterEachKill) {
    const mine = (await orphaned(pool, jobs, active)).filter((j) => !seen.has(`${j.id}@${j.startedOnMs}`));
    for (const j of mine) seen.add(`${j.id}@${j.startedOnMs}`);
    held.push(mine);
  }
  return held;
}

/** An active run and how long nothing has touched it. */
export interface IdleRun {
  ticketKey: string;
  runId: string;
  status: string;
  idleSeconds: number;
  /** Its jobs still waiting or held active, as `name:state`. */
  jobs: string[];
}

/**
 * Active runs not waiting for a person, with how long since anything touched them: the row, its
 * audit trail, a model call, or any of its jobs (created, taken or finished; a run waiting for an
 * agent slot hands its job back every few seconds). A run held only by a dead process's job
 * grows idle until the watchdog (or pg-boss's expiry) hands it on.
 */
export async function idleRuns(pool: Pool, jobs: string): Promise<IdleRun[]> {
  const { rows } = await pool.query<{ ticket_key: string; id: string; status: string; idle: string; jobs: string[] | null }>(
    `SELECT r.ticket_key, r.id, r.status,
            extract(epoch FROM now() - GREATEST(r.updated_at, a.at, c.at, j.at)) AS idle, j.live AS jobs
       FROM runs r
       LEFT JOIN LATERAL (SELECT max(at) AS at FROM audit_log WHERE run_id = r.id) a ON true
       LEFT JOIN LATERAL (SELECT max(created_at) AS at FROM agent_calls WHERE run_id = r.id) c ON true
       LEFT JOIN LATERAL (
         SELECT max(GREATEST(created_on, started_on, completed_on)) AS at,
                array_agg(name || ':' || state) FILTER (WHERE state IN ('created', 'retry', 'active')) AS live
           FROM ${jobs} WHERE data->>'runId' = r.id::text) j ON true
      WHERE NOT run_status_ended(r.status)
        AND r.status NOT IN ('needs_clarification', 'awaiting_budget', 'awaiting_approval', 'awaiting_deploy_approval')
      ORDER BY idle DESC`,
  );
  return rows.map((r) => ({ ticketKey: r.ticket_key, runId: r.id, status: r.status, idleSeconds: Number(r.idle), jobs: r.jobs ?? [] }));
}

/**
 * When the run next made progress after `afterMs`: a model call recorded, or a step in its audit
 * trail (the watchdog's own `run.rescued` is the rescue, not progress). Undefined if never.
 */
export async function nextProgress(pool: Pool, runId: string, afterMs: number): Promise<number | undefined> {
  const { rows } = await pool.query<{ at_ms: string | null }>(
    `SELECT (extract(epoch FROM min(at)) * 1000)::bigint AS at_ms FROM (
       SELECT created_at AS at FROM agent_calls WHERE run_id = $1 AND created_at > to_timestamp($2 / 1000.0)
       UNION ALL
       SELECT at FROM audit_log WHERE run_id = $1 AND action <> 'run.rescued' AND at > to_timestamp($2 / 1000.0)
     ) q`,
    [runId, afterMs],
  );
  return rows[0]?.at_ms == null ? undefined : Number(rows[0].at_ms);
}

/**
 * Whether the run had already ended (merged) and stayed untouched since `atMs`: a job the killed
 * process held for it was only its last bookkeeping (pg-boss had not recorded the completion), so
 * there was nothing to recover.
 */
export async function endedBefore(pool: Pool, runId: string, atMs: number): Promise<boolean> {
  const { rows } = await pool.query(
    'SELECT 1 FROM runs WHERE id = $1 AND run_status_ended(status) AND updated_at <= to_timestamp($2 / 1000.0)',
    [runId, atMs],
  );
  return rows.length > 0;
}

/** Rows beyond one per key: 0 when every key appears once. */
export function duplicatesBy<T>(items: readonly T[], key: (item: T) => string): number {
  return items.length - new Set(items.map(key)).size;
}

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
