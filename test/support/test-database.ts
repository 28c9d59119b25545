import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres.ts';
import { createPool, type Pool } from '../../src/db/pool.ts';

export interface TestDatabase {
  url: string;
  schema: string;
  /** A pool for the test's own assertions (Baton builds its own). */
  pool: Pool;
  drop(): Promise<void>;
}

/**
 * A fresh schema per test file: on DATABASE_URL when it is set (CI uses the machine's
 * PostgreSQL), else on an embedded PostgreSQL of the test's own.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const schema = `t_${randomBytes(5).toString('hex')}`;
  const external = process.env.DATABASE_URL;
  let url = external;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (!url) {
    const dir = mkdtempSync(join(tmpdir(), 'baton-test-db-'));
    const embedded = await startEmbeddedPostgres(dir, { schema });
    url = embedded.url;
    stopEmbedded = async () => {
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const pool = createPool({ url, schema, max: 4 });
  await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  return {
    url,
    schema,
    pool,
    async drop() {
      if (!stopEmbedded) {
        await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_jobs CASCADE`);
      }
      await pool.end();
      await stopEmbedded?.();
    },
  };
}

export async function count(pool: Pool, sql: string, values: unknown[] = []): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM (${sql}) q`, values);
  return Number(rows[0]!.n);
}
