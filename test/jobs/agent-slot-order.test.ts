import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { HeadStart } from '../../src/domain/job-priority.ts';
import type { Run } from '../../src/domain/run.ts';
import type { TicketPriority } from '../../src/domain/ticket.ts';
import { createSlackClient } from '../../src/integrations/slack.ts';
import { createLinearTracker } from '../../src/integrations/trackers/linear-tracker.ts';
import { createQueue } from '../../src/jobs/queue.ts';
import { runFix, type AgentStep, type RunFixDeps } from '../../src/jobs/run-fix.ts';
import { startRun } from '../../src/jobs/start-run.ts';
import { createTrackerRoutes } from '../../src/jobs/tracker-routes.ts';
import { policySchema } from '../../src/policy.ts';
import { FakeLinear } from '../fakes/fake-linear.ts';
import { FakeSlack } from '../fakes/fake-slack.ts';
import { eventually } from '../support/eventually.ts';
import type { TestDatabase } from '../support/test-database.ts';
import { startRunFixFixture, type RunFixFixture } from '../support/run-fix-fixture.ts';

/*
 * Priority aging on the real run.fix path with the agent cap full. One low-priority run waits
 * behind two high-priority ones while each agent that finishes brings two more high-priority
 * runs (a stream that never dries up). Cap 1, two run.fix workers, slotRetrySeconds 1.
 *
 * Each stand-in agent keeps its slot until the low run has been refused once more, so every
 * slot is freed while the low run sits out its retry delay. That is the normal case, not a
 * contrived one: in production an agent works for minutes and the run waits 10 s between tries,
 * so it is almost never at the head of the queue at the moment a slot frees.
 *
 * The clock is simulated (startRun's `now`): each agent that starts moves it a minute, so the
 * priorities are those of a stream spread over several minutes.
 *
 * The promise: the low run is overtaken only by runs due before it (src/domain/job-priority.ts).
 * With the head starts below that is the two that arrived with it plus the two that arrive in
 * its first minute of waiting; those of minute 2 are due with it and arrived later. So at most
 * BOUND = 4 overtakes, however long the stream.
 */

const CHANNEL = 'C0ORDER';
const { teams } = policySchema.parse({ teams: { ORD: { tracker: 'linear', channel: CHANNEL } } });
const HEAD_START: HeadStart = { urgent: 0, high: 2, medium: 3, low: 4, none: 4 };
const START = Date.UTC(2026, 10, 21, 9, 0);
const INITIAL_HIGH = 2;
const ARRIVALS_PER_AGENT = 2;
const BOUND = INITIAL_HIGH + ARRIVALS_PER_AGENT * (HEAD_START.low - HEAD_START.high - 1);
// Enough agents for a run that broke the bound to show it, few enough to keep the file short.
const STREAM_LIMIT = BOUND + 3;

let fixture: RunFixFixture;
let db: TestDatabase;
let slack: FakeSlack;
let linear: FakeLinear;
let series = 0;

before(async () => {
  fixture = await startRunFixFixture({ key: 'ORD', name: 'Order' });
  ({ db, slack, linear } = fixture);
});
after(async () => {
  for (const name of ['kept', 'none']) await db.pool.query(`DROP SCHEMA IF EXISTS ${db.schema}_${name} CASCADE`);
  await fixture.stop();
});

/** Runs started before the low run's agent, in order, and whether each was due before it. */
interface Outcome {
  overtakers: Array<{ key: string; dueBefore: boolean }>;
  lowStarted: boolean;
}

