import type { Queryable } from './pool.ts';

/*
 * A run's end (RUN_END_ACTIONS) is an audit entry that carries the Slack notice; the
 * `run.announced` entry after it records that the notice reached Slack. An end without one is
 * still owed to the people in the thread. Whoever posts it first claims it
 * (runs.end_notice_claimed_until), so callers that find it owed at the same time post it once.
 */

/** Audit actions that end a run and carry its notice for the thread. */
export const RUN_END_ACTIONS = ['run.cancelled', 'run.failed', 'run.rejected', 'run.delivered', 'pr.merged_outside', 'pr.closed_outside'] as const;
export type RunEndAction = (typeof RUN_END_ACTIONS)[number];

export interface PendingEnd {
  id: string;
  actor: string;
  action: string;
  detail: { reason?: string; notice?: unknown };
}

/** The run's last end entry, if no announcement follows it and it carries a notice. */
export async function pendingAnnouncement(db: Queryable, runId: string): Promise<PendingEnd | undefined> {
  const { rows } = await db.query<PendingEnd>(
    `SELECT e.id::text, e.actor, e.action, e.detail FROM audit_log e
     WHERE e.run_id = $1 AND e.action = ANY($2::text[]) AND e.detail ? 'notice'
       AND NOT EXISTS (SELECT 1 FROM audit_log n WHERE n.run_id = e.run_id AND n.action = 'run.announced' AND n.id > e.id)
     ORDER BY e.id DESC LIMIT 1`,
    [runId, RUN_END_ACTIONS],
  );
  return rows[0];
}

/**
 * Runs that ended in the last day at least `olderThanSeconds` ago and whose notice never reached
 * Slack and is not claimed by a live poster. The age keeps a sweep off an end whose own notice is
 * still on its way.
 */
export async function listUnannouncedEnds(db: Queryable, olderThanSeconds: number, limit = 100): Promise<string[]> {
  const { rows } = await db.query<{ run_id: string }>(
    `SELECT DISTINCT e.run_id FROM audit_log e
     JOIN runs r ON r.id = e.run_id AND (r.end_notice_claimed_until IS NULL OR r.end_notice_claimed_until < now())
     WHERE e.action = ANY($3::text[]) AND e.detail ? 'notice'
       AND e.at > now() - interval '1 day' AND e.at <= now() - make_interval(secs => $1)
       AND NOT EXISTS (SELECT 1 FROM audit_log n WHERE n.run_id = e.run_id AND n.action = 'run.announced' AND n.id > e.id)
     LIMIT $2`,
    [olderThanSeconds, limit, RUN_END_ACTIONS],
  );
  return rows.map((r) => r.run_id);
}

/**
 * Claims the run's end notice for `seconds` unless a live claim exists. Returns the claim (its
 * expiry, as text so it compares exactly) for releaseEndNotice, or undefined if another caller holds
 * it. The claim lapses rather than waiting for a release, so a poster that dies leaves the notice
 * to reconcile's sweep.
 */
export async function claimEndNotice(db: Queryable, runId: string, seconds: number): Promise<string | undefined> {
  const { rows } = await db.query<{ until: string }>(
    `UPDATE runs SET end_notice_claimed_until = now() + make_interval(secs => $2)
     WHERE id = $1 AND (end_notice_claimed_until IS NULL OR end_notice_claimed_until < now())
     RETURNING end_notice_claimed_until::text AS until`,
    [runId, seconds],
  );
  return rows[0]?.until;
}

/** Gives up a claim from claimEndNotice, unless it lapsed and another caller has claimed since. */
export async function releaseEndNotice(db: Queryable, runId: string, claim: string): Promise<void> {
  await db.query(
    `UPDATE runs SET end_notice_claimed_until = NULL WHERE id = $1 AND end_notice_claimed_until = $2::timestamptz`,
    [runId, claim],
  );
}
