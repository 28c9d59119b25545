import type { Queryable } from './pool.ts';

export type LocalPullState = 'open' | 'closed' | 'merged';

/** A pull request of the local code host (a repository with `repos.<r>.path`), as stored. */
export interface LocalPull {
  id: number;
  /** The key under `repos` (owner/name). */
  repo: string;
  number: number;
  title: string;
  body: string;
  state: LocalPullState;
  headRef: string;
  headSha: string;
  baseRef: string;
  baseSha: string;
  pendingMergeSha: string | null;
  pendingHeadSha: string | null;
  mergeSha: string | null;
  mergedBy: string | null;
  mergedAt: Date | null;
  closedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface LocalPullComment {
  id: number;
  pullId: number;
  author: string;
  body: string;
  createdAt: Date;
}

interface PullRow {
  id: string;
  repo: string;
  number: number;
  title: string;
  body: string;
  state: LocalPullState;
  head_ref: string;
  head_sha: string;
  base_ref: string;
  base_sha: string;
  pending_merge_sha: string | null;
  pending_head_sha: string | null;
  merge_sha: string | null;
  merged_by: string | null;
  merged_at: Date | null;
  closed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

function toPull(row: PullRow): LocalPull {
  return {
    id: Number(row.id), repo: row.repo, number: row.number, title: row.title, body: row.body, state: row.state,
    headRef: row.head_ref, headSha: row.head_sha, baseRef: row.base_ref, baseSha: row.base_sha,
    pendingMergeSha: row.pending_merge_sha, pendingHeadSha: row.pending_head_sha,
    mergeSha: row.merge_sha, mergedBy: row.merged_by, mergedAt: row.merged_at, closedAt: row.closed_at,
    createdAt: row.created_at, updatedAt: row.updated_at,
  };
}

const one = (rows: PullRow[]): LocalPull | undefined => (rows[0] ? toPull(rows[0]) : undefined);

export interface NewLocalPull {
  repo: string;
  title: string;
  body: string;
  headRef: string;
  headSha: string;
  baseRef: string;
  baseSha: string;
}

/**
 * Opens a pull request with the repository's next number; undefined when one is already open from
 * `headRef` (the caller looks first, so only a race gets here, and it costs a skipped number, as
 * GitHub's numbers skip too).
 */
export async function insertLocalPull(db: Queryable, pull: NewLocalPull): Promise<LocalPull | undefined> {
  const { rows } = await db.query<PullRow>(
    `WITH next AS (
       INSERT INTO local_pull_request_counters AS c (repo, last_number) VALUES ($1, 1)
       ON CONFLICT (repo) DO UPDATE SET last_number = c.last_number + 1
       RETURNING last_number
     )
     INSERT INTO local_pull_requests (repo, number, title, body, head_ref, head_sha, base_ref, base_sha)
     SELECT $1, next.last_number, $2, $3, $4, $5, $6, $7 FROM next
     ON CONFLICT (repo, head_ref) WHERE state = 'open' DO NOTHING
     RETURNING *`,
    [pull.repo, pull.title, pull.body, pull.headRef, pull.headSha, pull.baseRef, pull.baseSha],
  );
  return one(rows);
}

export async function findOpenLocalPull(db: Queryable, repo: string, headRef: string): Promise<LocalPull | undefined> {
  const { rows } = await db.query<PullRow>("SELECT * FROM local_pull_requests WHERE repo = $1 AND head_ref = $2 AND state = 'open'", [repo, headRef]);
  return one(rows);
}

export async function localPullByNumber(db: Queryable, repo: string, number: number): Promise<LocalPull | undefined> {
  const { rows } = await db.query<PullRow>('SELECT * FROM local_pull_requests WHERE repo = $1 AND number = $2', [repo, number]);
  return one(rows);
}

export async function localPullById(db: Queryable, id: number): Promise<LocalPull | undefined> {
  const { rows } = await db.query<PullRow>('SELECT * FROM local_pull_requests WHERE id = $1', [id]);
  return one(rows);
}

/** Newest first. */
export async function listLocalPulls(db: Queryable, limit = 200): Promise<LocalPull[]> {
  const { rows } = await db.query<PullRow>('SELECT * FROM local_pull_requests ORDER BY id DESC LIMIT $1', [limit]);
  return rows.map(toPull);
}

/** A publish that runs again: new title, body and commits, while the pull request is still open. */
export async function updateLocalPull(
  db: Queryable, id: number, update: { title: string; body: string; headSha: string; baseSha: string },
): Promise<LocalPull | undefined> {
  const { rows } = await db.query<PullRow>(
    `UPDATE local_pull_requests SET title = $2, body = $3, head_sha = $4, base_sha = $5, updated_at = now()
     WHERE id = $1 AND state = 'open' RETURNING *`,
    [id, update.title, update.body, update.headSha, update.baseSha],
  );
  return one(rows);
}

/** The head branch moved (a push): an open pull request follows it. */
export async function setLocalPullHead(db: Queryable, id: number, headSha: string): Promise<LocalPull | undefined> {
  const { rows } = await db.query<PullRow>(
    `UPDATE local_pull_requests SET head_sha = $2, updated_at = now()
     WHERE id = $1 AND state = 'open' AND head_sha <> $2 RETURNING *`,
    [id, headSha],
  );
  return one(rows);
}

/**
 * Records the merge commit about to be put on the base branch. Conditional on the pending commit
 * being the one the caller read, so of two merges racing only one goes on to move the branch.
 */
export async function setPendingMerge(
  db: Queryable, id: number, pending: { expected: string | null; mergeSha: string; headSha: string },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE local_pull_requests SET pending_merge_sha = $3, pending_head_sha = $4, updated_at = now()
     WHERE id = $1 AND state = 'open' AND pending_merge_sha IS NOT DISTINCT FROM $2`,
    [id, pending.expected, pending.mergeSha, pending.headSha],
  );
  return rowCount === 1;
}

export async function markLocalPullMerged(
  db: Queryable, id: number, merge: { mergeSha: string; headSha: string; mergedBy: string },
): Promise<LocalPull | undefined> {
  const { rows } = await db.query<PullRow>(
    `UPDATE local_pull_requests
     SET state = 'merged', merge_sha = $2, head_sha = $3, merged_by = $4, merged_at = now(), closed_at = now(),
         pending_merge_sha = NULL, pending_head_sha = NULL, updated_at = now()
     WHERE id = $1 AND state = 'open' RETURNING *`,
    [id, merge.mergeSha, merge.headSha, merge.mergedBy],
  );
  return one(rows);
}

export async function closeLocalPull(db: Queryable, id: number): Promise<LocalPull | undefined> {
  const { rows } = await db.query<PullRow>(
    "UPDATE local_pull_requests SET state = 'closed', closed_at = now(), updated_at = now() WHERE id = $1 AND state = 'open' RETURNING *",
    [id],
  );
  return one(rows);
}

interface CommentRow {
  id: string;
  pull_id: string;
  author: string;
  body: string;
  created_at: Date;
}

const toComment = (row: CommentRow): LocalPullComment => ({
  id: Number(row.id), pullId: Number(row.pull_id), author: row.author, body: row.body, createdAt: row.created_at,
});

export async function addLocalPullComment(db: Queryable, pullId: number, author: string, body: string): Promise<LocalPullComment> {
  const { rows } = await db.query<CommentRow>(
    'INSERT INTO local_pull_request_comments (pull_id, author, body) VALUES ($1, $2, $3) RETURNING *',
    [pullId, author, body],
  );
  return toComment(rows[0]!);
}

/** Oldest first. */
export async function localPullComments(db: Queryable, pullId: number): Promise<LocalPullComment[]> {
  const { rows } = await db.query<CommentRow>('SELECT * FROM local_pull_request_comments WHERE pull_id = $1 ORDER BY id', [pullId]);
  return rows.map(toComment);
}
