import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded-postgres.ts';
import { createPool, withTransaction, type Pool } from '../../src/db/pool.ts';

// Always the embedded database, whatever DATABASE_URL says: this is its own test.
let dir: string;
let embedded: EmbeddedPostgres;
let pool: Pool;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'baton-embedded-'));
  embedded = await startEmbeddedPostgres(dir, { schema: 'baton' });
  // These tests are about answers and isolation, not speed: 300 queries queue for 10 connections,
  // and on a loaded machine the last one can wait longer than Baton's 2 s connect timeout.
  pool = createPool({ url: embedded.url, schema: 'baton', max: 10, connectionTimeoutMs: 60_000 });
});
after(async () => {
  await pool.end();
  await embedded.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('parameterised queries on many connections at once each get their own answer', async () => {
  const answers = await Promise.all(
    Array.from({ length: 300 }, (_, i) => pool.query<{ n: number; s: string }>('SELECT $1::int AS n, $2::text AS s', [i, `v${i}`])),
  );
  answers.forEach((result, i) => assert.deepEqual(result.rows[0], { n: i, s: `v${i}` }));
});

test('transactions on several connections stay isolated from each other', async () => {
  await pool.query('CREATE TABLE IF NOT EXISTS counters (id int PRIMARY KEY, n int NOT NULL)');
  await pool.query('INSERT INTO counters VALUES (1, 0) ON CONFLICT (id) DO UPDATE SET n = 0');
  const work = Array.from({ length: 40 }, (_, i) =>
    i % 4 === 0
      ? withTransaction(pool, async (tx) => {
          await tx.query('UPDATE counters SET n = n + 1 WHERE id = $1', [1]);
          throw new Error('rolled back on purpose');
        }).catch((error: Error) => assert.match(error.message, /on purpose/))
      : withTransaction(pool, (tx) => tx.query('UPDATE counters SET n = n + 1 WHERE id = $1', [1])),
  );
  await Promise.all([...work, ...Array.from({ length: 100 }, (_, i) => pool.query('SELECT $1::int AS n', [i]))]);
  const { rows } = await pool.query('SELECT n FROM counters WHERE id = 1');
  assert.equal(rows[0].n, 30, 'every committed increment and none of the rolled-back ones');
});

test('a query error does not stall the database for the others', async () => {
  const results = await Promise.allSettled([
    pool.query('SELECT 1/0'),
    ...Array.from({ length: 20 }, (_, i) => pool.query('SELECT $1::int AS n', [i])),
    pool.query('SELECT * FROM no_such_table'),
  ]);
  assert.equal(results.filter((r) => r.status === 'rejected').length, 2);
  assert.deepEqual((await pool.query('SELECT 42 AS n')).rows, [{ n: 42 }]);
});

test('the embedded database runs with a small buffer pool, which PGlite would otherwise keep resident at 128 MB', async () => {
  const { rows } = await pool.query<{ shared_buffers: string }>('SHOW shared_buffers');
  assert.equal(rows[0]!.shared_buffers, '8MB');
});
