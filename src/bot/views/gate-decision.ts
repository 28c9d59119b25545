import { inlineText } from './inline-text.ts';
import { formatScore } from './score.ts';
import { shortSha } from './short-sha.ts';
import { plainTime, slackTime } from './slack-date.ts';
import { userMention } from './user-mention.ts';

/** How a gate's request ended: what replaces its buttons. */
export type GateDecision =
  | { kind: 'approved'; by: string; at: Date }
  | { kind: 'auto_approved'; at: Date }
  | { kind: 'rejected'; by: string; at: Date; reason: string }
  | { kind: 'expired'; at: Date; hours: number }
  | { kind: 'voided'; at: Date; newHeadSha: string };

// The modal caps a reason at 1,000 characters; escaping may grow it.
const REASON_CHARS = 1_200;

/**
 * The one line a decided gate shows, as mrkdwn (a mention, the time in the reader's timezone) and
 * as the plain notification text. `score` is the consensus an auto-approval went by.
 */
export function decisionLine(decision: GateDecision, gate: { headSha: string; score?: number }): { mrkdwn: string; plain: string } {
  const sha = shortSha(gate.headSha);
  switch (decision.kind) {
    case 'approved': {
      const who = userMention(decision.by);
      return {
        mrkdwn: `:white_check_mark: Approved by ${who} · \`${sha}\` · ${slackTime(decision.at)}`,
        plain: `Approved by ${who} · ${sha} · ${plainTime(decision.at)}`,
      };
    }
    case 'auto_approved': {
      const score = gate.score === undefined ? 'no veto' : `score ${formatScore(gate.score)}, no veto`;
      return {
        mrkdwn: `:robot_face: Auto-approved by Baton's policy (${score}) · \`${sha}\``,
        plain: `Auto-approved by Baton's policy (${score}) · ${sha}`,
      };
    }
    case 'rejected': {
      const who = userMention(decision.by);
      const text = inlineText(decision.reason.trim() || 'no reason given', REASON_CHARS);
      return { mrkdwn: `:x: Rejected by ${who} · ${text}`, plain: `Rejected by ${who} · ${text}` };
    }
    case 'expired': {
      const text = `Expired unanswered after ${decision.hours} h: not approved`;
      return { mrkdwn: `:hourglass: ${text}`, plain: text };
    }
    case 'voided': {
      const text = `Voided: a new push (${shortSha(decision.newHeadSha)}) replaced ${sha}`;
      return {
        mrkdwn: `:leftwards_arrow_with_hook: Voided: a new push (\`${shortSha(decision.newHeadSha)}\`) replaced \`${sha}\``,
        plain: text,
      };
    }
  }
}
