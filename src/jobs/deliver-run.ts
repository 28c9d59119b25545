import { appendAudit, auditForRun } from '../db/audit-log.ts';
import { withTransaction } from '../db/pool.ts';
import { getRun, transitionRun } from '../db/runs.ts';
import type { WorkflowRunResult } from '../domain/pull-request.ts';
import type { Run } from '../domain/run.ts';
import type { SlackMessage } from '../integrations/slack.ts';
import { escapeMrkdwn, link } from '../bot/views/blocks.ts';
import { oncePerRun } from './once-per-run.ts';
import { releaseRunWorkspace, type RunWorkspaceDeps } from './release-run-workspace.ts';
import { refreshThreadQuietly, tellThreadOnce, tellTicketOnce, type TellDeps } from './tell-run.ts';

export interface DeliverRunDeps extends TellDeps, RunWorkspaceDeps {}

/** What was delivered, for the last word in the thread and on the ticket. */
export interface Delivery {
  mergedSha: string;
  /** The production deploy that finished the run; null for a repository with no production deploy. */
  production: WorkflowRunResult | null;
}

export const DELIVERED = 'run.delivered';

const short = (sha: string): string => sha.slice(0, 7);

/**
 * The end of a run that reached its goal: the ticket moves to its team's done state and is told,
 * then the run becomes `succeeded` with its audit entry (one transaction), then the thread hears
 * it. Each outside step happens once per run (the audit log remembers it), so a job that retries
 * after a failed step finishes what is owed: call this again on a run already `succeeded`, and it
 * posts what the first attempt did not. A run that succeeded some other way (merged on GitHub by
 * a person) is left alone.
 */
export async function deliverRun(run: Run, delivery: Delivery, deps: DeliverRunDeps): Promise<Run | undefined> {
  const log = deps.log.child({ runId: run.id, ticket: run.ticketKey, step: 'deliver' });
  if (run.status === 'succeeded') {
    if (!(await auditForRun(deps.pool, run.id)).some((entry) => entry.action === DELIVERED)) return undefined;
  } else if (run.status !== 'merging' && run.status !== 'deploying') {
    log.info({ status: run.status }, 'run is not being delivered; nothing to do');
    return undefined;
  }
  const route = deps.routes.require(run.ticketKey);
  const doneState = route.team.states.done;
  await tellTicketOnce(run, { action: 'ticket.delivered_commented', key: 'delivered' }, ticketNote(run, delivery), deps);
  await oncePerRun(deps.pool, run.id, { action: 'ticket.moved_to_done', key: 'delivered' }, async () => {
    await route.tracker.moveTo(run.ticketKey, doneState);
    return { state: doneState };
  });

  const reason = delivery.production ? `Merged at ${short(delivery.mergedSha)} and deployed to production.` : `Merged at ${short(delivery.mergedSha)}.`;
  const moved = await withTransaction(deps.pool, async (tx) => {
    const ended = await transitionRun(tx, run.id, ['merging', 'deploying'], 'succeeded', reason);
    if (ended) {
      await appendAudit(tx, {
        runId: run.id, actor: 'baton', action: DELIVERED,
        detail: { mergedSha: delivery.mergedSha, production: delivery.production?.url ?? null, ticketState: doneState },
      });
    }
    return ended;
  });
  if (moved) {
    log.info({ mergedSha: delivery.mergedSha }, 'run delivered');
    await releaseRunWorkspace(run.id, deps);
  }
  const current = moved ?? (await getRun(deps.pool, run.id)) ?? run;
  await tellThreadOnce(current, { action: 'run.delivered_told', key: 'delivered' }, () => deliveredMessage(current, delivery, doneState), deps);
  await refreshThreadQuietly(current, deps, log);
  return current;
}

function ticketNote(run: Run, delivery: Delivery): string {
  const pr = run.prUrl ? `[PR #${run.prNumber}](${run.prUrl})` : 'The pull request';
  const deployed = delivery.production ? ` and deployed to production ([deploy run](${delivery.production.url}))` : '';
  return `Baton delivered this fix: ${pr} is merged at \`${short(delivery.mergedSha)}\`${deployed}.`;
}

// Text only: the run's status message (refreshed just after) carries the details.
function deliveredMessage(run: Run, delivery: Delivery, doneState: string): SlackMessage {
  const deployed = delivery.production ? ` and ${link(delivery.production.url, 'deployed to production')}` : '';
  return { text: `:tada: Delivered: ${escapeMrkdwn(run.ticketKey)} is merged at \`${short(delivery.mergedSha)}\`${deployed}. The ticket is now ${escapeMrkdwn(doneState)}.` };
}
