import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startAgentFlow, TICKET, type AgentFlow } from '../support/agent-flow.ts';
import { eventually } from '../support/eventually.ts';

/*
 * The coder step's failures as the queue sees them, through the whole composition root: the real
 * SDK against the fake Anthropic (HTTP_RETRIES=0 in tests, so the SDK's own retries are off).
 */

let flow: AgentFlow;
before(async () => {
  flow = await startAgentFlow();
});
after(async () => {
  await flow?.stop();
});

test('a model rate limit with Retry-After: 120 puts run.fix back no earlier than the API asked, and the run stays active', async () => {
  flow.anthropic.script({ error: { status: 429, type: 'rate_limit_error', retryAfterSeconds: 120 } });
  assert.equal((await flow.command(`fix ${TICKET.key}`)).status, 200);
  const schema = `${flow.db.schema}_jobs`;
  const job = await eventually(async () => {
    const { rows } = await flow.db.pool.query<{ state: string; wait: number; output: { message?: string } }>(
      `SELECT j.state, EXTRACT(EPOCH FROM j.start_after - now())::float AS wait, j.output
         FROM ${schema}.job j JOIN runs r ON r.id::text = j.data->>'runId'
        WHERE j.name = 'run.fix' AND r.ticket_key = $1 AND j.state = 'retry'`,
      [TICKET.key],
    );
    return rows[0];
  }, 60_000, 'run.fix to wait for its retry');
  // pg-boss's own backoff would retry after seconds; 120 s less the time this check took.
  assert.ok(job.wait > 100, `the retry waits ${job.wait} s`);
  assert.match(job.output.message ?? '', /rate-limiting/);
  const { rows } = await flow.db.pool.query<{ status: string }>('SELECT status FROM runs WHERE ticket_key = $1', [TICKET.key]);
  assert.ok(['queued', 'running'].includes(rows[0]!.status), `the run is ${rows[0]!.status}, not ended`);
});
