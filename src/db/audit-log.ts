import type { Queryable } from './pool.ts';

export interface AuditEntry {
  runId: string | null;
  actor: string;
  action: string;
  detail?: Record<string, unknown>;
  /** For decisions and actions at a gate: which gate, on which head SHA, at what consensus score. */
  gate?: string;
  headSha?: string;
  score?: number;
}

export interface AuditRecord {
  actor: string;
  action: string;
  detail: unknown;
  gate: string | null;
  headSha: string | null;
  score: number | null;
  at: Date;
}

/** Append-only: the table refuses UPDATE and DELETE, so there is no function for them. */
export async function appendAudit(db: Queryable, entry: AuditEntry): Promise<void> {
  await db.query('INSERT INTO audit_log (run_id, actor, action, detail, gate, head_sha, score) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
    entry.runId,
    entry.actor,
    entry.action,
    JSON.stringify(entry.detail ?? {}),
    entry.gate ?? null,
    entry.headSha ?? null,
    entry.score ?? null,
  ]);
}

/** A run's trail, oldest first. */
export async function auditForRun(db: Queryable, runId: string): Promise<AuditRecord[]> {
  const { rows } = await db.query<{ actor: string; action: string; detail: unknown; gate: string | null; head_sha: string | null; score: string | null; at: Date }>(
    'SELECT actor, action, detail, gate, head_sha, score, at FROM audit_log WHERE run_id = $1 ORDER BY id',
    [runId],
  );
  return rows.map((r) => ({ actor: r.actor, action: r.action, detail: r.detail, gate: r.gate, headSha: r.head_sha, score: r.score === null ? null : Number(r.score), at: r.at }));
}
