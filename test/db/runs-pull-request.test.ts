import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { migrate } from '../../src/db/migrate.ts';
import { findRunByBranch, findRunByPullRequest, insertRun, lastPushedSha, setPullRequest } from '../../src/db/runs.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
  await migrate(db.pool, db.schema);
});
after(() => db.drop());

const SHA_A = 'a'.repeat(40);
const SHA_B = 'b'.repeat(40);

test('GitHub spells the repository its own way: lookups by PR and branch ignore case', async () => {
  const run = (await insertRun(db.pool, { ticketKey: 'CASE-1', source: 'slack', requestedBy: 'U1', channelId: 'C1', priority: 0 }))!;
  // baton.yml says acme/Shop; GitHub's events say acme/shop.
  await setPullRequest(db.pool, run.id, { repo: 'acme/Shop', branch: 'baton/CASE-1-x', number: 12, url: 'https://github.com/acme/Shop/pull/12', headSha: SHA_A });
  assert.equal((await findRunByPullRequest(db.pool, 'acme/shop', 12))?.id, run.id);
  assert.equal((await findRunByBranch(db.pool, 'ACME/SHOP', 'baton/CASE-1-x'))?.id, run.id);
  assert.equal(await findRunByPullRequest(db.pool, 'acme/other', 12), undefined);
});

test('the lease for a branch is what Baton pushed there last, whichever run of the ticket pushed it', async () => {
  assert.equal(await lastPushedSha(db.pool, 'acme/app', 'baton/CASE-2-y'), undefined, 'nothing pushed yet: no lease');
  const first = (await insertRun(db.pool, { ticketKey: 'CASE-2', source: 'slack', requestedBy: 'U1', channelId: 'C1', priority: 0 }))!;
  await setPullRequest(db.pool, first.id, { repo: 'acme/app', branch: 'baton/CASE-2-y', number: 3, url: 'u', headSha: SHA_A });
  await db.pool.query(`UPDATE runs SET status = 'failed' WHERE id = $1`, [first.id]);
  const second = (await insertRun(db.pool, { ticketKey: 'CASE-2', source: 'slack', requestedBy: 'U1', channelId: 'C1', priority: 0 }))!;
  assert.equal(await lastPushedSha(db.pool, 'acme/App', 'baton/CASE-2-y'), SHA_A, 'the earlier run’s push');
  await setPullRequest(db.pool, second.id, { repo: 'acme/app', branch: 'baton/CASE-2-y', number: 3, url: 'u', headSha: SHA_B });
  assert.equal(await lastPushedSha(db.pool, 'acme/app', 'baton/CASE-2-y'), SHA_B, 'the newer push');
});
