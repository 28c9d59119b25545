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
