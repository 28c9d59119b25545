import { approvalFor, closeRequest, insertApproval, latestRequestFor, type ApprovalRequest } from '../db/approvals.ts';
import { appendAudit } from '../db/audit-log.ts';
import { consensusFor } from '../db/consensus-results.ts';
import { withTransaction, type Pool } from '../db/pool.ts';
import { getRun, transitionRun } from '../db/runs.ts';
import { checkGateClick, checkRejectClick, gatesForRepo, type ClickCheck, type GateState } from '../domain/approval-policy.ts';
import type { Gate, GateButtonValue } from '../domain/gate.ts';
import type { Run, RunStatus } from '../domain/run.ts';
import type { GitHubClient } from '../integrations/github/create-github-client.ts';
import type { SlackClient, SlackMessage } from '../integrations/slack.ts';
import type { Logger } from '../logger.ts';
import type { Policy } from '../policy.ts';
import { message, section } from '../bot/views/blocks.ts';
import { diffFileName } from '../bot/views/diff-file-name.ts';
import { gateDecidedMessage, type GateDecision } from '../bot/views/review-card-message.ts';
import { productionDecidedMessage } from '../bot/views/production-gate-message.ts';
import type { Queue } from './queue.ts';
import { approverGroupsOf } from './approver-groups-of.ts';

export interface GateDecisionDeps {
  pool: Pool;
  queue: Queue;
  slack: SlackClient | undefined;
  github: GitHubClient | undefined;
  log: Logger;
  policy: Pick<Policy, 'gates' | 'repos'>;
  now?: () => Date;
}

/** A click on a gate's button, as the listener read it: nothing in it is trusted until checked here. */
export interface GateClickInput extends GateButtonValue {
  userId: string;
  /**
   * The message the button was on, when Slack said (a modal's submit has none). The value names the
   * run, gate and SHA but not the card, and a fresh card after an expiry carries the same value as
   * the expired one: only the open request's own card may decide it.
   */
  messageTs?: string;
}

/**
 * What the listener shows: the card replaced (where it is), or an ephemeral reply to the clicker
 * alone, the card left as it was.
 */
export type GateAnswer =
  | { kind: 'decided'; card: { channel: string; ts: string; message: SlackMessage } | undefined }
  | { kind: 'refused'; reply: SlackMessage };

/** Where a run waits at each gate, and where an Approve moves it. */
const WAITS: Record<Gate, { at: RunStatus; next: RunStatus; job: 'gate.merge' | 'deploy.production' }> = {
  merge: { at: 'awaiting_approval', next: 'merging', job: 'gate.merge' },
  production: { at: 'awaiting_deploy_approval', next: 'deploying', job: 'deploy.production' },
};

/**
 * The ephemeral reply to a refused click. Not escaped: every reason is Baton's own sentence, and
 * some name people as live <@U…> mentions (the clicker, who decided before).
 */
function refusal(text: string): GateAnswer {
  return { kind: 'refused', reply: message(text, section(`:no_entry: ${text}`)) };
}

/**
 * Everything the click checks need, read on the server: the run, the gate's latest request, the
 * approvers (user groups expanded through Slack), and, for the merge gate on GitHub, the PR's head
 * as GitHub has it now.
 */
async function gateState(run: Run, click: GateClickInput, request: ApprovalRequest | undefined, deps: GateDecisionDeps, log: Logger): Promise<{ state: GateState; groups: string[] } | { error: string }> {
  const gates = gatesForRepo(deps.policy.gates, run.repo ? deps.policy.repos[run.repo] : undefined);
  const approvers = gates[click.gate].approvers;
  const groups = await approverGroupsOf(click.userId, approvers, deps.slack, log);
  let prHeadSha: string | null = null;
  if (click.gate === 'merge' && deps.github && run.repo && run.prNumber !== null) {
    const [owner, name] = run.repo.split('/') as [string, string];
    try {
      prHeadSha = (await deps.github.getPullRequest({ owner, name }, run.prNumber)).headSha;
    } catch (error) {
      log.warn({ err: error }, 'could not read the PR head from GitHub to check the approval');
      return { error: `Baton could not check PR #${run.prNumber}'s head on GitHub just now, so nothing was approved. Try again in a minute.` };
    }
  }
  const wait = WAITS[click.gate];
  return {
    groups,
    state: {
      approvers,
      requester: { source: run.source, userId: run.requestedBy },
      runHeadSha: click.gate === 'merge' ? run.headSha : (request?.headSha ?? null),
      prHeadSha,
      waiting: run.status === wait.at && request?.state === 'open',
      expiresAt: request?.expiresAt ?? null,
      now: deps.now?.() ?? new Date(),
    },
  };
}

