import { approvalFor, latestRequestFor, type Approval } from '../db/approvals.ts';
import { appendAudit, auditForRun } from '../db/audit-log.ts';
import { consensusFor } from '../db/consensus-results.ts';
import { withTransaction } from '../db/pool.ts';
import { getRun, transitionRun } from '../db/runs.ts';
import type { MergeRefusal } from '../domain/pull-request.ts';
import type { Run } from '../domain/run.ts';
import type { GitHubClient } from '../integrations/github/create-github-client.ts';
import type { Logger } from '../logger.ts';
import { mergedMessage, mergeRefusedMessage } from '../bot/views/gate-step-messages.ts';
import { formatScore } from '../bot/views/score.ts';
import { deliverRun, type DeliverRunDeps } from './deliver-run.ts';
import { PermanentError } from './errors.ts';
import { oncePerRun, recordedStep } from './once-per-run.ts';
import { openProductionGate, type ProductionGateDeps } from './open-production-gate.ts';
import type { Payload } from './queues.ts';
import type { Queue } from './queue.ts';
import { requireRunRepo, type RunRepo } from './run-repo.ts';
import { refreshThreadQuietly, tellThreadOnce, tellTicketOnce } from './tell-run.ts';

export interface GateMergeDeps extends ProductionGateDeps, DeliverRunDeps {
  github: GitHubClient | undefined;
  queue: Pick<Queue, 'enqueue' | 'notify'>;
  /** A Slack user's name for the merge commit's message (users.info); the id alone is written without it. */
  userName?: (userId: string) => Promise<string | undefined>;
}

export const MERGE_DONE = 'merge.done';
export const MERGE_REFUSED = 'merge.refused';

const short = (sha: string): string => sha.slice(0, 7);

/**
 * `gate.merge`: merges the PR at the approved head only, and only through an approval row for that
 * very commit. Merged: the thread and the ticket hear it, then the run moves on to the staging deploy
 * (moved and enqueued in one transaction), the production gate, or its delivery. Refused by GitHub
 * (checks, conflicts, a moved head): the run goes back to `awaiting_approval` with the reason, and
 * the thread gets it with a Retry button. A redelivered job merges nothing twice: GitHub's answer
 * for a PR already merged at that commit is taken as done, and every post happens once.
 */
export async function gateMerge(payload: Payload<'gate.merge'>, deps: GateMergeDeps): Promise<void> {
  const run = await getRun(deps.pool, payload.runId);
  if (!run) throw new PermanentError('run_not_found', `run ${payload.runId} does not exist`);
  const log = deps.log.child({ runId: run.id, ticket: run.ticketKey, job: 'gate.merge', headSha: payload.headSha });
  if (run.status !== 'merging') {
    await resume(run, payload.headSha, deps);
    log.info({ status: run.status }, 'run is not merging; nothing to merge');
    return;
  }
  const approval = await approvalFor(deps.pool, run.id, 'merge', payload.headSha);
  if (approval?.decision !== 'approved') {
    // Only an approval row lets Baton merge; a job without one is a bug or a forgery, never a merge.
    log.error({ approval: approval?.decision ?? null }, 'gate.merge without a merge approval for this head: refusing to merge');
    throw new PermanentError('no_merge_approval', `Baton refused to merge ${short(payload.headSha)}: no approval is recorded for that commit. Nothing was merged.`);
  }
  if (!deps.github) throw new PermanentError('github_not_configured', 'GitHub is not configured (GITHUB_TOKEN or a GitHub App), so Baton cannot merge');
  if (run.prNumber === null) throw new PermanentError('no_pull_request', `run ${run.id} has no pull request to merge`);
  const repo = requireRunRepo(run, deps.policy);
  const score = (await consensusFor(deps.pool, run.id, payload.headSha))?.consensus.score;
  const commit = await commitText(run, approval, score, payload.headSha, deps, log);

  const outcome = await deps.github.mergeApproved({
    repo: repo.ref, number: run.prNumber, approvedSha: payload.headSha, method: repo.policy.merge_method,
    requiredChecks: repo.policy.required_checks, commitTitle: commit.title, commitMessage: commit.message,
    mergedBy: approval.via === 'policy' ? 'baton:auto_approve' : approval.decidedBy,
  });
  if (!outcome.merged) {
    await refused(run, payload.headSha, outcome, deps, log);
    return;
  }
  log.info({ mergeSha: outcome.sha, alreadyMerged: outcome.alreadyMerged }, 'merged');
  const mergeSha = outcome.sha;
  await oncePerRun(deps.pool, run.id, { action: MERGE_DONE, key: payload.headSha, gate: 'merge', headSha: payload.headSha, score }, async () => ({
    mergeSha, method: repo.policy.merge_method, approvedBy: approval.decidedBy, via: approval.via,
  }));
  const by = approval.via === 'policy' ? 'baton' : approval.decidedBy;
  await tellThreadOnce(run, { action: 'merge.told', key: payload.headSha }, () => mergedMessage(run, { sha: mergeSha, by, method: repo.policy.merge_method }), deps);
  await tellTicketOnce(run, { action: 'ticket.merge_commented', key: payload.headSha }, mergedNote(run, mergeSha, repo), deps);
  await afterMerge(run, mergeSha, repo, deps, log);
}

