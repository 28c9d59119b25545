import type Anthropic from '@anthropic-ai/sdk';
import type { ReviewerName, ReviewerResult } from '../../domain/review.ts';
import { appendMessage } from '../loop-messages.ts';
import { ModelError } from '../model-error.ts';
import { runToolLoop, type LoopResult } from '../tool-loop.ts';
import { parseAnswer, REVIEW_OUTPUT_CONFIG } from './review-answer.ts';
import { roleMessage } from './role-message.ts';
import type { ReviewerDeps } from './run-reviewers.ts';
import type { SharedReview } from './shared-review.ts';

const TURN_LIMIT = 'turn_limit';

/**
 * One reviewer: the tool loop over the shared material and its role, ending in a JSON report checked
 * against the reviewer's schema. A malformed report is sent back once with what was wrong, as a user
 * message in the same conversation: the reviewer keeps what it read with its tools (and the prompt
 * stays a cache hit), so the retry is one short call that knows what to fix, where a fresh call would
 * redo the reading at full price and could fail the same way. Malformed again, a refusal, the context
 * window, the turn limit or a model error that retrying will not fix: an abstention with the reason,
 * never a pass. A retryable ModelError (rate-limited or overloaded past the SDK's retries and the
 * model fallbacks) and an abort propagate, so the queue retries the job.
 */
export async function runReviewer<R extends ReviewerName>(reviewer: R, shared: SharedReview, deps: ReviewerDeps): Promise<ReviewerResult> {
  const { policy } = deps;
  const log = deps.log.child({ reviewer });
  let messages: Anthropic.MessageParam[] = [shared.material, roleMessage(reviewer, policy.max_turns)];
  // Updated by onModelCall, inside the loop: an object, so the reads below see the writes.
  const spent = { calls: 0, costUsd: 0, model: null as string | null };
  let retried = false;

  const abstain = (reason: string): ReviewerResult => {
    log.warn({ turns: spent.calls, costUsd: spent.costUsd, reason }, 'reviewer abstained');
    return { reviewer, status: 'abstained', reason, model: spent.model, costUsd: spent.costUsd } as ReviewerResult;
  };

  for (;;) {
    let result: LoopResult<never>;
    try {
      result = await runToolLoop<never>({
        model: deps.model, system: shared.system, tools: shared.tools, messages, maxTokens: policy.max_tokens, signal: deps.signal,
        promptCaching: deps.promptCaching, outputConfig: REVIEW_OUTPUT_CONFIG,
        // The one retry for a malformed report gets its call even when the report came on the last turn.
        beforeTurn: async () => (spent.calls >= policy.max_turns + (retried ? 1 : 0) ? TURN_LIMIT : undefined),
        onModelCall: async (call) => {
          spent.calls += 1;
          spent.costUsd += call.costUsd;
          spent.model = call.model;
          await deps.onModelCall?.(reviewer, { ...call, turn: spent.calls });
        },
      });
    } catch (error) {
      if (error instanceof ModelError && !error.retryable) return abstain(`The model call failed: ${error.message}`);
      throw error;
    }
    messages = result.messages;
    const end = result.end;

    switch (end.kind) {
      case 'end_turn': {
        const answer = parseAnswer(reviewer, end.text);
        if (answer.ok) {
          log.info({ turns: spent.calls, costUsd: spent.costUsd }, 'reviewer answered');
          return { reviewer, status: 'answered', report: answer.report, model: spent.model ?? 'unknown', costUsd: spent.costUsd } as ReviewerResult;
        }
        if (retried) return abstain(`No valid report after one retry: ${answer.problem}.`);
        retried = true;
        log.info({ problem: answer.problem }, 'malformed report; sending it back once');
        appendMessage(messages, { role: 'user', content: [{ type: 'text', text: malformedNote(answer.problem) }] });
        continue;
      }
      case 'refusal':
        return abstain(`The model declined to review${end.category ? ` (${end.category})` : ''}: ${end.explanation}`);
      case 'context_window':
        return abstain(end.reason);
      case 'stopped':
        return abstain(`No report within ${policy.max_turns} model calls (review.max_turns in baton.yml).`);
      case 'terminal':
        // No reviewer tool is terminal; kept so a new one cannot end a review silently.
        return abstain('The review ended without a report.');
    }
  }
}

function malformedNote(problem: string): string {
  return `Baton could not accept that report: ${problem}. Reply again with only the corrected JSON, {"report": {…}} with the fields ` +
    'your role lists and within their limits. This is the only retry: a second report Baton cannot accept counts as an abstention.';
}
