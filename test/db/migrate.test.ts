import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { migrate, readMigrations } from '../../src/db/migrate.ts';
import { appendAudit } from '../../src/db/audit-log.ts';
import { insertRun } from '../../src/db/runs.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
});
after(() => db.drop());

test('two processes migrating at once apply each migration exactly once', async () => {
  const results = await Promise.all([migrate(db.pool, db.schema), migrate(db.pool, db.schema)]);
  const applied = results.flat();
  assert.deepEqual(applied, readMigrations().map((m) => m.name), 'applied once in total');
  assert.deepEqual(await migrate(db.pool, db.schema), [], 'a restart applies nothing');
  const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM ${db.schema}.schema_migrations`);
  assert.equal(rows[0].n, readMigrations().length);
});

test('audit_log is append-only', async () => {
  const run = await insertRun(db.pool, { ticketKey: 'AUD-1', source: 'slack', requestedBy: 'U1', channelId: 'C1', priority: 0 });
  await appendAudit(db.pool, { runId: run!.id, actor: 'U1', action: 'run.requested' });
  await assert.rejects(db.pool.query('UPDATE audit_log SET actor = $1', ['mallory']), /append-only/);
  await assert.rejects(db.pool.query('DELETE FROM audit_log'), /append-only/);
});

test('a ticket has at most one active run; a finished one frees it', async () => {
  const first = await insertRun(db.pool, { ticketKey: 'ONE-1', source: 'slack', requestedBy: 'U1', channelId: 'C1', priority: 0 });
  assert.ok(first);
  assert.equal(await insertRun(db.pool, { ticketKey: 'ONE-1', source: 'linear', requestedBy: 'hook', channelId: null, priority: 0 }), undefined);
  await db.pool.query(`UPDATE runs SET status = 'failed' WHERE id = $1`, [first.id]);
  assert.ok(await insertRun(db.pool, { ticketKey: 'ONE-1', source: 'slack', requestedBy: 'U1', channelId: 'C1', priority: 0 }));
});

test('a database made by an earlier release upgrades in place, keeping its rows', async () => {
  const older = await createTestDatabase();
  try {
    const all = readMigrations();
    // Every release so far, one at a time: each new migration must apply on top of the one before.
    for (let upTo = 1; upTo <= all.length; upTo += 1) {
      await migrate(older.pool, older.schema, all.slice(0, upTo));
      await older.pool.query(
        `INSERT INTO runs (ticket_key, source, requested_by, channel_id, status) VALUES ($1, 'slack', 'U1', 'C1', 'failed')`,
        [`OLD-${upTo}`],
      );
    }
    const { rows } = await older.pool.query(`SELECT count(*)::int AS n FROM runs WHERE ticket_key LIKE 'OLD-%'`);
    assert.equal(rows[0].n, all.length, 'rows written under each release survive the next');
    const columns = await older.pool.query(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'runs'`,
      [older.schema],
    );
    const names = columns.rows.map((r) => r.column_name);
    for (const name of ['agent_lease_until', 'agent_holder', 'agent_wait_until', 'repo', 'head_sha']) assert.ok(names.includes(name), name);
  } finally {
    await older.drop();
  }
});

test('0003 also applies on a development database whose 0002 already had its columns (they lived there briefly)', async () => {
  const dev = await createTestDatabase();
  try {
    const [first, second] = readMigrations();
    const early = {
      ...second!,
      sql: `${second!.sql}
ALTER TABLE runs ADD COLUMN agent_holder text;
ALTER TABLE runs ADD COLUMN agent_wait_until timestamptz;
CREATE INDEX runs_agent_wait ON runs (agent_wait_until) WHERE agent_wait_until IS NOT NULL;`,
    };
    await migrate(dev.pool, dev.schema, [first!, early]);
    const applied = await migrate(dev.pool, dev.schema);
    assert.ok(applied.some((name) => name.startsWith('0003')), applied.join(', '));
  } finally {
    await dev.drop();
  }
});
