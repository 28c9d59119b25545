import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { migrate } from '../../src/db/migrate.ts';
import { withTransaction } from '../../src/db/pool.ts';
import { jobPriority, type HeadStart } from '../../src/domain/job-priority.ts';
import type { TicketPriority } from '../../src/domain/ticket.ts';
import { createQueue, type Queue } from '../../src/jobs/queue.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

/*
 * The starvation test, on real pg-boss ordering. A low-priority ticket is queued behind a stream
 * of high-priority ones that arrive faster than one worker can take them (two per job done). The
 * clock is simulated: each job done advances it a minute, so the test runs in a second or two
 * while the priorities are those of a real half-hour stream.
 */

const HEAD_START: HeadStart = { urgent: 0, high: 2, medium: 4, low: 6, none: 6 };
const START = Date.UTC(2026, 10, 21, 9, 0);
const INITIAL_HIGH = 3;
const ARRIVALS_PER_JOB = 2;
const STREAM_LIMIT = 40;

let db: TestDatabase;

before(async () => {
  db = await createTestDatabase();
  await migrate(db.pool, db.schema);
});
after(async () => {
  for (const suffix of ['aging', 'plain']) await db.pool.query(`DROP SCHEMA IF EXISTS ${db.schema}_${suffix} CASCADE`);
  await db.drop();
});

interface Outcome {
  order: string[];
  /** How many high-priority jobs were still waiting when the low one started. */
  waitingWhenLowStarted: number | undefined;
}

/** Runs the stream with `priorityOf` deciding pg-boss priorities; returns the order jobs ran in. */
async function runStream(schema: string, priorityOf: (p: TicketPriority, now: number) => number): Promise<Outcome> {
  const log = pino({ level: 'silent' });
  const queue: Queue = createQueue({ pool: db.pool, schema, pollIntervalSeconds: 0.5, log, supervise: false });
  await queue.start();
  const labels = new Map<string, string>();
  let minute = 0;
  let sent = 0;
  const send = async (priority: TicketPriority): Promise<void> => {
    const runId = randomUUID();
    labels.set(runId, priority === 'low' ? 'LOW' : `H${(sent += 1)}`);
    await withTransaction(db.pool, (tx) => queue.enqueue(tx, 'run.fix', { runId }, { priority: priorityOf(priority, START + minute * 60_000) }));
  };
  for (let i = 0; i < INITIAL_HIGH; i += 1) await send('high');
  await send('low');

  const outcome: Outcome = { order: [], waitingWhenLowStarted: undefined };
  let finish: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  await queue.work(
    'run.fix',
    async ({ runId }) => {
      const label = labels.get(runId)!;
      outcome.order.push(label);
      if (label === 'LOW') outcome.waitingWhenLowStarted = sent - outcome.order.length + 1;
      minute += 1;
      if (label === 'LOW' || outcome.order.length >= STREAM_LIMIT) return finish();
      for (let i = 0; i < ARRIVALS_PER_JOB; i += 1) await send('high');
      queue.notify('run.fix');
    },
    1,
  );
  queue.notify('run.fix');
  await finished;
  await queue.stop(0);
  return outcome;
}

test('a low-priority ticket behind a continuous stream of high-priority ones starts within the bound aging promises', async () => {
  const { order, waitingWhenLowStarted } = await runStream(`${db.schema}_aging`, (p, now) => jobPriority(p, HEAD_START, now));
  const position = order.indexOf('LOW') + 1;
  assert.ok(position > 0, `the low-priority ticket never started within ${STREAM_LIMIT} jobs: ${order.join(' ')}`);
  // The promise (src/domain/job-priority.ts): a high ticket overtakes a low one only if it arrives
  // less than `low − high` minutes after it. Here that is the initial ones plus two per minute for the window.
  const window = HEAD_START.low - HEAD_START.high;
  const bound = INITIAL_HIGH + ARRIVALS_PER_JOB * window + 1;
  assert.ok(position <= bound, `started at position ${position}, later than the promised ${bound}: ${order.join(' ')}`);
  // It really was overtaken (high priority does come first) while the stream went on.
  assert.ok(position > INITIAL_HIGH, `high-priority tickets should go first for a while: ${order.join(' ')}`);
  assert.ok(waitingWhenLowStarted! > 0, 'the stream had not dried up when the low ticket started');
});

test('control: with plain class priority and no aging, the same stream starves the low-priority ticket', async () => {
  const rank: Record<TicketPriority, number> = { urgent: 4, high: 3, medium: 2, low: 1, none: 0 };
  const { order } = await runStream(`${db.schema}_plain`, (p) => rank[p]);
  assert.equal(order.indexOf('LOW'), -1, `without aging the low ticket should still be waiting after ${STREAM_LIMIT} jobs`);
});
