import type { SlackMessage } from '../../integrations/slack.ts';
import type { MergeMethod } from '../../domain/pull-request.ts';
import type { Run } from '../../domain/run.ts';
import { ACTIONS, gateButtonValue } from './action-ids.ts';
import { context, escapeMrkdwn, link, message, section } from './blocks.ts';
import { actions } from './buttons.ts';
import { clipReason } from './clip-reason.ts';
import { shortSha } from './short-sha.ts';
import { userMention } from './user-mention.ts';

// A reason is a sentence from GitHub or a person: the gist fits; the audit log keeps it whole.
const REASON_CHARS = 1_500;

function pr(run: Run): string {
  const name = run.prNumber !== null ? `PR #${run.prNumber}` : 'the PR';
  return run.prUrl ? link(run.prUrl, name) : name;
}

/** Who approved: a person as a mention; Baton's policy (or any other actor) as plain, escaped text. */
function approver(by: string): string {
  return by === 'baton' ? "Baton's policy" : userMention(by);
}

/** Posted in the thread once GitHub merged the approved commit. */
export function mergedMessage(run: Run, input: { sha: string; by: string; method: MergeMethod }): SlackMessage {
  const sha = shortSha(input.sha);
  const text = `Merged ${pr(run)} (${input.method}) as \`${sha}\`, approved by ${approver(input.by)}.`;
  return message(`${escapeMrkdwn(run.ticketKey)}: ${text.replace(/`/g, '')}`, section(`:twisted_rightwards_arrows: ${text}`));
}

/**
 * GitHub refused the merge (checks failing or pending, conflicts, a moved head, …): why, what to
 * do, and Retry, pinned to the same commit (a new push needs a new approval, not a retry).
 */
export function mergeRefusedMessage(run: Run, input: { reason: string; headSha: string }): SlackMessage {
  const sha = shortSha(input.headSha);
  const reason = clipReason(input.reason.trim() || 'GitHub gave no reason', REASON_CHARS);
  return message(
    `${escapeMrkdwn(run.ticketKey)}: GitHub did not merge ${sha}: ${reason}`,
    section(`:warning: *GitHub did not merge ${pr(run)}* at \`${sha}\`: ${reason}`),
    section('Fix what GitHub names (wait for the checks, resolve the conflict on the branch), then *Retry*: it merges the same approved commit. If the branch moved, the approval is void and the card asks again.'),
    actions('baton.gate.retry', {
      text: 'Retry the merge',
      actionId: ACTIONS.gateRetry,
      value: gateButtonValue({ runId: run.id, gate: 'merge', headSha: input.headSha }),
      style: 'primary',
    }),
  );
}

/** Posted in the thread when a gate is rejected: who, why, and what became of the PR. */
export function runRejectedMessage(run: Run, input: { by: string; reason: string; prClosed: boolean }): SlackMessage {
  const reason = clipReason(input.reason.trim() || 'no reason given', REASON_CHARS);
  const after = input.prClosed
    ? `${pr(run)} is closed and the run has ended.`
    : `${pr(run)} is left open for people to take over; the run has ended.`;
  return message(
    `${escapeMrkdwn(run.ticketKey)}: rejected by ${userMention(input.by)}: ${reason}`,
    section(`:x: *Rejected by ${userMention(input.by)}*: ${reason}`),
    context(`${after} Run \`/agent fix ${escapeMrkdwn(run.ticketKey)}\` to start again.`),
  );
}
