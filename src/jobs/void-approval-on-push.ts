import { closeRequest, openRequestFor } from '../db/approvals.ts';
import { appendAudit } from '../db/audit-log.ts';
import { consensusFor, latestConsensus, storeConsensus, type StoredConsensus } from '../db/consensus-results.ts';
import { withTransaction } from '../db/pool.ts';
import { moveRunHead } from '../db/runs.ts';
import { computeConsensus } from '../domain/consensus.ts';
import type { PullRequestPushedEvent } from '../domain/github-event.ts';
import { DEFAULT_REVIEW_WEIGHTS, REVIEWERS, type ReviewerResult } from '../domain/review.ts';
import type { Run } from '../domain/run.ts';
import { diffFileName } from '../bot/views/diff-file-name.ts';
import { gateDecidedMessage } from '../bot/views/review-card-message.ts';
import { openMergeGate, type MergeGateDeps } from './open-merge-gate.ts';

/**
 * A new push to a run's branch while it waits for its merge approval (someone pushed on top of
 * Baton's commit): earlier approvals no longer apply. In one transaction the run's head moves and
 * the open request is voided; the old card says so; a fresh card for the new head replaces its
 * buttons. The new head was not reviewed, so its card carries that as a veto (Approve asks to
 * confirm it) and auto-approve cannot take it.
 */
export async function voidApprovalOnPush(run: Run, event: PullRequestPushedEvent, deps: MergeGateDeps): Promise<'voided' | 'ignored'> {
  const log = deps.log.child({ runId: run.id, ticket: run.ticketKey, headSha: event.headSha });
  const oldHead = run.headSha;
  // Baton's own push (the webhook of the publish that recorded this head), or one already handled.
  if (!oldHead || oldHead === event.headSha) return 'ignored';
  if (run.status !== 'awaiting_approval') {
    // Merging: the merge is pinned to the approved SHA and GitHub refuses it once the head moved.
    log.info({ status: run.status }, 'new push to a run that is not waiting for its merge approval; the SHA pin guards the merge');
    return 'ignored';
  }
  const previous = await openRequestFor(deps.pool, run.id, 'merge');
  const moved = await withTransaction(deps.pool, async (tx) => {
    const next = await moveRunHead(tx, run.id, oldHead, event.headSha);
    if (!next) return undefined;
    if (previous) await closeRequest(tx, previous.id, 'voided');
    await appendAudit(tx, {
      runId: run.id, actor: `github:${event.actor}`, action: 'approval.voided', gate: 'merge', headSha: oldHead,
      detail: { newHeadSha: event.headSha, why: 'a new push to the branch' },
    });
    return next;
  });
  if (!moved) return 'ignored';
  log.info({ oldHead, by: event.actor }, 'a new push voided the approval request; a fresh card follows');

  const reviewed = (await consensusFor(deps.pool, run.id, oldHead)) ?? (await latestConsensus(deps.pool, run.id));
  if (previous?.channelId && previous.messageTs && reviewed && deps.slack && run.prUrl) {
    const card = {
      run: moved, prUrl: run.prUrl, diff: reviewed.diff, headSha: oldHead, consensus: reviewed.consensus, reviews: reviewed.reviews,
      expiresAt: previous.expiresAt, diffFileName: diffFileName(moved),
    };
    await deps.slack
      .updateMessage(previous.channelId, previous.messageTs, gateDecidedMessage(card, { kind: 'voided', at: new Date(), newHeadSha: event.headSha }))
      .catch((error: unknown) => log.warn({ err: error }, 'the old card could not be marked void; its buttons are refused as stale anyway'));
  }
  const stored = await unreviewedHead(run, event, reviewed, deps);
  await openMergeGate(moved, { headSha: event.headSha, stored, prUrl: run.prUrl ?? event.url, from: ['awaiting_approval'] }, deps);
  return 'voided';
}

/** The consensus a pushed, unreviewed head gets: every reviewer abstains, plus a veto that says why. */
async function unreviewedHead(run: Run, event: PullRequestPushedEvent, reviewed: StoredConsensus | undefined, deps: MergeGateDeps): Promise<StoredConsensus> {
  const why = `pushed by ${event.actor} after the review`;
  const reviews: ReviewerResult[] = REVIEWERS.map((reviewer) => ({ reviewer, status: 'abstained', reason: `not reviewed: ${why}`, model: null, costUsd: 0 }) as ReviewerResult);
  const consensus = computeConsensus({ headSha: event.headSha, reviews, weights: DEFAULT_REVIEW_WEIGHTS, coderGates: { held: true, failures: [] } });
  consensus.vetoes.unshift({
    code: 'not_reviewed',
    reason: `${event.headSha.slice(0, 7)} was ${why} of ${(reviewed?.consensus.headSha ?? run.headSha ?? '').slice(0, 7)}; no reviewer and none of Baton's tests have seen it.`,
  });
  // No diff: the reviewed one is not this head's, and showing it under the new SHA would mislead; the PR has it.
  const { stored } = await storeConsensus(deps.pool, run.id, { consensus, reviews, diff: '' });
  return stored;
}
