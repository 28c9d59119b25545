import { appendAudit } from '../db/audit-log.ts';
import { withTransaction, type Pool } from '../db/pool.ts';
import { listStrandedRuns } from '../db/run-agent.ts';
import type { Logger } from '../logger.ts';
import type { Queue } from './queue.ts';

/** pg-boss refuses an expiry of 24 hours or more. */
const MAX_EXPIRY_SECONDS = 24 * 60 * 60 - 60;

/**
 * run.fix's pg-boss expiry: the agent's whole time (agent.limits.minutes) plus room for preparing
 * the workspace and Baton's own test runs after the agent finishes (install, base and change
 * suites, each under the sandbox's timeout). Past it pg-boss hands the job to another worker; a
 * live agent there makes that delivery end at once (its lease), so a slow run costs nothing more.
 */
export function runFixExpirySeconds(agentMinutes: number): number {
  return Math.min((agentMinutes + 20) * 60, MAX_EXPIRY_SECONDS);
}

/**
 * How long a queued or running run with no agent lease and no live job must stay so to be taken
 * for stranded: three quarters of the lease (90 s for the default 120 s), and never under 10 s, so a
 * run between two deliveries (its job handed back to wait for a slot) is not taken for dead.
 */
export function strandedAfterSeconds(leaseSeconds = 120): number {
  return Math.max(10, Math.round(leaseSeconds * 0.75));
}

/**
 * A worker killed mid-run (SIGKILL, a lost host) leaves its run `running` and its run.fix `active`
 * until pg-boss's expiry, which must cover a whole agent (an hour, by default). Its agent lease
 * says sooner that nobody works on it: on each reconcile tick, a queued or running run with no
 * lease for strandedAfterSeconds(lease), and no run.fix waiting or recently taken, gets its job again
 * (in one transaction with its audit entry). The same catches a job pg-boss completed under a
 * still-working agent (an expiry's redelivery ended at once) whose handler then failed: pg-boss
 * ignores a failure of a completed job, so no retry would come. A duplicate is harmless: run.fix ends at once for a run
 * another delivery's agent holds, or that has moved on. Returns the runs sent again.
 */
export async function rescueStrandedRuns(deps: { pool: Pool; queue: Queue; log: Logger; strandedAfterSeconds?: number }): Promise<string[]> {
  const after = deps.strandedAfterSeconds ?? strandedAfterSeconds();
  const rescued: string[] = [];
  for (const run of await listStrandedRuns(deps.pool, after)) {
    if (await deps.queue.hasLiveJob('run.fix', run.id, after)) continue;
    await withTransaction(deps.pool, async (tx) => {
      await deps.queue.enqueue(tx, 'run.fix', { runId: run.id }, { priority: run.priority, singletonKey: run.ticketKey });
      await appendAudit(tx, { runId: run.id, actor: 'baton', action: 'run.rescued', detail: { why: 'its agent stopped renewing its lease and no job was left for it' } });
    });
    deps.log.warn({ runId: run.id, ticket: run.ticketKey }, 'a running run had no live agent and no job (its worker died?); run.fix is sent again');
    rescued.push(run.id);
  }
  if (rescued.length) deps.queue.notify('run.fix');
  return rescued;
}
