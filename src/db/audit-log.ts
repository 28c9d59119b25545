import type { Queryable } from './pool.ts';

export interface AuditEntry {
  runId: string | null;
  actor: string;
  action: string;
  detail?: Record<string, unknown>;
}

/** Append-only: the table refuses UPDATE and DELETE, so there is no function for them. */
export async function appendAudit(db: Queryable, entry: AuditEntry): Promise<void> {
  await db.query('INSERT INTO audit_log (run_id, actor, action, detail) VALUES ($1, $2, $3, $4)', [
    entry.runId,
    entry.actor,
    entry.action,
    JSON.stringify(entry.detail ?? {}),
  ]);
}

export async function auditForRun(db: Queryable, runId: string): Promise<{ actor: string; action: string; detail: unknown }[]> {
  const { rows } = await db.query('SELECT actor, action, detail FROM audit_log WHERE run_id = $1 ORDER BY id', [runId]);
  return rows as { actor: string; action: string; detail: unknown }[];
}