async function check(click: GateClickInput, kind: 'approve' | 'reject', deps: GateDecisionDeps): Promise<{ run: Run; request: ApprovalRequest | undefined } | GateAnswer> {
  const log = deps.log.child({ runId: click.runId, gate: click.gate, user: click.userId, decision: kind });
  const run = await getRun(deps.pool, click.runId);
  if (!run) return refusal('That run no longer exists; nothing changed.');
  const request = await latestRequestFor(deps.pool, run.id, click.gate);
  const read = await gateState(run, click, request, deps, log);
  if ('error' in read) return refusal(read.error);
  const verdict: ClickCheck = (kind === 'approve' ? checkGateClick : checkRejectClick)(
    { gate: click.gate, clickerId: click.userId, clickerGroupIds: read.groups, buttonHeadSha: click.headSha },
    read.state,
  );
  if (!verdict.ok) {
    log.info({ code: verdict.code }, 'gate click refused');
    await appendAudit(deps.pool, { runId: run.id, actor: click.userId, action: `${kind === 'approve' ? 'approval' : 'rejection'}.refused`, gate: click.gate, headSha: click.headSha, detail: { code: verdict.code } });
    return refusal(verdict.reason);
  }
  if (click.messageTs !== undefined && request?.messageTs && click.messageTs !== request.messageTs) {
    log.info({ code: 'stale_card', card: click.messageTs, current: request.messageTs }, 'gate click refused');
    await appendAudit(deps.pool, { runId: run.id, actor: click.userId, action: `${kind === 'approve' ? 'approval' : 'rejection'}.refused`, gate: click.gate, headSha: click.headSha, detail: { code: 'stale_card' } });
    return refusal('This card is no longer the open request for this gate (it expired or was replaced); only the newest card can be used.');
  }
  return { run, request };
}

/** Rebuilds the card a request was posted with, decided. */
async function decidedCard(run: Run, request: ApprovalRequest, decision: GateDecision, deps: GateDecisionDeps): Promise<{ channel: string; ts: string; message: SlackMessage } | undefined> {
  if (!request.channelId || !request.messageTs) return undefined;
  const shown = (await getRun(deps.pool, run.id)) ?? run;
  if (request.gate === 'production') {
    return { channel: request.channelId, ts: request.messageTs, message: productionDecidedMessage({ run: shown, mergedSha: request.headSha, headSha: request.headSha, staging: null, expiresAt: request.expiresAt }, decision) };
  }
  const stored = await consensusFor(deps.pool, run.id, request.headSha);
  if (!stored || !run.prUrl) return undefined;
  const card = gateDecidedMessage(
    { run: shown, prUrl: run.prUrl, diff: stored.diff, headSha: request.headSha, consensus: stored.consensus, reviews: stored.reviews, expiresAt: request.expiresAt, diffFileName: diffFileName(shown) },
    decision,
  );
  return { channel: request.channelId, ts: request.messageTs, message: card };
}

/**
 * Approve: every check on the server (checkGateClick), then in ONE transaction the approval row
 * (unique per run, gate and SHA: of ten clicks one inserts it), the request closed, the run moved
 * and the gate's job enqueued. Only the click that inserted the row goes on; the others are told.
 */
export async function approveGate(click: GateClickInput, deps: GateDecisionDeps): Promise<GateAnswer> {
  const checked = await check(click, 'approve', deps);
  if ('kind' in checked) return checked;
  const { run, request } = checked;
  const wait = WAITS[click.gate];
  const score = click.gate === 'merge' ? (await consensusFor(deps.pool, run.id, click.headSha))?.consensus.score : undefined;
  const approved = await withTransaction(deps.pool, async (tx) => {
    const row = await insertApproval(tx, { runId: run.id, gate: click.gate, headSha: click.headSha, decision: 'approved', decidedBy: click.userId, via: 'click' });
    if (!row) return undefined;
    if (!request || !(await closeRequest(tx, request.id, 'approved'))) throw new GateRaceLost();
    if (!(await transitionRun(tx, run.id, [wait.at], wait.next, `Approved by ${click.userId} at ${click.headSha.slice(0, 7)}.`))) throw new GateRaceLost();
    await deps.queue.enqueue(tx, wait.job, click.gate === 'merge' ? { runId: run.id, headSha: click.headSha } : { runId: run.id, sha: click.headSha }, { priority: run.priority });
    await appendAudit(tx, { runId: run.id, actor: click.userId, action: 'approval.granted', gate: click.gate, headSha: click.headSha, score });
    return row;
  }).catch((error: unknown) => {
    if (error instanceof GateRaceLost) return undefined;
    throw error;
  });
  if (!approved) {
    const existing = await approvalFor(deps.pool, run.id, click.gate, click.headSha);
    const by = existing ? ` by <@${existing.decidedBy}>` : '';
    return refusal(existing ? `This was already ${existing.decision}${by}; nothing more to do.` : 'Someone else decided this gate a moment ago; nothing changed.');
  }
  deps.queue.notify(wait.job);
  deps.log.info({ runId: run.id, gate: click.gate, headSha: click.headSha, by: click.userId }, 'gate approved');
  return { kind: 'decided', card: request ? await decidedCard(run, request, { kind: 'approved', by: click.userId, at: approved.decidedAt }, deps) : undefined };
}