/** The merge is done; the next step is the staging deploy, the production gate, or the end. */
async function afterMerge(run: Run, mergeSha: string, repo: RunRepo, deps: GateMergeDeps, log: Logger): Promise<void> {
  if (repo.policy.deploy.staging) {
    const deploying = await withTransaction(deps.pool, async (tx) => {
      const moved = await transitionRun(tx, run.id, ['merging'], 'deploying', `Merged at ${short(mergeSha)}; deploying to staging.`);
      if (moved) await deps.queue.enqueue(tx, 'deploy.staging', { runId: run.id, sha: mergeSha }, { priority: run.priority });
      return moved;
    });
    if (!deploying) return;
    deps.queue.notify('deploy.staging');
    await refreshThreadQuietly(deploying, deps, log);
    return;
  }
  if (repo.policy.deploy.production) await openProductionGate(run, { mergedSha: mergeSha, staging: null }, deps);
  else await deliverRun(run, { mergedSha: mergeSha, production: null }, deps);
}

/** A redelivery after the merge moved the run on: finish only what that move still owes. */
async function resume(run: Run, headSha: string, deps: GateMergeDeps): Promise<void> {
  const done = await recordedStep(deps.pool, run.id, { action: MERGE_DONE, key: headSha });
  const mergeSha = (done?.detail as { mergeSha?: unknown } | undefined)?.mergeSha;
  if (typeof mergeSha !== 'string') return;
  const repo = requireRunRepo(run, deps.policy);
  if (repo.policy.deploy.staging) return; // deploy.staging owns what follows
  if (repo.policy.deploy.production && run.status === 'awaiting_deploy_approval') await openProductionGate(run, { mergedSha: mergeSha, staging: null }, deps);
  if (!repo.policy.deploy.production && run.status === 'succeeded') await deliverRun(run, { mergedSha: mergeSha, production: null }, deps);
}

async function refused(
  run: Run, headSha: string, outcome: { reason: MergeRefusal; message: string }, deps: GateMergeDeps, log: Logger,
): Promise<void> {
  log.warn({ reason: outcome.reason, message: outcome.message }, 'GitHub refused the merge');
  // Each refusal is told once, and a Retry that is refused again is a new refusal: the attempt is
  // how many refusals of this head are already on record (each is recorded with its move back).
  const attempt = (await auditForRun(deps.pool, run.id)).filter((e) => e.action === MERGE_REFUSED && e.headSha === headSha).length + 1;
  const key = `${headSha}:${attempt}`;
  await tellThreadOnce(run, { action: 'merge.refusal_told', key }, () => mergeRefusedMessage(run, { reason: outcome.message, headSha }), deps);
  await tellTicketOnce(run, { action: 'ticket.merge_refused_commented', key },
    `Baton did not merge the approved change (\`${short(headSha)}\`): ${outcome.message} People can retry from the Slack thread once that is fixed.`, deps);
  const back = await withTransaction(deps.pool, async (tx) => {
    const moved = await transitionRun(tx, run.id, ['merging'], 'awaiting_approval', outcome.message);
    if (moved) {
      await appendAudit(tx, { runId: run.id, actor: 'baton', action: MERGE_REFUSED, gate: 'merge', headSha, detail: { reason: outcome.reason, message: outcome.message, attempt } });
    }
    return moved;
  });
  if (back) await refreshThreadQuietly(back, deps, log);
}

/**
 * The merge commit records who approved, where, and on what: GitHub keeps it in the base branch's
 * history long after the Slack thread is gone.
 */
async function commitText(
  run: Run, approval: Approval, score: number | undefined, headSha: string, deps: GateMergeDeps, log: Logger,
): Promise<{ title: string; message: string }> {
  const title = `${run.ticketKey}: ${run.ticketTitle ?? 'Baton change'} (#${run.prNumber})`;
  const consensus = score === undefined ? 'no consensus recorded' : `consensus ${formatScore(score)}`;
  let who: string;
  if (approval.via === 'policy') {
    who = `Approved by Baton's auto-approve policy (gates.merge.auto_approve, ${consensus}, no veto)`;
  } else {
    const name = await deps.userName?.(approval.decidedBy).catch((error: unknown) => {
      log.warn({ err: error }, 'could not look up the approver’s name; the merge commit names the Slack user id');
      return undefined;
    });
    who = `Approved by ${name ? `${name} (Slack user ${approval.decidedBy})` : `Slack user ${approval.decidedBy}`} in Slack: ${await cardLink(run, deps, log)}`;
  }
  return { title, message: `${who}\nBaton run ${run.id} · ${consensus} · approved head ${short(headSha)}` };
}

/** The approval card's permalink, else the thread's; a link is worth a Slack call, not a failed merge. */
async function cardLink(run: Run, deps: GateMergeDeps, log: Logger): Promise<string> {
  const request = await latestRequestFor(deps.pool, run.id, 'merge');
  if (deps.slack && request?.channelId && request.messageTs) {
    try {
      return await deps.slack.permalink(request.channelId, request.messageTs);
    } catch (error) {
      log.warn({ err: error }, 'could not get the approval card’s permalink; the merge commit links the thread');
    }
  }
  return run.threadUrl ?? 'the run’s thread';
}

function mergedNote(run: Run, mergeSha: string, repo: RunRepo): string {
  const pr = run.prUrl ? `[PR #${run.prNumber}](${run.prUrl})` : `PR #${run.prNumber}`;
  const next = repo.policy.deploy.staging
    ? 'Deploying to staging next.'
    : repo.policy.deploy.production
      ? 'The production deploy waits for an approval in Slack.'
      : 'This repository has no deploy step, so the fix is delivered.';
  return `Baton merged ${pr} at \`${short(mergeSha)}\` after its approval in Slack. ${next}`;
}
