import type { Pool } from './pool.ts';

/**
 * Runs `work` holding a session advisory lock on a connection of its own (pg-boss's queries go
 * through the pool's other connections), so processes doing it at once take turns.
 */
export async function withSessionLock<T>(pool: Pool, key: string, work: () => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
    try {
      return await work();
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [key]);
    }
  } finally {
    client.release();
  }
}
