import { closeRequest, expiredRequests, openApprovalRequest, setRequestMessage, type ApprovalRequest } from '../db/approvals.ts';
import { appendAudit } from '../db/audit-log.ts';
import { consensusFor } from '../db/consensus-results.ts';
import { withTransaction } from '../db/pool.ts';
import { getRun } from '../db/runs.ts';
import { gatesForRepo } from '../domain/approval-policy.ts';
import type { Run } from '../domain/run.ts';
import { diffFileName } from '../bot/views/diff-file-name.ts';
import { productionDecidedMessage, productionGateMessage } from '../bot/views/production-gate-message.ts';
import { gateDecidedMessage } from '../bot/views/review-card-message.ts';
import { openMergeGate, type MergeGateDeps } from './open-merge-gate.ts';

/**
 * The reconcile tick's sweep of approval requests nobody answered within `expire_hours`. Expiry
 * means not approved: the request closes as expired (conditionally, so two sweeps close it once),
 * its card loses its buttons and says so, and a fresh card with its own buttons and its own expiry
 * asks again. Nothing is ever approved by time passing.
 */
export async function expireApprovalRequests(deps: MergeGateDeps): Promise<number> {
  const now = deps.now?.() ?? new Date();
  let expired = 0;
  for (const request of await expiredRequests(deps.pool, now)) {
    const log = deps.log.child({ runId: request.runId, gate: request.gate, headSha: request.headSha });
    const closed = await withTransaction(deps.pool, async (tx) => {
      const done = await closeRequest(tx, request.id, 'expired');
      if (done) await appendAudit(tx, { runId: request.runId, actor: 'baton', action: 'approval.expired', gate: request.gate, headSha: request.headSha, detail: { expiredAt: request.expiresAt?.toISOString() } });
      return done;
    });
    if (!closed) continue;
    expired += 1;
    const run = await getRun(deps.pool, request.runId);
    if (!run) continue;
    const hours = gatesForRepo(deps.policy.gates, run.repo ? deps.policy.repos[run.repo] : undefined).merge.expire_hours;
    log.info({ hours }, 'approval request expired unanswered; asking again');
    try {
      await markExpired(run, request, hours, now, deps);
      await askAgain(run, request, deps);
    } catch (error) {
      // The request is closed either way (never approved); the next sweep cannot reopen it, so say so.
      log.error({ err: error }, 'an expired approval request could not be replaced with a fresh card; the run waits without buttons until someone acts');
    }
  }
  return expired;
}

async function markExpired(run: Run, request: ApprovalRequest, hours: number, now: Date, deps: MergeGateDeps): Promise<void> {
  if (!deps.slack || !request.channelId || !request.messageTs) return;
  const decision = { kind: 'expired' as const, at: now, hours };
  if (request.gate === 'production') {
    const input = { run, mergedSha: request.headSha, headSha: request.headSha, staging: null, expiresAt: request.expiresAt };
    await deps.slack.updateMessage(request.channelId, request.messageTs, productionDecidedMessage(input, decision));
    return;
  }
  const stored = await consensusFor(deps.pool, run.id, request.headSha);
  if (!stored || !run.prUrl) return;
  await deps.slack.updateMessage(
    request.channelId, request.messageTs,
    gateDecidedMessage({ run, prUrl: run.prUrl, diff: stored.diff, headSha: request.headSha, consensus: stored.consensus, reviews: stored.reviews, expiresAt: request.expiresAt, diffFileName: diffFileName(run) }, decision),
  );
}

/** A fresh request and card for the same commit, while the run still waits at that gate. */
async function askAgain(run: Run, request: ApprovalRequest, deps: MergeGateDeps): Promise<void> {
  if (request.gate === 'merge') {
    if (run.status !== 'awaiting_approval' || run.headSha !== request.headSha || !run.prUrl) return;
    const stored = await consensusFor(deps.pool, run.id, request.headSha);
    if (!stored) return;
    await openMergeGate(run, { headSha: request.headSha, stored, prUrl: run.prUrl, from: ['awaiting_approval'] }, deps);
    return;
  }
  if (run.status !== 'awaiting_deploy_approval') return;
  const hours = gatesForRepo(deps.policy.gates, run.repo ? deps.policy.repos[run.repo] : undefined).merge.expire_hours;
  const expiresAt = new Date((deps.now?.() ?? new Date()).getTime() + hours * 3_600_000);
  const { request: fresh, created } = await withTransaction(deps.pool, async (tx) => {
    const opened = await openApprovalRequest(tx, { runId: run.id, gate: 'production', headSha: request.headSha, expiresAt });
    if (opened.created) await appendAudit(tx, { runId: run.id, actor: 'baton', action: 'approval.requested', gate: 'production', headSha: request.headSha, detail: { expiresAt: expiresAt.toISOString(), after: 'expiry' } });
    return opened;
  });
  if (!created || fresh.messageTs || !deps.slack || !run.channelId || !run.threadTs) return;
  const card = await deps.slack.postMessage(
    run.channelId,
    productionGateMessage({ run, mergedSha: request.headSha, headSha: run.headSha ?? request.headSha, staging: null, expiresAt }),
    run.threadTs,
  );
  await setRequestMessage(deps.pool, fresh.id, run.channelId, card.ts);
}