class GateRaceLost extends Error {}

export interface RejectDeps extends GateDecisionDeps {
  /** Ends the run as rejected: thread, ticket, PR (closed or left open), worktree (src/jobs/reject-run.ts). */
  endRejected(run: Run, rejection: { by: string; reason: string; gate: Gate; headSha: string }): Promise<void>;
}

/**
 * Reject with its reason (from the modal): the same checks, then the rejection row and the request
 * closed in one transaction; then the run ends as `rejected` with the reason in the thread, on the
 * ticket and in the audit log, and the PR closed or left open as configured.
 */
export async function rejectGate(click: GateClickInput & { reason: string }, deps: RejectDeps): Promise<GateAnswer> {
  const checked = await check(click, 'reject', deps);
  if ('kind' in checked) return checked;
  const { run, request } = checked;
  const reason = click.reason.trim().slice(0, 1000);
  const rejected = await withTransaction(deps.pool, async (tx) => {
    const row = await insertApproval(tx, { runId: run.id, gate: click.gate, headSha: click.headSha, decision: 'rejected', decidedBy: click.userId, via: 'click', reason });
    if (!row) return undefined;
    if (request) await closeRequest(tx, request.id, 'rejected');
    return row;
  });
  if (!rejected) {
    const existing = await approvalFor(deps.pool, run.id, click.gate, click.headSha);
    return refusal(existing ? `This was already ${existing.decision} by <@${existing.decidedBy}>; nothing changed.` : 'Someone else decided this gate a moment ago; nothing changed.');
  }
  await deps.endRejected(run, { by: click.userId, reason, gate: click.gate, headSha: click.headSha });
  return { kind: 'decided', card: request ? await decidedCard(run, request, { kind: 'rejected', by: click.userId, at: rejected.decidedAt, reason }, deps) : undefined };
}

/**
 * Retry after GitHub refused an approved merge (checks pending or failing, conflicts): the clicker
 * must be an approver, and the approval row for the run's current head must stand; a head that
 * moved needs a new approval, not a retry.
 */
export async function retryMerge(click: GateClickInput, deps: GateDecisionDeps): Promise<GateAnswer> {
  const log = deps.log.child({ runId: click.runId, user: click.userId, decision: 'retry' });
  const run = await getRun(deps.pool, click.runId);
  if (!run) return refusal('That run no longer exists; nothing changed.');
  const read = await gateState(run, { ...click, gate: 'merge' }, undefined, deps, log);
  if ('error' in read) return refusal(read.error);
  const approval = await approvalFor(deps.pool, run.id, 'merge', click.headSha);
  const verdict = checkGateClick(
    { gate: 'merge', clickerId: click.userId, clickerGroupIds: read.groups, buttonHeadSha: click.headSha },
    { ...read.state, waiting: run.status === 'awaiting_approval' && approval?.decision === 'approved' },
  );
  if (!verdict.ok) {
    // The requester may retry a merge someone else approved: the decision was not theirs to make again.
    if (!(verdict.code === 'self_approval' && approval?.decision === 'approved')) return refusal(verdict.reason);
  }
  const moved = await withTransaction(deps.pool, async (tx) => {
    const next = await transitionRun(tx, run.id, ['awaiting_approval'], 'merging', `Merge retried by ${click.userId}.`);
    if (!next) return undefined;
    await deps.queue.enqueue(tx, 'gate.merge', { runId: run.id, headSha: click.headSha }, { priority: run.priority });
    await appendAudit(tx, { runId: run.id, actor: click.userId, action: 'merge.retried', gate: 'merge', headSha: click.headSha });
    return next;
  });
  if (!moved) return refusal('The merge is already being retried, or the run moved on; nothing changed.');
  deps.queue.notify('gate.merge');
  return { kind: 'decided', card: undefined };
}
