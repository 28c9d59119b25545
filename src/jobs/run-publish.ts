import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { appendAudit, auditForRun } from '../db/audit-log.ts';
import { consensusFor, storeConsensus, type StoredConsensus } from '../db/consensus-results.ts';
import type { Pool } from '../db/pool.ts';
import { markProgress } from '../db/run-agent.ts';
import { getRun } from '../db/runs.ts';
import type { Run } from '../domain/run.ts';
import type { GitHubClient } from '../integrations/github/create-github-client.ts';
import type { WorkspaceManager } from '../integrations/git/create-workspace-manager.ts';
import type { Workspace } from '../integrations/git/workspace.ts';
import type { SlackClient } from '../integrations/slack.ts';
import type { UploadFile } from '../integrations/slack-upload.ts';
import type { Logger } from '../logger.ts';
import type { Policy } from '../policy.ts';
import { diffFileName } from '../bot/views/diff-file-name.ts';
import { PermanentError, RetryableError } from './errors.ts';
import { publishRun } from './publish-run.ts';
import type { Payload } from './queues.ts';
import { refreshThread } from './refresh-thread.ts';
import { openMergeGate, type MergeGateDeps } from './open-merge-gate.ts';
import { testEvidenceText } from './test-evidence-text.ts';
import type { TrackerRoutes } from './tracker-routes.ts';

export interface RunPublishDeps extends MergeGateDeps {
  pool: Pool;
  slack: SlackClient | undefined;
  uploadFile: UploadFile | undefined;
  github: GitHubClient | undefined;
  workspaces: WorkspaceManager;
  routes: TrackerRoutes;
  policy: Pick<Policy, 'repos' | 'gates'>;
  log: Logger;
  redact: (text: string) => string;
}

const DIFF_UPLOADED = 'pr.diff_uploaded';
export const RUN_PUBLISHED = 'run.published';

/**
 * `run.publish`: push the reviewed branch and open the PR (publishRun: one PR, the ticket linked and
 * moved once), then open the merge gate (openMergeGate: the approval request, the card with the
 * reviewers, the consensus and the buttons) and upload the full diff once. The run then waits in
 * `awaiting_approval`, holding nothing. A redelivered job finds each part done and does not repeat it.
 */
export async function runPublish(payload: Payload<'run.publish'>, deps: RunPublishDeps): Promise<void> {
  const run = await getRun(deps.pool, payload.runId);
  if (!run) throw new PermanentError('run_not_found', `run ${payload.runId} does not exist`);
  const log = deps.log.child({ runId: run.id, ticket: run.ticketKey, job: 'run.publish' });
  // `reviewing` is where a reviewed run waits for this job; `awaiting_approval` (or `merging`, when
  // the policy approved) is a redelivery after the move, which may still owe the thread its card or file.
  if (run.status !== 'reviewing' && run.status !== 'awaiting_approval' && run.status !== 'merging') {
    log.info({ status: run.status }, 'run is not waiting to be published; nothing to do');
    return;
  }
  if (!run.outcome) throw new PermanentError('no_outcome', `run ${run.id} has no proven change to publish`);
  const reviewed = await consensusFor(deps.pool, run.id, run.outcome.headSha);
  if (!reviewed) throw new PermanentError('not_reviewed', `run ${run.id} has no review of ${run.outcome.headSha.slice(0, 7)}; Baton publishes only reviewed changes`);
  if (run.status !== 'reviewing') {
    // Past the move: finish what the first delivery may not have (the card, the file).
    if (run.prUrl && run.headSha) {
      await openMergeGate(run, { headSha: run.headSha, stored: await reviewFor(run, run.headSha, reviewed, deps), prUrl: run.prUrl, from: [] }, deps);
      await uploadDiff(run, payload.diff, deps, log);
      await markPublished(run.id, run.headSha, deps);
    }
    return;
  }
  if (!deps.github) throw new PermanentError('github_not_configured', 'GitHub is not configured (GITHUB_TOKEN or a GitHub App), so Baton cannot open the pull request');
  const route = deps.routes.require(run.ticketKey);
  const workspace = payload.workspace as Workspace;
  const repoKey = `${workspace.repo.owner}/${workspace.repo.name}`;
  const repo = deps.policy.repos[repoKey];
  if (!repo) throw new PermanentError('repo_not_configured', `${repoKey} is no longer listed under repos in baton.yml`);
  if (!(await exists(join(workspace.path, '.git')))) {
    // The proven commit is only in that worktree until this job pushes it. Retried: with workers on
    // hosts that do not share DATA_DIR (an unsupported setup, see the README), another may have it.
    throw new RetryableError(
      'workspace_not_here',
      `The proven change's worktree (${workspace.path}) is not on this worker. Every worker must share one DATA_DIR (one host, or one volume); retry the run once they do.`,
    );
  }
  const ticket = await route.tracker.getTicket(run.ticketKey);

  const { pr } = await publishRun(
    {
      run,
      ticket,
      tracker: route.tracker,
      workspace,
      repo,
      inReviewState: route.team.states.in_review,
      summary: run.outcome.summary,
      testEvidence: testEvidenceText(run.outcome.evidence),
      review: reviewed,
    },
    { pool: deps.pool, github: deps.github, workspaces: deps.workspaces, log, redact: deps.redact },
  );
  await markProgress(deps.pool, run.id, 'pr_open');
  const published = (await getRun(deps.pool, run.id)) ?? run;
  const headSha = published.headSha ?? run.outcome.headSha;
  await openMergeGate(published, { headSha, stored: await reviewFor(published, headSha, reviewed, deps), prUrl: pr.url, from: ['reviewing'] }, deps);
  await uploadDiff(published, payload.diff, deps, log);
  const current = await getRun(deps.pool, run.id);
  if (current && deps.slack) {
    await refreshThread(current, deps.slack).catch((error: unknown) => log.warn({ err: error }, 'PR open, but the thread status could not be updated'));
  }
  await markPublished(run.id, headSha, deps);
  log.info({ pr: pr.url, headSha }, 'run published; waiting for an approval');
}

