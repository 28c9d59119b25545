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

/** `priority` is the job priority: higher is due earlier (src/domain/job-priority.ts). */
async function newRun(priority = 0): Promise<string> {
  series += 1;
  const run = await insertRun(db.pool, { ticketKey: `SLOT-${series}`, source: 'slack', requestedBy: 'U1', channelId: 'C1', priority });
  return run!.id;
}

const take = (runId: string, holder: string, capacity = 1, keepPlaceSeconds = 0) =>
  withTransaction(db.pool, (tx) => takeAgentSlot(tx, runId, holder, capacity, 120, keepPlaceSeconds));
/** A refusal that keeps the run's place in line, as run.fix's does. */
const wait = (runId: string, capacity = 1) => take(runId, `waiter-${runId}`, capacity, 60);
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
  assert.equal(await renew(run, 'intruder'), 'lost');
  assert.equal(await countAgentSlotsInUse(db.pool), 1, 'the slot is still held');
  assert.equal(await take(run, 'intruder'), 'held_elsewhere');
  assert.equal(await renew(run, 'owner'), 'held');
  assert.equal(await releaseAgentSlot(db.pool, run, 'owner'), true);
  assert.equal(await countAgentSlotsInUse(db.pool), 0);
});

test('a dead holder’s lapsed lease is taken over, and the dead holder can neither renew nor release it', async () => {
  const run = await newRun();
  assert.equal(await take(run, 'dead'), 'taken');
  await lapseLease(run);
  assert.equal(await countAgentSlotsInUse(db.pool), 0, 'a lapsed lease holds no slot');
  assert.equal(await take(run, 'successor'), 'taken');
  assert.equal(await renew(run, 'dead'), 'lost');
  assert.equal(await releaseAgentSlot(db.pool, run, 'dead'), false);
  assert.equal(await take(run, 'third'), 'held_elsewhere', 'the successor still holds it');
  assert.equal(await releaseAgentSlot(db.pool, run, 'successor'), true);
  assert.equal(await countAgentSlotsInUse(db.pool), 0);
});

test('a holder whose lease lapsed cannot renew it back, even when nobody took it', async () => {
  const run = await newRun();
  assert.equal(await take(run, 'late'), 'taken');
  await lapseLease(run);
  assert.equal(await renew(run, 'late'), 'lost', 'a lapsed slot may have gone to another run; renewal must not revive it');
  assert.equal(await releaseAgentSlot(db.pool, run, 'late'), true, 'its holder may still clear it');
});

test('a renewal tells the holder when its run ended meanwhile (cancelled), so the agent can stop', async () => {
  const run = await newRun();
  assert.equal(await take(run, 'worker'), 'taken');
  assert.equal(await renew(run, 'worker'), 'held');
  await db.pool.query(`UPDATE runs SET status = 'cancelled' WHERE id = $1`, [run]);
  assert.equal(await renew(run, 'worker'), 'ended');
  assert.equal(await renew(run, 'someone-else'), 'lost', 'only the holder hears it');
  assert.equal(await releaseAgentSlot(db.pool, run, 'worker'), true, 'the agent stops and frees its slot');
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

test('a freed slot is kept for the earlier-due run that waited for it, not given to a later-due newcomer', async () => {
  const busy = await newRun(0);
  const old = await newRun(-6);
  const newer = await newRun(-9);
  assert.equal(await take(busy, 'b'), 'taken');
  assert.equal(await wait(old), 'all_taken');
  assert.equal(await releaseAgentSlot(db.pool, busy, 'b'), true);
  assert.equal(await wait(newer), 'queued_behind', 'the free slot is the waiting run’s');
  assert.equal(await take(old, 'o'), 'taken');
  assert.equal(await releaseAgentSlot(db.pool, old, 'o'), true);
  assert.equal(await take(newer, 'n'), 'taken', 'the place was given up when the slot was taken');
  assert.equal(await releaseAgentSlot(db.pool, newer, 'n'), true);
  assert.equal(await countAgentSlotsInUse(db.pool), 0);
});

test('a waiting run does not hold back a run due before it, and equal priorities go by arrival', async () => {
  const waiting = await newRun(-6);
  const urgent = await newRun(-2);
  const twin = await newRun(-6);
  const busy = await newRun(0);
  assert.equal(await take(busy, 'b'), 'taken');
  assert.equal(await wait(waiting), 'all_taken');
  assert.equal(await releaseAgentSlot(db.pool, busy, 'b'), true);
  assert.equal(await take(twin, 't'), 'queued_behind', 'same priority, arrived later');
  assert.equal(await take(urgent, 'u'), 'taken', 'due earlier than the waiting run');
  assert.equal(await releaseAgentSlot(db.pool, urgent, 'u'), true);
  assert.equal(await take(waiting, 'w'), 'taken');
  assert.equal(await releaseAgentSlot(db.pool, waiting, 'w'), true);
  assert.equal(await countAgentSlotsInUse(db.pool), 0);
});

test('each earlier-due waiting run keeps one free slot: with the cap at 2 and one waiting, a later-due run gets the other', async () => {
  const waiting = await newRun(-1);
  const busy = [await newRun(0), await newRun(0)];
  const later = [await newRun(-5), await newRun(-5)];
  for (const run of busy) assert.equal(await take(run, run, 2), 'taken');
  assert.equal(await wait(waiting, 2), 'all_taken');
  for (const run of busy) assert.equal(await releaseAgentSlot(db.pool, run, run), true);
  assert.equal(await take(later[0]!, 'l0', 2), 'taken');
  assert.equal(await take(later[1]!, 'l1', 2), 'queued_behind');
  assert.equal(await take(waiting, 'w', 2), 'taken');
  for (const [run, holder] of [[later[0]!, 'l0'], [waiting, 'w']] as const) await releaseAgentSlot(db.pool, run, holder);
  assert.equal(await countAgentSlotsInUse(db.pool), 0);
});

test('a place that lapsed, or whose run ended, holds no slot', async () => {
  const lapsed = await newRun(-1);
  const ended = await newRun(-1);
  const later = await newRun(-5);
  const busy = await newRun(0);
  assert.equal(await take(busy, 'b'), 'taken');
  assert.equal(await wait(lapsed), 'all_taken');
  assert.equal(await wait(ended), 'all_taken');
  assert.equal(await releaseAgentSlot(db.pool, busy, 'b'), true);
  assert.equal(await take(later, 'l'), 'queued_behind');
  // As if its job stopped coming back: the place it took a minute ago ran out.
  await db.pool.query(`UPDATE runs SET agent_wait_until = now() - interval '1 second' WHERE id = $1`, [lapsed]);
  await db.pool.query(`UPDATE runs SET status = 'cancelled', finished_at = now() WHERE id = $1`, [ended]);
  assert.equal(await take(later, 'l'), 'taken');
  assert.equal(await releaseAgentSlot(db.pool, later, 'l'), true);
  assert.equal(await countAgentSlotsInUse(db.pool), 0);
});
