import type { Blocks, SlackMessage } from '../../integrations/slack.ts';
import type { WorkflowRunResult } from '../../domain/pull-request.ts';
import type { Run } from '../../domain/run.ts';
import { ACTIONS, gateButtonValue } from './action-ids.ts';
import { context, escapeMrkdwn, message, section } from './blocks.ts';
import { actions } from './buttons.ts';
import { decisionLine, type GateDecision } from './gate-decision.ts';
import { shortSha } from './short-sha.ts';
import { slackDateTime } from './slack-date.ts';
import { conclusionText, workflowRunLink } from './workflow-run-link.ts';

export interface ProductionGateInput {
  run: Run;
  /** The merge commit on the base branch: what the production gate approves and deploys. */
  mergedSha: string;
  /** The PR's head that the merge gate approved. */
  headSha: string;
  /** The staging deploy's workflow run; null when there is none to show (none configured, or not known here). */
  staging: WorkflowRunResult | null;
  expiresAt: Date | null;
}

function stagingText(staging: WorkflowRunResult | null): { mrkdwn: string; plain: string } {
  if (staging === null) return { mrkdwn: '', plain: '' };
  if (staging.status === 'completed' && staging.conclusion === 'success') {
    return { mrkdwn: `staging deploy succeeded (${workflowRunLink(staging)})`, plain: 'staging deploy succeeded' };
  }
  const how = conclusionText(staging);
  return { mrkdwn: `:warning: staging deploy ${how} (${workflowRunLink(staging)})`, plain: `staging deploy ${how}` };
}

function head(input: ProductionGateInput): { blocks: Blocks; plain: string } {
  const { run } = input;
  const merged = shortSha(input.mergedSha);
  // The PR's head is worth showing only when it differs from the merge commit (a merge or squash).
  const at = input.headSha !== input.mergedSha ? ` at \`${shortSha(input.headSha)}\`` : '';
  const pr = run.prNumber !== null ? ` (PR #${run.prNumber}${at})` : '';
  const staging = stagingText(input.staging);
  return {
    blocks: [section(`:rocket: *${escapeMrkdwn(run.ticketKey)}* · Merged \`${merged}\`${pr}${staging.mrkdwn && ` · ${staging.mrkdwn}`} · *Deploy to production?*`)],
    plain: `${escapeMrkdwn(run.ticketKey)}: merged ${merged}${staging.plain && ` · ${staging.plain}`} · deploy to production?`,
  };
}

/**
 * The second gate, after the merge (and the staging deploy): Approve deploy / Reject, pinned to the
 * merged commit, so what reaches production is what was merged, whatever the branch does next.
 */
export function productionGateMessage(input: ProductionGateInput): SlackMessage {
  const value = gateButtonValue({ runId: input.run.id, gate: 'production', headSha: input.mergedSha });
  const { blocks, plain } = head(input);
  const expiry = input.expiresAt ? [context(`:hourglass_flowing_sand: Approval expires ${slackDateTime(input.expiresAt)}; unanswered by then, nothing is deployed.`)] : [];
  return message(
    plain,
    ...blocks,
    ...expiry,
    actions(
      'baton.gate.production',
      { text: 'Approve deploy', actionId: ACTIONS.gateApprove, value, style: 'primary' },
      { text: 'Reject', actionId: ACTIONS.gateReject, value, style: 'danger' },
    ),
    context(`Approving deploys \`${shortSha(input.mergedSha)}\` to production. A production approver other than the requester decides; no policy approves production on its own.`),
  );
}

/** The same message once decided: the buttons replaced by one line. */
export function productionDecidedMessage(input: ProductionGateInput, decision: GateDecision): SlackMessage {
  const line = decisionLine(decision, { headSha: input.mergedSha });
  const { blocks, plain } = head(input);
  return message(`${plain} · ${line.plain}`, ...blocks, section(line.mrkdwn));
}
