import type { Consensus, ReviewerResult } from '../domain/review.ts';
import type { Queryable } from './pool.ts';

export interface StoredConsensus {
  consensus: Consensus;
  reviews: ReviewerResult[];
  /** The diff the reviewers read. */
  diff: string;
}

/**
 * Stores the consensus for a run's head SHA; `inserted` is false when one was already stored (a
 * redelivered run.review), which keeps the first: the card people saw must match what is stored.
 */
export async function storeConsensus(db: Queryable, runId: string, stored: StoredConsensus): Promise<{ stored: StoredConsensus; inserted: boolean }> {
  const { consensus, reviews, diff } = stored;
  const { rowCount } = await db.query(
    `INSERT INTO consensus_results (run_id, head_sha, score, components, vetoes, reviews, diff)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (run_id, head_sha) DO NOTHING`,
    [runId, consensus.headSha, consensus.score, JSON.stringify(consensus.components), JSON.stringify(consensus.vetoes), JSON.stringify(reviews), diff],
  );
  if (rowCount === 1) return { stored, inserted: true };
  return { stored: (await consensusFor(db, runId, consensus.headSha)) ?? stored, inserted: false };
}

export async function consensusFor(db: Queryable, runId: string, headSha: string): Promise<StoredConsensus | undefined> {
  const { rows } = await db.query<{ head_sha: string; score: string; components: Consensus['components']; vetoes: Consensus['vetoes']; reviews: ReviewerResult[]; diff: string }>(
    'SELECT head_sha, score, components, vetoes, reviews, diff FROM consensus_results WHERE run_id = $1 AND head_sha = $2',
    [runId, headSha],
  );
  const row = rows[0];
  if (!row) return undefined;
  return { consensus: { headSha: row.head_sha, score: Number(row.score), components: row.components, vetoes: row.vetoes }, reviews: row.reviews, diff: row.diff };
}

/** The latest consensus of a run, whatever its head: the review a new push left behind. */
export async function latestConsensus(db: Queryable, runId: string): Promise<StoredConsensus | undefined> {
  const { rows } = await db.query<{ head_sha: string }>('SELECT head_sha FROM consensus_results WHERE run_id = $1 ORDER BY created_at DESC LIMIT 1', [runId]);
  return rows[0] ? consensusFor(db, runId, rows[0].head_sha) : undefined;
}