/** `keepPlaceSeconds` undefined: run.fix's default place in line; 0: no place kept. */
async function runStream(name: string, keepPlaceSeconds: number | undefined): Promise<Outcome> {
  const log = pino({ level: 'silent' });
  const queue = createQueue({ pool: db.pool, schema: `${db.schema}_${name}`, pollIntervalSeconds: 0.5, log, supervise: false });
  await queue.start();
  let minute = 0;
  const runs = new Map<string, Run>();
  const send = async (priority: TicketPriority): Promise<Run> => {
    series += 1;
    linear.addIssue({ team: 'ORD', number: series, title: `Ticket ${series}` });
    const started = await startRun(
      { ticketKey: `ORD-${series}`, source: 'slack', requestedBy: 'U1', channelId: CHANNEL, ticketPriority: priority },
      { pool: db.pool, queue, headStart: HEAD_START, now: () => START + minute * 60_000 },
    );
    assert.equal(started.kind, 'started');
    runs.set(started.run.id, started.run);
    return started.run;
  };

  const order: string[] = [];
  let lowTries = 0;
  let stopping = false;
  for (let i = 0; i < INITIAL_HIGH; i += 1) await send('high');
  const low = await send('low');
  const agent: AgentStep = async ({ run }) => {
    if (stopping) return;
    order.push(run.id);
    if (run.id === low.id || order.length >= STREAM_LIMIT) {
      stopping = true;
      return;
    }
    minute += 1;
    const seen = lowTries;
    await eventually(async () => stopping || lowTries > seen, 20_000, 'the low run to be refused again');
    for (let i = 0; i < ARRIVALS_PER_AGENT; i += 1) await send('high');
    queue.notify('run.fix');
  };
  const deps: RunFixDeps = {
    pool: db.pool,
    queue,
    slack: createSlackClient({ apiUrl: slack.apiUrl, token: slack.botToken, retries: 0 }),
    routes: createTrackerRoutes(teams, { linear: createLinearTracker({ apiUrl: linear.apiUrl, apiKey: linear.apiKey }) }),
    log,
    agentSlots: { capacity: 1, keepPlaceSeconds },
    agent,
    slotRetrySeconds: 1,
  };

  await queue.work('run.fix', async (payload) => {
    await runFix(payload, deps);
    if (payload.runId === low.id && !order.includes(low.id)) lowTries += 1;
  });
  queue.notify('run.fix');
  try {
    await eventually(async () => stopping, 25_000, 'the low run to start or the stream limit');
  } finally {
    stopping = true;
    await queue.stop(5);
    // Runs left waiting would hold places in line for the next scenario.
    await db.pool.query(`UPDATE runs SET status = 'cancelled', finished_at = now() WHERE status NOT IN ('succeeded', 'failed', 'cancelled')`);
  }
  const lowIndex = order.indexOf(low.id);
  const before = lowIndex === -1 ? order : order.slice(0, lowIndex);
  return {
    lowStarted: lowIndex !== -1,
    overtakers: before.map((id) => {
      const run = runs.get(id)!;
      const dueBefore = run.priority > low.priority || (run.priority === low.priority && run.createdAt < low.createdAt);
      return { key: run.ticketKey, dueBefore };
    }),
  };
}

function describe(outcome: Outcome): string {
  const list = outcome.overtakers.map((o) => `${o.key}${o.dueBefore ? '' : '(due later)'}`).join(' ');
  return `${outcome.overtakers.length} overtakes${outcome.lowStarted ? '' : ' and still waiting'}: ${list}`;
}

test('with the cap full, a waiting low-priority run is overtaken only by runs due before it', async (t: TestContext) => {
  // A generous place window (production: 3 × slotRetrySeconds): a machine that stalls for a few
  // seconds must not let the low run's place lapse, which would make this test fail for nothing.
  const outcome = await runStream('kept', 20);
  t.diagnostic(`with places in line: ${describe(outcome)} (bound ${BOUND})`);
  assert.ok(outcome.lowStarted, `the low run never started: ${describe(outcome)}`);
  assert.deepEqual(outcome.overtakers.filter((o) => !o.dueBefore), [], describe(outcome));
  assert.ok(outcome.overtakers.length <= BOUND, describe(outcome));
  // The stream really did go first for a while, so the test could have seen the order broken.
  assert.ok(outcome.overtakers.length >= INITIAL_HIGH, describe(outcome));
});

test('control: with no place kept in line, runs due after the low one take the freed slots', async (t: TestContext) => {
  const outcome = await runStream('none', 0);
  t.diagnostic(`without places in line: ${describe(outcome)} (bound ${BOUND})`);
  assert.ok(outcome.overtakers.length > BOUND, `the bound held without the rule, so the test above proves nothing: ${describe(outcome)}`);
  assert.ok(outcome.overtakers.some((o) => !o.dueBefore), describe(outcome));
});
