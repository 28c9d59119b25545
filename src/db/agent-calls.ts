import type { Queryable } from './pool.ts';

/** Tokens of one model call, by kind (the same fields as CallUsage in domain/model-cost.ts). */
export interface AgentCallUsage {
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
}

export interface NewAgentCall {
  runId: string;
  /** Which agent made the call; the coder unless said otherwise. */
  agent?: string;
  turn: number;
  /** The model that answered (after any fallback), as the API named it. */
  model: string;
  usage: AgentCallUsage;
  costUsd: number;
  stopReason: string | null;
  durationMs: number;
}

/**
 * Records one model call and adds its cost to the run's total, in one statement, so the total
 * can never miss a call that was recorded (or count one that was not). Returns the run's new
 * total. A run that does not exist is refused by the foreign key.
 */
export async function insertAgentCall(db: Queryable, call: NewAgentCall): Promise<number> {
  const { rows, rowCount } = await db.query<{ cost_usd: string }>(
    `WITH call AS (
       INSERT INTO agent_calls (run_id, agent, turn, model, input_tokens, output_tokens,
                                cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens,
                                cost_usd, stop_reason, duration_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       RETURNING run_id, cost_usd
     )
     UPDATE runs SET cost_usd = runs.cost_usd + call.cost_usd
     FROM call WHERE runs.id = call.run_id
     RETURNING runs.cost_usd`,
    [
      call.runId, call.agent ?? 'coder', call.turn, call.model,
      call.usage.input, call.usage.output, call.usage.cacheWrite5m, call.usage.cacheWrite1h, call.usage.cacheRead,
      call.costUsd, call.stopReason, Math.round(call.durationMs),
    ],
  );
  if (rowCount !== 1 || !rows[0]) throw Object.assign(new Error(`run ${call.runId} was not charged for its model call`), { code: 'run_not_found' });
  return Number(rows[0].cost_usd);
}
