import { auditForRun } from '../db/audit-log.ts';
import type { Pool } from '../db/pool.ts';
import { latestRunForTicket } from '../db/runs.ts';
import type { SlackMessage } from '../integrations/slack.ts';
import { auditTrailMessage } from '../bot/views/audit-trail-message.ts';

/** `/agent audit ENG-123`: the latest run's trail (who, what, gate, SHA, score, when), or undefined when the ticket has no run. */
export async function auditTrail(ticketKey: string, deps: { pool: Pool }): Promise<SlackMessage | undefined> {
  const run = await latestRunForTicket(deps.pool, ticketKey);
  if (!run) return undefined;
  const entries = (await auditForRun(deps.pool, run.id)).map((entry) => {
    // The gate columns read like the detail keys the view knows, so both shapes show the same way.
    const detail = { ...((entry.detail ?? {}) as Record<string, unknown>) };
    delete detail.notice;
    if (entry.gate) detail.gate = entry.gate;
    if (entry.headSha) detail.headSha = entry.headSha;
    if (entry.score !== null) detail.score = entry.score;
    return { at: entry.at, actor: entry.actor, action: entry.action, detail };
  });
  return auditTrailMessage({ ticketKey: run.ticketKey, runId: run.id, entries });
}
