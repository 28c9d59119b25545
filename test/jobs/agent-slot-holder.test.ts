import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { countAgentSlotsInUse, releaseAgentSlot, takeAgentSlot } from '../../src/db/agent-slots.ts';
import { migrate } from '../../src/db/migrate.ts';
import { withTransaction } from '../../src/db/pool.ts';
import { insertRun } from '../../src/db/runs.ts';
import { withAgentSlot, type AgentSlotOptions, type AgentSlotOutcome } from '../../src/jobs/with-agent-slot.ts';
import { eventually } from '../support/eventually.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

/*
 * The reviewer's case: pg-boss re-delivers a run.fix job whose expiry passed while its agent
 * still works, so two withAgentSlot calls for the same run overlap. With the cap at 1, only one
 * agent may work; the other is turned away until the first lets go.
 */

let db: TestDatabase;
let series = 0;
const log = pino({ level: 'silent' });

before(async () => {
  db = await createTestDatabase();
  await migrate(db.pool, db.schema);
});
after(async () => {
  await db.drop();
});

async function newRun(): Promise<string> {
  series += 1;
  const run = await insertRun(db.pool, { ticketKey: `HOLD-${series}`, source: 'slack', requestedBy: 'U1', channelId: 'C1', priority: 0 });
  return run!.id;
}

async function lease(runId: string): Promise<{ until: Date | null; holder: string | null }> {
  const { rows } = await db.pool.query<{ agent_lease_until: Date | null; agent_holder: string | null }>(
    'SELECT agent_lease_until, agent_holder FROM runs WHERE id = $1',
    [runId],
  );
  return { until: rows[0]!.agent_lease_until, holder: rows[0]!.agent_holder };
}

/** A promise the test resolves when it chooses: the stand-in agent works until then. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

test('two overlapping calls for the same run with the cap at 1: one agent works, the other is turned away until it is done', async () => {
  const runId = await newRun();
  const options: AgentSlotOptions = { pool: db.pool, capacity: 1, log };
  const agentDone = gate();
  let working = 0;
  let maxWorking = 0;
  const agent = async (): Promise<string> => {
    working += 1;
    maxWorking = Math.max(maxWorking, working);
    await agentDone.wait;
    working -= 1;
    return 'fixed';
  };
  const settled: Array<AgentSlotOutcome<string>> = [];
  const calls = [withAgentSlot(runId, options, agent), withAgentSlot(runId, options, agent)].map((call) =>
    call.then((outcome) => {
      settled.push(outcome);
      return outcome;
    }),
  );
  try {
    // The winner blocks on the gate, so the first call to finish is the one turned away (or, with
    // the defect, both agents start).
    await eventually(async () => settled.length > 0 || working === 2, 15_000, 'one call turned away or both working');
    await eventually(async () => working > 0, 15_000, 'the winner to start its agent');
    assert.equal(maxWorking, 1, 'two agents worked on one run at once');
    assert.deepEqual(settled, [{ ran: false, reason: 'held_elsewhere' }]);

    const third = await withAgentSlot(runId, options, agent);
    assert.deepEqual(third, { ran: false, reason: 'held_elsewhere' }, 'still turned away while the first works');
    assert.equal(await countAgentSlotsInUse(db.pool), 1);
  } finally {
    agentDone.open();
    await Promise.all(calls);
  }
  assert.equal(settled.filter((o) => o.ran).length, 1);
  assert.equal(await countAgentSlotsInUse(db.pool), 0, 'the winner released its slot');
  const after = await withAgentSlot(runId, options, async () => 'second try');
  assert.deepEqual(after, { ran: true, value: 'second try' }, 'once the first is done, the next call gets the slot');
  assert.equal(maxWorking, 1);
});

test('a run waiting behind other runs is told all_taken, not held_elsewhere', async () => {
  const busy = await newRun();
  const waiting = await newRun();
  const options: AgentSlotOptions = { pool: db.pool, capacity: 1, log };
  const outcome = await withAgentSlot(busy, options, () => withAgentSlot(waiting, options, async () => 'never'));
  assert.deepEqual(outcome, { ran: true, value: { ran: false, reason: 'all_taken' } });
});

test('a long agent step keeps its slot: the lease is renewed by the same holder while it works', async () => {
  const runId = await newRun();
  // Renewed every second; a beat would have to be two seconds late for the lease to lapse.
  const options: AgentSlotOptions = { pool: db.pool, capacity: 1, leaseSeconds: 3, log };
  const outcome = await withAgentSlot(runId, options, async ({ stop: lost }) => {
    const first = await lease(runId);
    const renewed = await eventually(
      async () => {
        const now = await lease(runId);
        return now.until! > first.until! ? now : undefined;
      },
      15_000,
      'the lease to be renewed',
    );
    assert.equal(renewed.holder, first.holder, 'renewed by the holder that took it');
    assert.equal(lost.aborted, false);
    return 'done';
  });
  assert.deepEqual(outcome, { ran: true, value: 'done' });
  assert.deepEqual(await lease(runId), { until: null, holder: null }, 'released after');
});

test('an agent whose lease lapsed and passed to another holder is told it lost the slot, and does not free the new holder’s slot', async () => {
  const runId = await newRun();
  const options: AgentSlotOptions = { pool: db.pool, capacity: 1, leaseSeconds: 3, log };
  const outcome = await withAgentSlot(runId, options, async ({ stop: lost }) => {
    // As if this worker had stalled past its lease and a re-delivered job took the slot.
    await db.pool.query(`UPDATE runs SET agent_lease_until = now() - interval '1 minute' WHERE id = $1`, [runId]);
    assert.equal(await withTransaction(db.pool, (tx) => takeAgentSlot(tx, runId, 'successor', 1, 120)), 'taken');
    await eventually(async () => lost.aborted, 15_000, 'the next renewal to find the slot lost');
    return 'stopped';
  });
  assert.deepEqual(outcome, { ran: true, value: 'stopped' });
  assert.equal((await lease(runId)).holder, 'successor', 'the stalled holder’s release left the successor’s slot alone');
  assert.equal(await countAgentSlotsInUse(db.pool), 1);
  assert.equal(await releaseAgentSlot(db.pool, runId, 'successor'), true);
});

test('the slot is freed when the agent throws', async () => {
  const runId = await newRun();
  const options: AgentSlotOptions = { pool: db.pool, capacity: 1, log };
  await assert.rejects(
    withAgentSlot(runId, options, async () => {
      throw new Error('agent crashed');
    }),
    /agent crashed/,
  );
  assert.deepEqual(await lease(runId), { until: null, holder: null });
});
