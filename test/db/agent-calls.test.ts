import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { migrate } from '../../src/db/migrate.ts';
import { insertAgentCall, type NewAgentCall } from '../../src/db/agent-calls.ts';
import { getRun, insertRun } from '../../src/db/runs.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
  await migrate(db.pool, db.schema);
});
after(() => db.drop());

const newRun = async (key: string): Promise<string> =>
  (await insertRun(db.pool, { ticketKey: key, source: 'slack', requestedBy: 'U1', channelId: 'C1', priority: 0 }))!.id;

const call = (runId: string, change: Partial<NewAgentCall> = {}): NewAgentCall => ({
  runId,
  turn: 1,
  model: 'claude-sonnet-5-5',
  usage: { input: 1200, output: 300, cacheWrite5m: 5000, cacheWrite1h: 0, cacheRead: 0 },
  costUsd: 0.027,
  stopReason: 'tool_use',
  durationMs: 812.4,
  ...change,
});

test('each call is stored and its cost added to the run, which reports its new total', async () => {
  const runId = await newRun('COST-1');
  assert.equal((await getRun(db.pool, runId))!.costUsd, 0, 'a new run has spent nothing');
  assert.equal(await insertAgentCall(db.pool, call(runId)), 0.027);
  // Exact decimal sums: 0.027 + 0.0031 is 0.030100000000000002 in floating point, not in numeric.
  assert.equal(await insertAgentCall(db.pool, call(runId, { turn: 2, costUsd: 0.0031, usage: { input: 10, output: 50, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 5000 } })), 0.0301);
  assert.equal((await getRun(db.pool, runId))!.costUsd, 0.0301);
  const { rows } = await db.pool.query('SELECT turn, duration_ms, stop_reason, agent FROM agent_calls WHERE run_id = $1 ORDER BY id', [runId]);
  assert.deepEqual(rows, [
    { turn: 1, duration_ms: 812, stop_reason: 'tool_use', agent: 'coder' },
    { turn: 2, duration_ms: 812, stop_reason: 'tool_use', agent: 'coder' },
  ]);
});

test('a run is charged the sum of its own calls, whatever the model; other runs are left out', async () => {
  const runId = await newRun('COST-2');
  const other = await newRun('COST-3');
  await insertAgentCall(db.pool, call(runId, { costUsd: 0.01 }));
  await insertAgentCall(db.pool, call(runId, { turn: 2, costUsd: 0.02, usage: { input: 1, output: 2, cacheWrite5m: 3, cacheWrite1h: 4, cacheRead: 5 } }));
  await insertAgentCall(db.pool, call(runId, { turn: 3, model: 'claude-opus-5-5', costUsd: 0.5, stopReason: null }));
  await insertAgentCall(db.pool, call(other, { costUsd: 9 }));
  assert.equal((await getRun(db.pool, runId))!.costUsd, 0.53);
  assert.equal((await getRun(db.pool, other))!.costUsd, 9);
});

test('a call for a run that does not exist is refused, and charges nothing', async () => {
  await assert.rejects(insertAgentCall(db.pool, call('00000000-0000-4000-8000-00000000dead')), /foreign key/);
});

test('concurrent calls of one run all reach its total', async () => {
  const runId = await newRun('COST-5');
  await Promise.all(Array.from({ length: 8 }, (_, i) => insertAgentCall(db.pool, call(runId, { turn: i + 1, costUsd: 0.125 }))));
  assert.equal((await getRun(db.pool, runId))!.costUsd, 1);
});
