import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { countAgentSlotsInUse } from '../../src/db/agent-slots.ts';
import { createSlackClient } from '../../src/integrations/slack.ts';
import { createLinearTracker } from '../../src/integrations/trackers/linear-tracker.ts';
import { createQueue, type Queue } from '../../src/jobs/queue.ts';
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
 * Two worker "processes" (two pg-boss instances on one database, two run.fix workers each) and
 * five queued runs. The agent step is a slow stand-in that records how many run at once; the
 * cap is what src/jobs/with-agent-slot.ts enforces across processes through the database.
 */

const CHANNEL = 'C0CAP';
const { teams, scheduling } = policySchema.parse({ teams: { CAP: { tracker: 'linear', channel: CHANNEL } } });

let fixture: RunFixFixture;
let db: TestDatabase;
let slack: FakeSlack;
let linear: FakeLinear;
let series = 0;

before(async () => {
  fixture = await startRunFixFixture({ key: 'CAP', name: 'Cap' }, 20);
  ({ db, slack, linear } = fixture);
});
after(async () => {
  await fixture.stop();
});

async function runFiveWithCap(capacity: number): Promise<{ maxAtOnce: number; maxSlotsInDb: number; done: number }> {
  const log = pino({ level: 'silent' });
  let running = 0;
  let maxAtOnce = 0;
  let maxSlotsInDb = 0;
  let done = 0;
  const agent: AgentStep = async () => {
    running += 1;
    maxAtOnce = Math.max(maxAtOnce, running);
    maxSlotsInDb = Math.max(maxSlotsInDb, await countAgentSlotsInUse(db.pool));
    await new Promise((resolve) => setTimeout(resolve, 400));
    running -= 1;
    done += 1;
  };
  const routes = createTrackerRoutes(teams, { linear: createLinearTracker({ apiUrl: linear.apiUrl, apiKey: linear.apiKey }) });
  const queues: Queue[] = [];
  for (let p = 0; p < 2; p += 1) {
    const queue = createQueue({ pool: db.pool, schema: `${db.schema}_jobs`, pollIntervalSeconds: 0.5, log, supervise: p === 0 });
    await queue.start();
    const deps: RunFixDeps = {
      pool: db.pool,
      queue,
      slack: createSlackClient({ apiUrl: slack.apiUrl, token: slack.botToken, retries: 0 }),
      routes,
      log,
      agentSlots: { capacity },
      agent,
      slotRetrySeconds: 1,
    };
    await queue.work('run.fix', (payload) => runFix(payload, deps));
    queues.push(queue);
  }
  for (let i = 0; i < 5; i += 1) {
    series += 1;
    await startRun(
      { ticketKey: `CAP-${series}`, source: 'slack', requestedBy: 'U1', channelId: CHANNEL },
      { pool: db.pool, queue: queues[i % 2]!, headStart: scheduling.head_start_minutes },
    );
  }
  await eventually(async () => (done === 5 ? true : undefined), 30_000, 'all five agent steps to run');
  for (const queue of queues) await queue.stop(1);
  return { maxAtOnce, maxSlotsInDb, done };
}

test('with the agent cap at 2 and 5 runs queued over two worker processes, never more than 2 agents work at once', async () => {
  const { maxAtOnce, maxSlotsInDb, done } = await runFiveWithCap(2);
  assert.equal(done, 5, 'every run got its turn');
  assert.ok(maxAtOnce <= 2, `${maxAtOnce} agent steps ran at once`);
  assert.ok(maxSlotsInDb <= 2, `${maxSlotsInDb} slots were held at once`);
  assert.equal(maxAtOnce, 2, 'the cap was reached, so the test could have seen it broken');
  assert.equal(await countAgentSlotsInUse(db.pool), 0, 'every slot was released');
});

test('control: with the cap at 5, the same four workers run more than 2 agents at once', async () => {
  const { maxAtOnce } = await runFiveWithCap(5);
  assert.ok(maxAtOnce > 2, `only ${maxAtOnce} ran at once; the cap test above would prove nothing`);
});
