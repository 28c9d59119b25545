import { insertAgentCall } from '../../src/db/agent-calls.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createPool, type Pool } from '../../src/db/pool.ts';
import { insertRun } from '../../src/db/runs.ts';
import type { ModelCall } from '../../src/agents/model-client.ts';
import { machineSchema } from './machine-postgres.ts';

export interface AgentDatabase {
  pool: Pool;
  /** A run row for `ticketKey`; its id. */
  newRun(ticketKey: string): Promise<string>;
  /** What run.fix's onModelCall does: the call in agent_calls and its cost added to the run, in one statement. */
  recordCall(runId: string, call: ModelCall & { turn: number }): Promise<void>;
  drop(): Promise<void>;
}

/** Baton's schema, freshly migrated, in a new schema on the PostgreSQL at `url`; or why it cannot be used. */
export async function openAgentDatabase(url: string): Promise<{ ok: true; db: AgentDatabase } | { ok: false; reason: string }> {
  const target = await machineSchema(url);
  if (!target.ok) return target;
  const pool = createPool({ url, schema: target.schema, max: 10 });
  try {
    await migrate(pool, target.schema);
  } catch (error) {
    await pool.end();
    await target.drop();
    throw error;
  }
  return {
    ok: true,
    db: {
      pool,
      async newRun(ticketKey) {
        const run = await insertRun(pool, { ticketKey, source: 'slack', requestedBy: 'U_BENCH', channelId: 'C_BENCH', priority: 0 });
        if (!run) throw new Error(`could not insert a run for ${ticketKey}`);
        return run.id;
      },
      async recordCall(runId, call) {
        await insertAgentCall(pool, {
          runId, turn: call.turn, model: call.model, usage: call.usage, costUsd: call.costUsd,
          stopReason: call.message.stop_reason, durationMs: call.durationMs,
        });
      },
      async drop() {
        await pool.end();
        await target.drop();
      },
    },
  };
}
