import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { migrate } from '../../src/db/migrate.ts';
import { insertRun, transitionRun } from '../../src/db/runs.ts';
import { RUN_STATUSES, TERMINAL_STATUSES } from '../../src/domain/run.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
  await migrate(db.pool, db.schema);
});
after(() => db.drop());

test('SQL and TypeScript agree on which statuses end a run (run_status_ended = TERMINAL_STATUSES)', async () => {
  const { rows } = await db.pool.query<{ status: string; ended: boolean }>(
    'SELECT s AS status, run_status_ended(s) AS ended FROM unnest($1::text[]) AS s',
    [[...RUN_STATUSES]],
  );
  const ended = rows.filter((r) => r.ended).map((r) => r.status);
  assert.deepEqual(ended.sort(), [...TERMINAL_STATUSES].sort());
});

test('every status the domain names is one the table accepts', async () => {
  for (const [i, status] of RUN_STATUSES.entries()) {
    const run = await insertRun(db.pool, { ticketKey: `ST-${i}`, source: 'slack', requestedBy: 'U1', channelId: 'C1', priority: 0 });
    assert.ok(run);
    if (status === 'queued') continue;
    const moved = await transitionRun(db.pool, run.id, ['queued'], status, null);
    assert.equal(moved?.status, status);
  }
});

test('a rejected run frees its ticket for a new run, like the other terminal statuses', async () => {
  const first = await insertRun(db.pool, { ticketKey: 'REJ-1', source: 'slack', requestedBy: 'U1', channelId: 'C1', priority: 0 });
  assert.ok(first);
  assert.equal(await insertRun(db.pool, { ticketKey: 'REJ-1', source: 'slack', requestedBy: 'U1', channelId: 'C1', priority: 0 }), undefined, 'one active run');
  await transitionRun(db.pool, first.id, ['queued'], 'rejected', 'Rejected by U2');
  const second = await insertRun(db.pool, { ticketKey: 'REJ-1', source: 'slack', requestedBy: 'U1', channelId: 'C1', priority: 0 });
  assert.ok(second, 'the ticket is free again');
});
