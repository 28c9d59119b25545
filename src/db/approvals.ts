import type { Gate } from '../domain/gate.ts';
import type { Queryable } from './pool.ts';

export type ApprovalRequestState = 'open' | 'approved' | 'rejected' | 'expired' | 'voided';

export interface ApprovalRequest {
  id: string;
  runId: string;
  gate: Gate;
  headSha: string;
  state: ApprovalRequestState;
  channelId: string | null;
  messageTs: string | null;
  expiresAt: Date | null;
  createdAt: Date;
}

interface RequestRow {
  id: string;
  run_id: string;
  gate: Gate;
  head_sha: string;
  state: ApprovalRequestState;
  channel_id: string | null;
  message_ts: string | null;
  expires_at: Date | null;
  created_at: Date;
}

function toRequest(row: RequestRow): ApprovalRequest {
  return {
    id: String(row.id), runId: row.run_id, gate: row.gate, headSha: row.head_sha, state: row.state,
    channelId: row.channel_id, messageTs: row.message_ts, expiresAt: row.expires_at, createdAt: row.created_at,
  };
}

/**
 * Opens the approval request for a card: the open one for this run and gate if there is one for the
 * same SHA (a redelivered job), else a new one. A request for another SHA must be closed first
 * (voided or expired); the unique index on open requests refuses two.
 */
export async function openApprovalRequest(
  db: Queryable, input: { runId: string; gate: Gate; headSha: string; expiresAt: Date | null },
): Promise<{ request: ApprovalRequest; created: boolean }> {
  const { rows } = await db.query<RequestRow>(
    `INSERT INTO approval_requests (run_id, gate, head_sha, expires_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (run_id, gate) WHERE state = 'open' DO NOTHING RETURNING *`,
    [input.runId, input.gate, input.headSha, input.expiresAt],
  );
  if (rows[0]) return { request: toRequest(rows[0]), created: true };
  const open = await openRequestFor(db, input.runId, input.gate);
  if (!open) throw new Error(`approval request for run ${input.runId} (${input.gate}) vanished while it was opened`);
  return { request: open, created: false };
}

export async function openRequestFor(db: Queryable, runId: string, gate: Gate): Promise<ApprovalRequest | undefined> {
  const { rows } = await db.query<RequestRow>("SELECT * FROM approval_requests WHERE run_id = $1 AND gate = $2 AND state = 'open'", [runId, gate]);
  return rows[0] ? toRequest(rows[0]) : undefined;
}

/** The latest request of a run at a gate, whatever its state: the card a click came from. */
export async function latestRequestFor(db: Queryable, runId: string, gate: Gate): Promise<ApprovalRequest | undefined> {
  const { rows } = await db.query<RequestRow>('SELECT * FROM approval_requests WHERE run_id = $1 AND gate = $2 ORDER BY id DESC LIMIT 1', [runId, gate]);
  return rows[0] ? toRequest(rows[0]) : undefined;
}

/** Where the card of a request is, once posted. */
export async function setRequestMessage(db: Queryable, id: string, channelId: string, messageTs: string): Promise<void> {
  await db.query('UPDATE approval_requests SET channel_id = $2, message_ts = $3 WHERE id = $1', [id, channelId, messageTs]);
}

/**
 * Closes an open request (approved, rejected, expired or voided). Conditional on it being open,
 * so of two racing decisions exactly one gets the request back.
 */
export async function closeRequest(db: Queryable, id: string, state: Exclude<ApprovalRequestState, 'open'>): Promise<ApprovalRequest | undefined> {
  const { rows } = await db.query<RequestRow>(
    "UPDATE approval_requests SET state = $2, decided_at = now() WHERE id = $1 AND state = 'open' RETURNING *",
    [id, state],
  );
  return rows[0] ? toRequest(rows[0]) : undefined;
}

/** Open requests whose time is up, oldest first. */
export async function expiredRequests(db: Queryable, now: Date, limit = 100): Promise<ApprovalRequest[]> {
  const { rows } = await db.query<RequestRow>(
    "SELECT * FROM approval_requests WHERE state = 'open' AND expires_at IS NOT NULL AND expires_at <= $1 ORDER BY expires_at LIMIT $2",
    [now, limit],
  );
  return rows.map(toRequest);
}

export interface Approval {
  runId: string;
  gate: Gate;
  headSha: string;
  decision: 'approved' | 'rejected';
  decidedBy: string;
  via: 'click' | 'policy';
  reason: string | null;
  decidedAt: Date;
}

/**
 * Records a decision, unique per run, gate and SHA: a double click (or ten) inserts one row, and
 * only the caller that inserted it goes on to enqueue the gate's job (in the same transaction).
 */
export async function insertApproval(
  db: Queryable, input: Omit<Approval, 'decidedAt' | 'reason'> & { reason?: string | null },
): Promise<Approval | undefined> {
  const { rows } = await db.query<{ decided_at: Date }>(
    `INSERT INTO approvals (run_id, gate, head_sha, decision, decided_by, via, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (run_id, gate, head_sha) DO NOTHING RETURNING decided_at`,
    [input.runId, input.gate, input.headSha, input.decision, input.decidedBy, input.via, input.reason ?? null],
  );
  return rows[0] ? { ...input, reason: input.reason ?? null, decidedAt: rows[0].decided_at } : undefined;
}

export async function approvalFor(db: Queryable, runId: string, gate: Gate, headSha: string): Promise<Approval | undefined> {
  const { rows } = await db.query<{ run_id: string; gate: Gate; head_sha: string; decision: 'approved' | 'rejected'; decided_by: string; via: 'click' | 'policy'; reason: string | null; decided_at: Date }>(
    'SELECT * FROM approvals WHERE run_id = $1 AND gate = $2 AND head_sha = $3',
    [runId, gate, headSha],
  );
  const r = rows[0];
  return r ? { runId: r.run_id, gate: r.gate, headSha: r.head_sha, decision: r.decision, decidedBy: r.decided_by, via: r.via, reason: r.reason, decidedAt: r.decided_at } : undefined;
}

/** Every open approval request, oldest first: what waits on approvers (the App Home lists it). */
export async function openRequests(db: Queryable, limit = 100): Promise<ApprovalRequest[]> {
  const { rows } = await db.query<RequestRow>("SELECT * FROM approval_requests WHERE state = 'open' ORDER BY created_at LIMIT $1", [limit]);
  return rows.map(toRequest);
}