/**
 * The review that applies to the pushed head. publishRun rebases onto a base that moved since the
 * proof, which gives the same change a new SHA: its review is carried over to it, and the audit log
 * says so, since an approval is always tied to the SHA that is on GitHub.
 */
async function reviewFor(run: Run, headSha: string, reviewed: StoredConsensus, deps: RunPublishDeps): Promise<StoredConsensus> {
  if (reviewed.consensus.headSha === headSha) return reviewed;
  const existing = await consensusFor(deps.pool, run.id, headSha);
  if (existing) return existing;
  const carried = { ...reviewed, consensus: { ...reviewed.consensus, headSha } };
  const { stored } = await storeConsensus(deps.pool, run.id, carried);
  await appendAudit(deps.pool, {
    runId: run.id, actor: 'baton', action: 'review.carried_over', gate: 'merge', headSha, score: reviewed.consensus.score,
    detail: { reviewedSha: reviewed.consensus.headSha, why: 'rebased onto the moved base before the push' },
  });
  return stored;
}

/** The last step of a publish, recorded once: everything it owed the thread was posted. */
async function markPublished(runId: string, headSha: string, deps: RunPublishDeps): Promise<void> {
  const done = (await auditForRun(deps.pool, runId)).some((entry) => entry.action === RUN_PUBLISHED && entry.headSha === headSha);
  if (!done) await appendAudit(deps.pool, { runId, actor: 'baton', action: RUN_PUBLISHED, gate: 'merge', headSha });
}

/** The full diff as a file in the thread, once per run (the audit log remembers). */
async function uploadDiff(run: Run, diff: string, deps: RunPublishDeps, log: Logger): Promise<void> {
  if (!deps.uploadFile || !run.channelId || !run.threadTs) {
    if (!run.threadTs) log.warn('no thread to tell about the PR; it is linked on the ticket');
    return;
  }
  const done = new Set((await auditForRun(deps.pool, run.id)).map((entry) => entry.action));
  if (done.has(DIFF_UPLOADED)) return;
  const { fileId } = await deps.uploadFile(run.channelId, run.threadTs, {
    filename: diffFileName(run),
    title: `${run.ticketKey}: the full diff`,
    content: deps.redact(diff),
    snippetType: 'diff',
  });
  await appendAudit(deps.pool, { runId: run.id, actor: 'baton', action: DIFF_UPLOADED, detail: { fileId } });
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}
