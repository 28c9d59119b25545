import type { Queryable } from '../db/pool.ts';

/*
 * What /metrics reads from the database at each scrape. Counted there rather than in memory, so
 * every process reports the same exact figures (jobs and runs are shared state, and a web process
 * never sees the worker's agent calls), and a restart loses nothing.
 */

export interface JobCount {
  queue: string;
  state: string;
  count: number;
}

/** Jobs by queue and state in pg-boss's table (`<schema>_jobs.job`; archived jobs are not in it). */
export async function countJobs(db: Queryable, jobsSchema: string): Promise<JobCount[]> {
  const { rows } = await db.query<{ name: string; state: string; n: string }>(
    `SELECT name, state::text AS state, count(*) AS n FROM ${jobsSchema}.job GROUP BY name, state`,
  );
  return rows.map((r) => ({ queue: r.name, state: r.state, count: Number(r.n) }));
}

export interface RunCount {
  status: string;
  count: number;
}

export async function countRuns(db: Queryable): Promise<RunCount[]> {
  const { rows } = await db.query<{ status: string; n: string }>('SELECT status, count(*) AS n FROM runs GROUP BY status');
  return rows.map((r) => ({ status: r.status, count: Number(r.n) }));
}

export interface AgentUsage {
  model: string;
  agent: string;
  calls: number;
  tokens: { input: number; output: number; cache_write_5m: number; cache_write_1h: number; cache_read: number };
  costUsd: number;
}

/** Every model call ever recorded, summed by model and agent (agent_calls rows are never deleted). */
export async function sumAgentUsage(db: Queryable): Promise<AgentUsage[]> {
  const { rows } = await db.query<Record<'model' | 'agent' | 'calls' | 'input' | 'output' | 'w5m' | 'w1h' | 'read' | 'cost', string>>(
    `SELECT model, agent, count(*) AS calls,
            sum(input_tokens) AS input, sum(output_tokens) AS output,
            sum(cache_write_5m_tokens) AS w5m, sum(cache_write_1h_tokens) AS w1h, sum(cache_read_tokens) AS read,
            sum(cost_usd) AS cost
       FROM agent_calls GROUP BY model, agent`,
  );
  return rows.map((r) => ({
    model: r.model,
    agent: r.agent,
    calls: Number(r.calls),
    tokens: { input: Number(r.input), output: Number(r.output), cache_write_5m: Number(r.w5m), cache_write_1h: Number(r.w1h), cache_read: Number(r.read) },
    costUsd: Number(r.cost),
  }));
}
