import assert from 'node:assert/strict';
import type { Pool } from '../../src/db/pool.ts';
import { eventually } from './eventually.ts';

/**
 * Waits until the pg-boss jobs matching `where` (SQL on `jobsTable`) have settled, and fails with
 * pg-boss's output if the one that settled did not complete.
 */
export async function jobFinished(pool: Pool, jobsTable: string, where: string, values: unknown[], what: string): Promise<void> {
  const row = await eventually(
    async () => {
      const { rows } = await pool.query<{ state: string; output: unknown }>(`SELECT state, output FROM ${jobsTable} WHERE ${where}`, values);
      const done = rows.find((r) => ['completed', 'failed', 'retry', 'cancelled'].includes(r.state));
      return done && rows.every((r) => r.state !== 'created' && r.state !== 'active') ? done : undefined;
    },
    10_000,
    what,
  );
  assert.equal(row.state, 'completed', `${what}: ${JSON.stringify(row.output)}`);
}
