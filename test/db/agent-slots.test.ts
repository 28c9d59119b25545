import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { countAgentSlotsInUse, releaseAgentSlot, renewAgentSlot, takeAgentSlot } from '../../src/db/agent-slots.ts';
import { migrate } from '../../src/db/migrate.ts';
import { withTransaction } from '../../src/db/pool.ts';
import { insertRun } from '../../src/db/runs.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

/*
 * The lease rules, one holder against another on the same run. Every test ends with its slots
 * free (asserted), so each starts with cap 1 and nothing held.
 */

let db: TestDatabase;
let series = 0;

before(async () => {
  db = await createTestDatabase();
  await migrate(db.pool, db.schema);
});
after(async () => {
  await db.drop();
});

async function newRun(): Promise<string> {
  series += 1;
  const run = await insertRun(db.pool, { ticketKey: `SLOT-${series}`, source: 'slack', requestedBy: 'U1', channelId: 'C1', priority: 0 });
  return run!.id;
}

const take = (runId: string, holder: string, capacity = 1) => withTransaction(db.pool, (tx) => takeAgentSlot(tx, runId, holder, capacity, 120));
const renew = (runId: string, holder: string) => withTransaction(db.pool, (tx) => renewAgentSlot(tx, runId, holder, 120));

/** What a worker that died mid-agent leaves behind: its lease, run out a minute ago. */
async function lapseLease(runId: string): Promise<void> {
  await db.pool.query(`UPDATE runs SET agent_lease_until = now() - interval '1 minute' WHERE id = $1`, [runId]);
}

test('a second holder for the same run does not get its live slot, even below the cap', async () => {
  const run = await newRun();
  assert.equal(await take(run, 'first'), 'taken');
  assert.equal(await take(run, 'second', 5), 'held_elsewhere');
  assert.equal(await take(run, 'first'), 'taken', 'the holder itself renews by taking again');
  assert.equal(await countAgentSlotsInUse(db.pool), 1);
  assert.equal(await releaseAgentSlot(db.pool, run, 'first'), true);
  assert.equal(await take(run, 'second'), 'taken', 'once released, the second holder takes it');
  assert.equal(await releaseAgentSlot(db.pool, run, 'second'), true);
  assert.equal(await countAgentSlotsInUse(db.pool), 0);
});

test('release and renewal by the wrong holder leave the slot with its holder', async () => {
  const run = await newRun();
  assert.equal(await take(run, 'owner'), 'taken');
  assert.equal(await releaseAgentSlot(db.pool, run, 'intruder'), false);
  assert.equal(await renew(run, 'intruder'), false);
  assert.equal(await countAgentSlotsInUse(db.pool), 1, 'the slot is still held');
  assert.equal(await take(run, 'intruder'), 'held_elsewhere');
  assert.equal(await renew(run, 'owner'), true);
  assert.equal(await releaseAgentSlot(db.pool, run, 'owner'), true);
  assert.equal(await countAgentSlotsInUse(db.pool), 0);
});

test('a dead holder’s lapsed lease is taken over, and the dead holder can neither renew nor release it', async () => {
  const run = await newRun();
  assert.equal(await take(run, 'dead'), 'taken');
  await lapseLease(run);
  assert.equal(await countAgentSlotsInUse(db.pool), 0, 'a lapsed lease holds no slot');
  assert.equal(await take(run, 'successor'), 'taken');
  assert.equal(await renew(run, 'dead'), false);
  assert.equal(await releaseAgentSlot(db.pool, run, 'dead'), false);
  assert.equal(await take(run, 'third'), 'held_elsewhere', 'the successor still holds it');
  assert.equal(await releaseAgentSlot(db.pool, run, 'successor'), true);
  assert.equal(await countAgentSlotsInUse(db.pool), 0);
});

test('a holder whose lease lapsed cannot renew it back, even when nobody took it', async () => {
  const run = await newRun();
  assert.equal(await take(run, 'late'), 'taken');
  await lapseLease(run);
  assert.equal(await renew(run, 'late'), false, 'a lapsed slot may have gone to another run; renewal must not revive it');
  assert.equal(await releaseAgentSlot(db.pool, run, 'late'), true, 'its holder may still clear it');
});

test('the cap counts other runs: a full cap says all_taken, and a lapsed lease of another run frees its slot', async () => {
  const busy = await newRun();
  const waiting = await newRun();
  assert.equal(await take(busy, 'b'), 'taken');
  assert.equal(await take(waiting, 'w'), 'all_taken');
  await lapseLease(busy);
  assert.equal(await take(waiting, 'w'), 'taken');
  assert.equal(await releaseAgentSlot(db.pool, busy, 'b'), true);
  assert.equal(await releaseAgentSlot(db.pool, waiting, 'w'), true);
  assert.equal(await countAgentSlotsInUse(db.pool), 0);
});
