import { REVIEWERS, type ReviewerName, type ReviewerResult } from '../../domain/review.ts';
import type { RunOutcome } from '../../domain/run.ts';
import type { Logger } from '../../logger.ts';
import type { ReviewPolicy } from '../../policy.ts';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import type { ModelCall, ModelClient } from '../model-client.ts';
import { ModelError } from '../model-error.ts';
import { runReviewer } from './run-reviewer.ts';
import { sharedReview, type SharedReview } from './shared-review.ts';
import { warmReviewCache } from './warm-review-cache.ts';

export interface ReviewInput {
  ticket: { key: string; title: string; description: string };
  /** The coder's summary: untrusted, like the ticket. */
  summary: string;
  diff: string;
  evidence: RunOutcome['evidence'];
  headSha: string;
  /** The run's worktree, checked out at headSha; the reviewers may only read it. */
  worktreePath: string;
}

export interface ReviewerDeps {
  model: ModelClient;
  /** The search tool runs in it, read-only use. */
  sandbox: Sandbox;
  /** max_turns, max_tokens (the weights are the consensus's). */
  policy: ReviewPolicy;
  signal: AbortSignal;
  log: Logger;
  /** Prompt-caching breakpoints (default true); false also skips the cache warm-up, which only caching pays for. */
  promptCaching?: boolean;
  /**
   * After each model call, to record usage/cost per reviewer. `turn` counts a reviewer's calls from 1;
   * the one-token call that warms the shared prefix before the three start is reported as the first
   * reviewer's (REVIEWERS[0]) turn 0, and its cost is in that reviewer's result.
   */
  onModelCall?: (reviewer: ReviewerName, call: ModelCall & { turn: number }) => Promise<void>;
}

/**
 * The three reviewers (security, blast radius, action plan) on the diff, the ticket and Baton's own
 * test evidence, run concurrently on one shared cached prefix; always three results, in REVIEWERS
 * order. Each reads the worktree through a view-only editor and a sandboxed search, and answers a
 * JSON report checked against its schema, or abstains with a reason (see runReviewer).
 *
 * Errors: a retryable ModelError (rate limit, overload past the SDK's retries and the model
 * fallbacks, a connection lost) from any reviewer stops the other two (their calls are aborted) and
 * is rethrown, so the queue retries the whole review later, with backoff: three results are stored
 * together or not at all. An abort of `signal` is rethrown too. Everything a retry would not fix ends
 * as that reviewer's abstention instead.
 */
export async function runReviewers(input: ReviewInput, deps: ReviewerDeps): Promise<ReviewerResult[]> {
  const log = deps.log.child({ ticket: input.ticket.key, headSha: input.headSha });
  // Built once and shared: the same objects give byte-identical tools, system and material to the three.
  const shared = sharedReview(input, deps.sandbox);

  const warmCostUsd = deps.promptCaching === false ? 0 : await warmUp(shared, deps, log);

  // One reviewer's retryable failure stops the others: their results would be thrown away with the job.
  const stop = new AbortController();
  const signal = AbortSignal.any([deps.signal, stop.signal]);
  let failure: { error: unknown } | undefined;
  const settled = await Promise.allSettled(
    REVIEWERS.map((reviewer) =>
      runReviewer(reviewer, shared, { ...deps, log, signal }).catch((error: unknown) => {
        failure ??= { error };
        stop.abort();
        throw error;
      })),
  );
  if (failure) throw failure.error;

  const results = settled.map((outcome) => (outcome as PromiseFulfilledResult<ReviewerResult>).value);
  if (warmCostUsd > 0) results[0] = { ...results[0]!, costUsd: results[0]!.costUsd + warmCostUsd };
  log.info({ results: results.map((r) => `${r.reviewer}:${r.status}`), costUsd: results.reduce((sum, r) => sum + r.costUsd, 0) }, 'review finished');
  return results;
}

/** The warm-up's cost; 0 when it failed in a way the reviewers will meet and report themselves. */
async function warmUp(shared: SharedReview, deps: ReviewerDeps, log: Logger): Promise<number> {
  try {
    const call = await warmReviewCache(shared, deps.model, deps.signal);
    await deps.onModelCall?.(REVIEWERS[0], { ...call, turn: 0 });
    return call.costUsd;
  } catch (error) {
    if (error instanceof ModelError && !error.retryable) {
      log.warn({ err: error.message }, 'could not warm the reviewers\' shared prompt cache; reviewing without it');
      return 0;
    }
    throw error;
  }
}
