import type Anthropic from '@anthropic-ai/sdk';
import type { ReviewerName } from '../../domain/review.ts';
import { ACTION_PLAN_PROMPT } from './action-plan-prompt.ts';
import { BLAST_RADIUS_PROMPT } from './blast-radius-prompt.ts';
import { SECURITY_PROMPT } from './security-prompt.ts';

const ROLE_PROMPTS: Record<ReviewerName, string> = {
  security: SECURITY_PROMPT,
  blast_radius: BLAST_RADIUS_PROMPT,
  action_plan: ACTION_PLAN_PROMPT,
};

/**
 * Baton's message naming a reviewer's role, sent as its own user message right after the shared
 * material: the material's cache breakpoint stays on the material, and only this message and what
 * follows differ from one reviewer to the next.
 */
export function roleMessage(reviewer: ReviewerName, maxTurns: number): Anthropic.MessageParam {
  const text = `Baton's instructions for this reviewer (role: ${reviewer}).\n\n${ROLE_PROMPTS[reviewer]}\n\n` +
    `You have at most ${maxTurns} model calls (baton.yml review.max_turns), this answer included: leave yourself one for the report.`;
  return { role: 'user', content: [{ type: 'text', text }] };
}
