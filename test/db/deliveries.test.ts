import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { migrate } from '../../src/db/migrate.ts';
import { pruneDeliveries } from '../../src/db/deliveries.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
  await migrate(db.pool, db.schema);
});
after(() => db.drop());

test('pruning keeps a week of deliveries, and GitHub body digests (its only replay guard) for 90 days', async () => {
  await db.pool.query(`INSERT INTO deliveries (source, delivery_id, received_at) VALUES
    ('linear', 'old-1', now() - interval '8 days'), ('linear', 'recent-1', now() - interval '2 days'),
    ('jira', 'sha256:old-jira-digest', now() - interval '8 days'),
    ('github', 'old-gh-1', now() - interval '8 days'), ('github', 'sha256:old-digest', now() - interval '30 days'),
    ('github', 'sha256:ancient-digest', now() - interval '100 days')`);
  assert.equal(await pruneDeliveries(db.pool, 7), 4);
  const { rows } = await db.pool.query('SELECT delivery_id FROM deliveries ORDER BY delivery_id');
  assert.deepEqual(rows.map((r) => r.delivery_id), ['recent-1', 'sha256:old-digest']);
});
