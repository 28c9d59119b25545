import { withMessageBreakpoints, withSystemBreakpoint, withToolsBreakpoint } from '../cache-breakpoints.ts';
import type { ModelCall, ModelClient } from '../model-client.ts';
import { REVIEW_OUTPUT_CONFIG } from './review-answer.ts';
import type { SharedReview } from './shared-review.ts';

/**
 * Writes the prefix the three reviewers share (answer format, tools, system, material) to the prompt
 * cache with a one-token call, before they start. The API makes a cache entry readable only once the
 * response that writes it has begun, so three requests sent at the same moment would each miss it and
 * each pay the write (1.25× input); warmed first, each reads it (0.1×). The warm-up sends exactly what
 * runToolLoop sends before the role message, breakpoints included, so the bytes match.
 */
export async function warmReviewCache(shared: SharedReview, model: ModelClient, signal: AbortSignal): Promise<ModelCall> {
  return model.call(
    {
      system: withSystemBreakpoint(shared.system),
      tools: withToolsBreakpoint(shared.tools.map((tool) => tool.definition)),
      messages: withMessageBreakpoints([shared.material]),
      // Nothing of the answer is used: one token is the least the API accepts.
      max_tokens: 1,
      output_config: REVIEW_OUTPUT_CONFIG,
    },
    { signal },
  );
}
