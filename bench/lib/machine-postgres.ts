import { randomBytes } from 'node:crypto';
import pg from 'pg';

export type MachineSchema = { ok: true; schema: string; drop(): Promise<void> } | { ok: false; reason: string };

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh schema name on the machine's PostgreSQL (Baton's migration creates it, pg-boss its
 * `_jobs` twin), or why the server cannot be used. `drop()` removes both schemas.
 */
export async function machineSchema(url: string): Promise<MachineSchema> {
  try {
    await withClient(url, (client) => client.query('SELECT 1'));
  } catch (error) {
    return { ok: false, reason: `${new URL(url).host} unreachable: ${(error as Error).message || String(error)}` };
  }
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  return {
    ok: true,
    schema,
    drop: () =>
      withClient(url, async (client) => {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_jobs CASCADE`);
      }),
  };
}
