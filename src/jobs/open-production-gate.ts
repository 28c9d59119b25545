import { latestRequestFor, openApprovalRequest, openRequestFor, setRequestMessage, type ApprovalRequest } from '../db/approvals.ts';
import { appendAudit } from '../db/audit-log.ts';
import { withTransaction } from '../db/pool.ts';
import { getRun, transitionRun } from '../db/runs.ts';
import { gatesForRepo } from '../domain/approval-policy.ts';
import type { WorkflowRunResult } from '../domain/pull-request.ts';
import type { Run } from '../domain/run.ts';
import type { Policy } from '../policy.ts';
import { productionGateMessage } from '../bot/views/production-gate-message.ts';
import { requireRunRepo } from './run-repo.ts';
import { refreshThreadQuietly, tellTicketOnce, type TellDeps } from './tell-run.ts';

export interface ProductionGateDeps extends TellDeps {
  policy: Pick<Policy, 'repos' | 'gates'>;
  now?: () => Date;
}

export interface ProductionGateInput {
  /** What production would get: the merge commit on the base branch. */
  mergedSha: string;
  /** The staging deploy it passed, or null for a repository with no staging deploy. */
  staging: WorkflowRunResult | null;
}

const short = (sha: string): string => sha.slice(0, 7);

/**
 * The second gate: the merged change waits for a person to approve the production deploy. The run
 * moves to `awaiting_deploy_approval` and its approval request opens in one transaction; then the
 * card with Approve deploy / Reject goes to the thread once (a request whose card is posted is not
 * posted again) and the ticket is told. Safe to call again on a run already waiting here: it posts
 * only what is owed. A gate already decided for this commit is never reopened.
 */
export async function openProductionGate(run: Run, input: ProductionGateInput, deps: ProductionGateDeps): Promise<ApprovalRequest | undefined> {
  const log = deps.log.child({ runId: run.id, ticket: run.ticketKey, step: 'production_gate' });
  const repo = requireRunRepo(run, deps.policy);
  const gates = gatesForRepo(deps.policy.gates, repo.policy);
  const now = deps.now?.() ?? new Date();
  // The production gate has no expiry of its own in baton.yml; it follows the merge gate's.
  const expiresAt = new Date(now.getTime() + gates.merge.expire_hours * 3_600_000);
  const reason = `Merged at ${short(input.mergedSha)}${input.staging ? ' and deployed to staging' : ''}; waiting for a production approval.`;

  const opened = await withTransaction(deps.pool, async (tx) => {
    const latest = await latestRequestFor(tx, run.id, 'production');
    if (latest && latest.state !== 'open' && latest.headSha === input.mergedSha) return undefined;
    const moved = await transitionRun(tx, run.id, ['merging', 'deploying'], 'awaiting_deploy_approval', reason);
    if (!moved) {
      const current = await getRun(tx, run.id);
      const open = current?.status === 'awaiting_deploy_approval' ? await openRequestFor(tx, run.id, 'production') : undefined;
      return current && open ? { run: current, request: open } : undefined;
    }
    const { request, created } = await openApprovalRequest(tx, { runId: run.id, gate: 'production', headSha: input.mergedSha, expiresAt });
    if (created) {
      await appendAudit(tx, {
        runId: run.id, actor: 'baton', action: 'approval.requested', gate: 'production', headSha: input.mergedSha,
        detail: { expiresAt: expiresAt.toISOString(), staging: input.staging?.url ?? null },
      });
    }
    return { run: moved, request };
  });
  if (!opened) {
    log.info({ status: run.status }, 'the production gate is not waiting for this run; nothing to post');
    return undefined;
  }
  const { run: waiting, request } = opened;
  if (!request.messageTs && deps.slack && waiting.channelId && waiting.threadTs) {
    const card = await deps.slack.postMessage(
      waiting.channelId,
      productionGateMessage({ run: waiting, mergedSha: input.mergedSha, headSha: waiting.headSha ?? input.mergedSha, staging: input.staging, expiresAt: request.expiresAt }),
      waiting.threadTs,
    );
    await setRequestMessage(deps.pool, request.id, waiting.channelId, card.ts);
  }
  const where = waiting.threadUrl ? ` [in Slack](${waiting.threadUrl})` : ' in Slack';
  const staged = input.staging ? `, deployed to staging ([deploy run](${input.staging.url}))` : '';
  await tellTicketOnce(waiting, { action: 'ticket.production_gate_commented', key: input.mergedSha },
    `Merged at \`${short(input.mergedSha)}\`${staged}. The production deploy waits for an approval${where}.`, deps);
  await refreshThreadQuietly(waiting, deps, log);
  log.info({ mergedSha: input.mergedSha, requestId: request.id }, 'production gate open');
  return request;
}
