import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { migrate } from '../../src/db/migrate.ts';
import { getRun, insertRun, setPullRequest } from '../../src/db/runs.ts';
import { cancelRun } from '../../src/jobs/cancel-run.ts';
import { PermanentError } from '../../src/jobs/errors.ts';
import { failRun } from '../../src/jobs/fail-run.ts';
import { handleGitHubEvent } from '../../src/jobs/handle-github-event.ts';
import { policySchema } from '../../src/policy.ts';
import { seededRemote, tempDir, testManager } from '../integrations/git/git-fixtures.ts';
import { createTestDatabase } from '../support/test-database.ts';

/** A migrated database, a seeded bare remote and a workspace manager, all removed after the test. */
async function setup(t: { after: (fn: () => Promise<void>) => void }) {
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
  return { db, remote, workspaces, deps };
}

test('a run that fails or is cancelled gives its worktree back at once', async (t) => {
  const { db, remote, workspaces, deps } = await setup(t);

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

test('a PR closed on GitHub while an agent works in the run’s worktree leaves it to run.fix; otherwise it goes at once', async (t) => {
  const { db, remote, workspaces, deps } = await setup(t);

  const paths: Record<string, string> = {};
  for (const [n, status] of [[1, 'running'], [2, 'awaiting_approval']] as const) {
    const run = (await insertRun(db.pool, { ticketKey: `GH-${n}`, source: 'slack', requestedBy: 'U1', channelId: 'C1', priority: 0 }))!;
    paths[status] = (await workspaces.prepareWorkspace({ repo: remote.repo, runId: run.id, ticketKey: `GH-${n}`, title: 'x' })).path;
    await setPullRequest(db.pool, run.id, { repo: 'acme/app', branch: `baton/GH-${n}-x`, number: n, url: `https://github.com/acme/app/pull/${n}`, headSha: 'a'.repeat(40) });
    await db.pool.query('UPDATE runs SET status = $2 WHERE id = $1', [run.id, status]);
    // The running one has an agent at work: it holds a live lease on the run.
    if (status === 'running') await db.pool.query(`UPDATE runs SET agent_holder = 'agent', agent_lease_until = now() + interval '2 minutes' WHERE id = $1`, [run.id]);
    const closed = {
      kind: 'pull_request_closed', repo: 'acme/app', number: n, url: `https://github.com/acme/app/pull/${n}`,
      branch: `baton/GH-${n}-x`, headSha: 'a'.repeat(40), merged: false, actor: 'octocat', title: 'x',
    } as const;
    assert.equal(await handleGitHubEvent(closed, { ...deps, queue: { enqueue: async () => assert.fail('nothing is enqueued'), notify: () => undefined }, policy: policySchema.parse({}) }), 'applied');
    assert.equal((await getRun(db.pool, run.id))?.status, 'cancelled');
  }
  assert.ok(existsSync(paths.running!), 'left to run.fix, which removes it when the agent lets go');
  assert.equal(existsSync(paths.awaiting_approval!), false, 'nobody was using it: gone at once');
});
