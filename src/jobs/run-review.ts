import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { insertAgentCall } from '../db/agent-calls.ts';
import { appendAudit } from '../db/audit-log.ts';
import { consensusFor, storeConsensus } from '../db/consensus-results.ts';
import { withTransaction, type Pool } from '../db/pool.ts';
import { getRun } from '../db/runs.ts';
import { coderGatesFromEvidence, computeConsensus } from '../domain/consensus.ts';
import type { ReviewerName, ReviewerResult, ReviewWeights } from '../domain/review.ts';
import type { ModelCall } from '../agents/model-client.ts';
import type { ReviewInput } from '../agents/reviewers/run-reviewers.ts';
import type { Logger } from '../logger.ts';
import { PermanentError, RetryableError } from './errors.ts';
import type { Queue } from './queue.ts';
import type { Payload } from './queues.ts';
import type { TrackerRoutes } from './tracker-routes.ts';

/** What the reviewers read: the ticket, the coder's summary, the diff, Baton's evidence and the worktree at the head. */
export type ReviewRequest = ReviewInput;

/** The three reviewers as main.ts builds them from config: undefined while no model is configured. */
export type ReviewChange = (
  request: ReviewRequest,
  options: { signal: AbortSignal; onModelCall: (reviewer: ReviewerName, call: ModelCall & { turn: number }) => Promise<void> },
) => Promise<ReviewerResult[]>;

export interface RunReviewDeps {
  pool: Pool;
  queue: Queue;
  routes: TrackerRoutes;
  log: Logger;
  review: ReviewChange | undefined;
  /** Why `review` is undefined, for the run's failure. */
  reviewMissing?: string;
  weights: ReviewWeights;
}

/**
 * `run.review`: the three reviewers, concurrently, on the proven change (diff, ticket, Baton's own
 * test evidence); the consensus over them; then, in one transaction, the consensus stored for the
 * head SHA and run.publish enqueued. A redelivered job finds the consensus stored and only makes
 * sure publish follows, so the reviewers are not paid twice for one head.
 */
export async function runReview(payload: Payload<'run.review'>, deps: RunReviewDeps, signal: AbortSignal = new AbortController().signal): Promise<void> {
  const run = await getRun(deps.pool, payload.runId);
  if (!run) throw new PermanentError('run_not_found', `run ${payload.runId} does not exist`);
  const log = deps.log.child({ runId: run.id, ticket: run.ticketKey, job: 'run.review' });
  if (run.status !== 'reviewing') {
    log.info({ status: run.status }, 'run is not waiting for its review; nothing to do');
    return;
  }
  const outcome = run.outcome;
  if (!outcome) throw new PermanentError('no_outcome', `run ${run.id} has no proven change to review`);
  const headSha = outcome.headSha;

  const already = await consensusFor(deps.pool, run.id, headSha);
  if (already) {
    log.info({ headSha, score: already.consensus.score }, 'consensus already stored for this head (a redelivery); publishing');
    await enqueuePublish(payload, deps, run.priority);
    return;
  }
  if (!deps.review) throw new PermanentError('agent_not_configured', deps.reviewMissing ?? 'No model is configured, so the change cannot be reviewed.');
  if (!(await exists(join(payload.workspace.path, '.git')))) {
    throw new RetryableError(
      'workspace_not_here',
      `The proven change's worktree (${payload.workspace.path}) is not on this worker. Every worker must share one DATA_DIR (one host, or one volume); retry the run once they do.`,
    );
  }
  const ticket = await deps.routes.require(run.ticketKey).tracker.getTicket(run.ticketKey);
  const started = Date.now();
  const reviews = await deps.review(
    {
      ticket: { key: ticket.key, title: ticket.title, description: ticket.description ?? '' },
      summary: outcome.summary,
      diff: payload.diff,
      evidence: outcome.evidence,
      headSha,
      worktreePath: payload.workspace.path,
    },
    {
      signal,
      onModelCall: async (reviewer, call) => {
        await insertAgentCall(deps.pool, {
          runId: run.id, agent: `reviewer:${reviewer}`, turn: call.turn, model: call.model, usage: call.usage, costUsd: call.costUsd,
          stopReason: call.message.stop_reason, durationMs: call.durationMs,
        });
      },
    },
  );
  const consensus = computeConsensus({ headSha, reviews, weights: deps.weights, coderGates: coderGatesFromEvidence(outcome.evidence) });
  const stored = await withTransaction(deps.pool, async (tx) => {
    const result = await storeConsensus(tx, run.id, { consensus, reviews, diff: payload.diff });
    if (result.inserted) {
      await appendAudit(tx, {
        runId: run.id, actor: 'baton', action: 'review.scored', gate: 'merge', headSha, score: consensus.score,
        detail: {
          vetoes: consensus.vetoes.map((v) => v.code),
          reviewers: Object.fromEntries(reviews.map((r) => [r.reviewer, r.status === 'answered' ? consensus.components[r.reviewer].score : 'abstained'])),
        },
      });
      await deps.queue.enqueue(tx, 'run.publish', payload, { priority: run.priority });
    }
    return result;
  });
  if (stored.inserted) deps.queue.notify('run.publish');
  else await enqueuePublish(payload, deps, run.priority);
  log.info({ headSha, score: consensus.score, vetoes: consensus.vetoes.map((v) => v.code), ms: Date.now() - started }, 'change reviewed');
}

/**
 * A redelivery after the consensus committed: the publish job went out in that transaction, and
 * is sent again only when none is waiting or running (publishing is idempotent either way).
 */
async function enqueuePublish(payload: Payload<'run.review'>, deps: RunReviewDeps, priority: number): Promise<void> {
  if (await deps.queue.hasLiveJob('run.publish', payload.runId, 15 * 60)) return;
  await deps.queue.enqueue(deps.pool, 'run.publish', payload, { priority });
  deps.queue.notify('run.publish');
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}
