import { appendAudit } from '../db/audit-log.ts';
import { withTransaction, type Pool } from '../db/pool.ts';
import { findActiveRun, insertRun } from '../db/runs.ts';
import type { NewRun, Run } from '../domain/run.ts';
import type { Queue } from './queue.ts';
import { jobPriority, type HeadStart } from '../domain/job-priority.ts';
import type { TicketPriority } from '../domain/ticket.ts';

export type StartRunResult = { kind: 'started'; run: Run } | { kind: 'already_running'; run: Run };

export interface StartRunDeps {
  pool: Pool;
  queue: Queue;
  /** baton.yml `scheduling.head_start_minutes`: how ticket priority turns into job order. */
  headStart: HeadStart;
  now?: () => number;
}

// A person asking in Slack is waiting for the answer; that ranks with a high-priority ticket.
const SLASH_COMMAND_PRIORITY: TicketPriority = 'high';

/**
 * The one way a run begins, whatever the intake path: the run row, its audit entry and its
 * `run.fix` job commit in one transaction, or nothing does.
 */
export async function startRun(input: NewRun, deps: StartRunDeps): Promise<StartRunResult> {
  // The active run can end between the failed insert and the lookup; then the insert is tried again.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const result = await withTransaction(deps.pool, async (tx): Promise<StartRunResult | undefined> => {
      const ticketPriority = input.ticketPriority ?? (input.source === 'slack' ? SLASH_COMMAND_PRIORITY : 'none');
      const priority = jobPriority(ticketPriority, deps.headStart, deps.now?.() ?? Date.now());
      const run = await insertRun(tx, { ...input, ticketPriority, priority });
      if (!run) {
        const active = await findActiveRun(tx, input.ticketKey);
        return active ? { kind: 'already_running', run: active } : undefined;
      }
      await deps.queue.enqueue(tx, 'run.fix', { runId: run.id }, { singletonKey: run.ticketKey, priority: run.priority });
      await appendAudit(tx, {
        runId: run.id,
        actor: input.requestedBy,
        action: 'run.requested',
        detail: { source: input.source, channel: input.channelId },
      });
      return { kind: 'started', run };
    });
    if (result) {
      if (result.kind === 'started') deps.queue.notify('run.fix');
      return result;
    }
  }
  throw new Error(`could not start a run for ${input.ticketKey}: its active run kept changing`);
}
