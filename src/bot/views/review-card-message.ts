import type { Blocks, SlackMessage } from '../../integrations/slack.ts';
import { REVIEWERS, type Consensus, type ReviewerResult } from '../../domain/review.ts';
import type { Run } from '../../domain/run.ts';
import { ACTIONS, gateButtonValue } from './action-ids.ts';
import { context, escapeMrkdwn, link, message, section } from './blocks.ts';
import { actions } from './buttons.ts';
import { consensusSection, vetoConfirm } from './consensus-section.ts';
import { diffPreview, diffStatsLine, diffStatsOf } from './diff-preview.ts';
import { decisionLine, type GateDecision } from './gate-decision.ts';
import { inlineText } from './inline-text.ts';
import { reviewerSection } from './reviewer-section.ts';
import { formatScore } from './score.ts';
import { shortSha } from './short-sha.ts';
import { slackDateTime } from './slack-date.ts';
import { summarySection } from './summary-section.ts';
import { testEvidenceSection } from './test-evidence-section.ts';
import { unsandboxedWarning } from './unsandboxed-warning.ts';

export type { GateDecision } from './gate-decision.ts';

export interface ReviewCardInput {
  run: Run;
  prUrl: string;
  diff: string;
  headSha: string;
  consensus: Consensus;
  reviews: ReviewerResult[];
  expiresAt: Date | null;
  /** The full diff's file, uploaded beside the card (diffFileName(run)). */
  diffFileName: string;
}

// What each part of the card may take, in escaped characters. With the reviewers (800 each), the
// consensus (1,400) and the buttons, the card stays near 10,000 characters, under MESSAGE_LIMITS.
const TITLE_CHARS = 200;
const SUMMARY_CHARS = 900;
const EVIDENCE_CHARS = 900;
const DIFF_CHARS = 2_400;

function prName(run: Run): string {
  return run.prNumber !== null ? `PR #${run.prNumber}` : 'The PR';
}

/** Everything but the buttons: what the approver reads, the same before and after the decision. */
function cardBlocks(input: ReviewCardInput): Blocks {
  const { run, diff } = input;
  const outcome = run.outcome;
  const ticket = run.ticketUrl ? link(run.ticketUrl, run.ticketKey) : escapeMrkdwn(run.ticketKey);
  const title = run.ticketTitle ? ` · ${inlineText(run.ticketTitle, TITLE_CHARS)}` : '';
  const stats = outcome?.diffStats ?? diffStatsOf(diff);
  const unsandboxed = run.unsandboxed || outcome?.evidence.sandboxed === false;
  return [
    section(`:mag: *${link(input.prUrl, prName(run))}* for *${ticket}*${title} · review of \`${shortSha(input.headSha)}\``),
    ...(unsandboxed ? [unsandboxedWarning()] : []),
    ...(outcome ? [summarySection(outcome.summary, SUMMARY_CHARS), testEvidenceSection(outcome.evidence, EVIDENCE_CHARS)] : []),
    section(`*Diff* · ${diffStatsLine(stats)}`),
    ...diffPreview(diff, input.diffFileName, DIFF_CHARS),
    { type: 'divider' },
    ...REVIEWERS.map((r) => reviewerSection(r, input.reviews.find((review) => review.reviewer === r), input.consensus.components[r])),
    consensusSection(input.consensus, input.headSha),
  ];
}

function headline(input: ReviewCardInput): string {
  const vetoes = input.consensus.vetoes.length;
  return `${escapeMrkdwn(input.run.ticketKey)}: ${prName(input.run)} at ${shortSha(input.headSha)} · consensus ${formatScore(input.consensus.score)}` +
    (vetoes > 0 ? ` · ${vetoes} veto${vetoes === 1 ? '' : 'es'}` : ' · no veto');
}

/**
 * The review card: the PR, the summary, Baton's test evidence, a diff preview (the whole diff is the
 * attached file), each reviewer, the consensus and its vetoes, when the request expires, and
 * Approve / Reject for the merge gate pinned to `headSha`. While a veto stands, Approve asks for
 * confirmation naming the vetoes. Ticket, model and diff text is escaped throughout.
 */
export function reviewCardMessage(input: ReviewCardInput): SlackMessage {
  const value = gateButtonValue({ runId: input.run.id, gate: 'merge', headSha: input.headSha });
  const sha = shortSha(input.headSha);
  const confirm = vetoConfirm(input.consensus, `the merge of ${sha}`);
  const expiry = input.expiresAt ? [context(`:hourglass_flowing_sand: Approval expires ${slackDateTime(input.expiresAt)}; unanswered by then, it is not approved.`)] : [];
  return message(
    `${headline(input)} · waiting for approval`,
    ...cardBlocks(input),
    ...expiry,
    actions(
      'baton.gate.merge',
      { text: 'Approve', actionId: ACTIONS.gateApprove, value, style: 'primary', ...(confirm ? { confirm } : {}) },
      { text: 'Reject', actionId: ACTIONS.gateReject, value, style: 'danger' },
    ),
    context(`Approving merges \`${sha}\` only; a new push voids it. An approver other than the requester decides.`),
  );
}

/** The same card once decided: its buttons (and expiry) replaced by one line saying what happened. */
export function gateDecidedMessage(input: ReviewCardInput, decision: GateDecision): SlackMessage {
  const line = decisionLine(decision, { headSha: input.headSha, score: input.consensus.score });
  return message(`${headline(input)} · ${line.plain}`, ...cardBlocks(input), section(line.mrkdwn));
}
