import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { migrate } from '../../src/db/migrate.ts';
import { getRun, insertRun } from '../../src/db/runs.ts';
import { cancelRun } from '../../src/jobs/cancel-run.ts';
import { PermanentError } from '../../src/jobs/errors.ts';
import { failRun } from '../../src/jobs/fail-run.ts';
import { seededRemote, tempDir, testManager } from '../integrations/git/git-fixtures.ts';
import { createTestDatabase } from '../support/test-database.ts';

test('a run that fails or is cancelled gives its worktree back at once', async (t) => {
  const { dir, cleanup } = await tempDir();
  const db = await createTestDatabase();
  t.after(async () => {
    await db.drop();
    await cleanup();
  });
  await migrate(db.pool, db.schema);
  const remote = await seededRemote(dir);
  const workspaces = testManager(join(dir, 'data'));
  const deps = { pool: db.pool, slack: undefined, log: pino({ level: 'silent' }), workspaces };

  const failing = (await insertRun(db.pool, { ticketKey: 'WS-1', source: 'slack', requestedBy: 'U1', channelId: 'C1', priority: 0 }))!;
  const cancelled = (await insertRun(db.pool, { ticketKey: 'WS-2', source: 'slack', requestedBy: 'U1', channelId: 'C1', priority: 0 }))!;
  const first = await workspaces.prepareWorkspace({ repo: remote.repo, runId: failing.id, ticketKey: 'WS-1', title: 'One' });
  const second = await workspaces.prepareWorkspace({ repo: remote.repo, runId: cancelled.id, ticketKey: 'WS-2', title: 'Two' });
  assert.ok(existsSync(first.path) && existsSync(second.path));

  await failRun(failing.id, new PermanentError('x', 'tests failed'), deps);
  assert.equal((await getRun(db.pool, failing.id))?.status, 'failed');
  assert.equal(existsSync(first.path), false, 'the failed run’s worktree is gone');
  assert.ok(existsSync(second.path), 'another run’s worktree is untouched');

  await cancelRun(cancelled.id, { actor: 'U2', reason: 'not needed', notice: { text: 'cancelled' } }, deps);
  assert.equal(existsSync(second.path), false, 'the cancelled run’s worktree is gone');
});
