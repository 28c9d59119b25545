import { closeRequest, insertApproval, latestRequestFor, openApprovalRequest, setRequestMessage, type ApprovalRequest } from '../db/approvals.ts';
import { appendAudit } from '../db/audit-log.ts';
import type { StoredConsensus } from '../db/consensus-results.ts';
import { withTransaction, type Pool } from '../db/pool.ts';
import { getRun, transitionRun } from '../db/runs.ts';
import { gatesForRepo } from '../domain/approval-policy.ts';
import { autoApproveAllowed } from '../domain/consensus.ts';
import type { Run, RunStatus } from '../domain/run.ts';
import type { SlackClient } from '../integrations/slack.ts';
import type { Logger } from '../logger.ts';
import type { Policy } from '../policy.ts';
import { diffFileName } from '../bot/views/diff-file-name.ts';
import { gateDecidedMessage, reviewCardMessage, type ReviewCardInput } from '../bot/views/review-card-message.ts';
import type { Queue } from './queue.ts';

export interface MergeGateDeps {
  pool: Pool;
  queue: Pick<Queue, 'enqueue' | 'notify'>;
  slack: SlackClient | undefined;
  log: Logger;
  policy: Pick<Policy, 'gates' | 'repos'>;
  now?: () => Date;
}

/** Who the audit log and the approvals table name when the policy, not a person, approved. */
export const AUTO_APPROVER = 'baton:auto_approve';
export const WAITING_FOR_APPROVAL = 'Pull request open; waiting for an approver to Approve or Reject it in the thread.';

/**
 * Puts a reviewed head in front of people: in one transaction the run moves (from `from`) to
 * `awaiting_approval`, an approval request opens for that head with its expiry, and, only where the
 * repository opted in and the consensus allows it (merge gate, no veto, above 0.9), the policy's
 * approval row and the gate.merge job go with it. Then the card is posted once per request: with
 * Approve / Reject buttons, or already decided when the policy approved.
 */
export async function openMergeGate(
  run: Run,
  input: { headSha: string; stored: StoredConsensus; prUrl: string; from: readonly RunStatus[] },
  deps: MergeGateDeps,
): Promise<ApprovalRequest> {
  const log = deps.log.child({ runId: run.id, ticket: run.ticketKey, gate: 'merge', headSha: input.headSha });
  const now = deps.now?.() ?? new Date();
  const gates = gatesForRepo(deps.policy.gates, run.repo ? deps.policy.repos[run.repo] : undefined);
  const { consensus } = input.stored;
  const auto = autoApproveAllowed(consensus, 'merge', gates.merge.auto_approve);

  const request = await withTransaction(deps.pool, async (tx) => {
    const latest = await latestRequestFor(tx, run.id, 'merge');
    // A redelivered job: the request for this head is there (open, or approved by the policy).
    if (latest && latest.headSha === input.headSha && (latest.state === 'open' || latest.state === 'approved')) return latest;
    const moved = await transitionRun(tx, run.id, [...input.from], 'awaiting_approval', WAITING_FOR_APPROVAL);
    if (!moved) return undefined;
    const expiresAt = new Date(now.getTime() + gates.merge.expire_hours * 3_600_000);
    const { request: opened } = await openApprovalRequest(tx, { runId: run.id, gate: 'merge', headSha: input.headSha, expiresAt });
    await appendAudit(tx, {
      runId: run.id, actor: 'baton', action: 'approval.requested', gate: 'merge', headSha: input.headSha, score: consensus.score,
      detail: { expiresAt: expiresAt.toISOString(), vetoes: consensus.vetoes.map((v) => v.code) },
    });
    if (!auto.allowed) return opened;
    await insertApproval(tx, { runId: run.id, gate: 'merge', headSha: input.headSha, decision: 'approved', decidedBy: AUTO_APPROVER, via: 'policy' });
    const closed = await closeRequest(tx, opened.id, 'approved');
    await transitionRun(tx, run.id, ['awaiting_approval'], 'merging', `Auto-approved by policy (${auto.why}); merging.`);
    await deps.queue.enqueue(tx, 'gate.merge', { runId: run.id, headSha: input.headSha }, { priority: run.priority });
    await appendAudit(tx, { runId: run.id, actor: AUTO_APPROVER, action: 'approval.auto', gate: 'merge', headSha: input.headSha, score: consensus.score, detail: { why: auto.why } });
    return closed ?? opened;
  });
  if (!request) {
    log.info('the run left the state a card is posted from (a cancel or a decision won); no card');
    const current = await latestRequestFor(deps.pool, run.id, 'merge');
    if (!current) throw new Error(`run ${run.id} has no merge approval request and could not open one`);
    return current;
  }
  if (request.state === 'approved') deps.queue.notify('gate.merge');
  if (request.messageTs || !deps.slack || !run.channelId || !run.threadTs) return request;

  const shown = (await getRun(deps.pool, run.id)) ?? run;
  const card: ReviewCardInput = {
    run: shown, prUrl: input.prUrl, diff: input.stored.diff, headSha: input.headSha, consensus, reviews: input.stored.reviews,
    expiresAt: request.expiresAt, diffFileName: diffFileName(shown),
  };
  const message = request.state === 'approved' ? gateDecidedMessage(card, { kind: 'auto_approved', at: now }) : reviewCardMessage(card);
  const posted = await deps.slack.postMessage(run.channelId, message, run.threadTs);
  await setRequestMessage(deps.pool, request.id, run.channelId, posted.ts);
  log.info({ auto: request.state === 'approved', score: consensus.score }, 'review card posted');
  return { ...request, channelId: run.channelId, messageTs: posted.ts };
}
