import type Anthropic from '@anthropic-ai/sdk';
import { REVIEWERS, type ActionPlanReport, type BlastRadiusReport, type ReviewerName, type SecurityReport } from '../../../src/domain/review.ts';
import type { RequestHandler, RequestInfo, ScriptedMessage, ScriptedResponse } from '../../fakes/fake-anthropic.ts';

export const SECURITY_REPORT: SecurityReport = {
  risk: 1,
  findings: [{ severity: 'low', title: 'No input validation on range bounds', detail: 'range(start, end) accepts non-integers; unchanged by this diff.', path: 'src/calc.js' }],
  summary: 'A one-character loop bound change and a new test; nothing security-relevant.',
  confidence: 0.9,
};

export const BLAST_RADIUS_REPORT: BlastRadiusReport = {
  level: 'low',
  services: ['calc'],
  modules: ['src/calc.js'],
  callers: [{ path: 'src/calc.js', symbol: 'range' }],
  summary: 'range is used by sumRange only.',
  confidence: 0.8,
};

export const ACTION_PLAN_REPORT: ActionPlanReport = {
  rollout: ['Merge the PR; calc has no deploy step of its own.'],
  verification: ['Run `npm test`; test/range.test.js must pass.'],
  rollback: ['Revert the merge commit; no data or format changes to undo.'],
  summary: 'Merge, run the suite, revert if needed.',
  confidence: 0.85,
};

export const REPORTS = { security: SECURITY_REPORT, blast_radius: BLAST_RADIUS_REPORT, action_plan: ACTION_PLAN_REPORT };

/** The structured answer a reviewer ends with. */
export const answer = (report: unknown): ScriptedMessage => ({ content: [{ type: 'json', value: { report } }] });

export const toolCall = (name: string, input: unknown, text = 'Reading first.'): ScriptedMessage => ({
  content: [{ type: 'text', text }, { type: 'tool_use', name, input }],
});

/** The one-token call that writes the shared prefix before the reviewers start: cut at its max_tokens. */
export const WARM_UP_REPLY: ScriptedMessage = { content: [{ type: 'text', text: '{' }], stop_reason: 'max_tokens' };

const texts = (message: Anthropic.MessageParam | undefined): string =>
  message === undefined ? '' : typeof message.content === 'string' ? message.content
    : message.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('\n');

/** Which reviewer sent a request ('warm-up' for the cache warm-up, which holds the material alone). */
export function reviewerOf(request: Anthropic.MessageCreateParams): ReviewerName | 'warm-up' {
  if (request.messages.length === 1) return 'warm-up';
  const role = /\(role: (\w+)\)/.exec(texts(request.messages[1]))?.[1];
  const found = REVIEWERS.find((r) => r === role);
  if (!found) throw new Error(`not a reviewer's request: ${texts(request.messages[1]).slice(0, 80)}`);
  return found;
}

/** The newest user message's text blocks (Baton's notes ride there). */
export const lastUserText = (request: Anthropic.MessageCreateParams): string => texts(request.messages.at(-1));

/** The tool_result texts of the newest user message, with is_error. */
export function lastToolResults(request: Anthropic.MessageCreateParams): { text: string; isError: boolean }[] {
  const last = request.messages.at(-1);
  if (!last || typeof last.content === 'string') return [];
  return last.content.flatMap((b) => {
    if (b.type !== 'tool_result') return [];
    const text = typeof b.content === 'string' ? b.content : (b.content ?? []).map((p) => (p.type === 'text' ? p.text : '')).join('');
    return [{ text, isError: b.is_error === true }];
  });
}

export type ReviewerStep = (request: Anthropic.MessageCreateParams, info: RequestInfo) => ScriptedResponse | Promise<ScriptedResponse>;

/**
 * A handler that answers the warm-up and routes each reviewer's requests to its own steps by the
 * reviewer's turn (info.turn: the assistant messages already in its conversation). A reviewer without
 * steps answers its sample report at once; a turn past its steps repeats the last step.
 */
export function reviewersHandler(steps: Partial<Record<ReviewerName, ReviewerStep[]>> = {}): RequestHandler {
  return (request, info) => {
    const who = reviewerOf(request);
    if (who === 'warm-up') return WARM_UP_REPLY;
    const own = steps[who];
    if (!own || own.length === 0) return answer(REPORTS[who]);
    return own[Math.min(info.turn, own.length - 1)]!(request, info);
  };
}
