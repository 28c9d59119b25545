import type { Consensus, ReviewerResult } from '../domain/review.ts';
import type { Queryable } from './pool.ts';

export interface StoredConsensus {
  consensus: Consensus;
  reviews: ReviewerResult[];
}

/**
 * Stores the consensus for a run's head SHA. A second store for the same SHA (a redelivered
 * run.review) keeps the first: the card people saw must match what is stored.
 */
export async function storeConsensus(db: Queryable, runId: string, stored: StoredConsensus): Promise<StoredConsensus> {
  const { consensus, reviews } = stored;
  await db.query(
    `INSERT INTO consensus_results (run_id, head_sha, score, components, vetoes, reviews)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (run_id, head_sha) DO NOTHING`,
    [runId, consensus.headSha, consensus.score, JSON.stringify(consensus.components), JSON.stringify(consensus.vetoes), JSON.stringify(reviews)],
  );
  return (await consensusFor(db, runId, consensus.headSha)) ?? stored;
}

export async function consensusFor(db: Queryable, runId: string, headSha: string): Promise<StoredConsensus | undefined> {
  const { rows } = await db.query<{ head_sha: string; score: string; components: Consensus['components']; vetoes: Consensus['vetoes']; reviews: ReviewerResult[] }>(
    'SELECT head_sha, score, components, vetoes, reviews FROM consensus_results WHERE run_id = $1 AND head_sha = $2',
    [runId, headSha],
  );
  const row = rows[0];
  if (!row) return undefined;
  return { consensus: { headSha: row.head_sha, score: Number(row.score), components: row.components, vetoes: row.vetoes }, reviews: row.reviews };
}
