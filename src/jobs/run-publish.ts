import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { appendAudit, auditForRun } from '../db/audit-log.ts';
import { withTransaction, type Pool } from '../db/pool.ts';
import { markProgress } from '../db/run-agent.ts';
import { getRun, transitionRun } from '../db/runs.ts';
import type { Run } from '../domain/run.ts';
import type { GitHubClient } from '../integrations/github/create-github-client.ts';
import type { WorkspaceManager } from '../integrations/git/create-workspace-manager.ts';
import type { Workspace } from '../integrations/git/workspace.ts';
import type { SlackClient } from '../integrations/slack.ts';
import type { UploadFile } from '../integrations/slack-upload.ts';
import type { Logger } from '../logger.ts';
import type { Policy } from '../policy.ts';
import { diffFileName, pullRequestMessage } from '../bot/views/pull-request-message.ts';
import { PermanentError, RetryableError } from './errors.ts';
import { publishRun } from './publish-run.ts';
import type { Payload } from './queues.ts';
import { refreshThread } from './refresh-thread.ts';
import { testEvidenceText } from './test-evidence-text.ts';
import type { TrackerRoutes } from './tracker-routes.ts';

export interface RunPublishDeps {
  pool: Pool;
  slack: SlackClient | undefined;
  uploadFile: UploadFile | undefined;
  github: GitHubClient | undefined;
  workspaces: WorkspaceManager;
  routes: TrackerRoutes;
  policy: Pick<Policy, 'repos'>;
  log: Logger;
  redact: (text: string) => string;
}

// Where the run waits once its PR is open. The approval buttons come with the next issue.
export const WAITING_FOR_PEOPLE = 'Pull request open; waiting for people to review and merge it.';

const CARD_POSTED = 'pr.card_posted';
const DIFF_UPLOADED = 'pr.diff_uploaded';

/**
 * `run.publish`: push the proven branch and open the PR (publishRun: one PR, the ticket linked and
 * moved once), then tell the thread once: the card (PR link, summary, diff preview) and the full
 * diff as a file. Each Slack post is remembered in the audit log, so a redelivered job that finds
 * them done posts nothing again. The run then waits for people (`awaiting_approval`), holding nothing.
 */
export async function runPublish(payload: Payload<'run.publish'>, deps: RunPublishDeps): Promise<void> {
  const run = await getRun(deps.pool, payload.runId);
  if (!run) throw new PermanentError('run_not_found', `run ${payload.runId} does not exist`);
  const log = deps.log.child({ runId: run.id, ticket: run.ticketKey, job: 'run.publish' });
  // `reviewing` is where a proven run waits for this job; `awaiting_approval` is a redelivery after
  // the move, which may still owe the thread its card or file.
  if (run.status !== 'reviewing' && run.status !== 'awaiting_approval') {
    log.info({ status: run.status }, 'run is not waiting to be published; nothing to do');
    return;
  }
  if (!run.outcome) throw new PermanentError('no_outcome', `run ${run.id} has no proven change to publish`);
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
    },
    { pool: deps.pool, github: deps.github, workspaces: deps.workspaces, log, redact: deps.redact },
  );
  await markProgress(deps.pool, run.id, 'pr_open');
  const published = (await getRun(deps.pool, run.id)) ?? run;
  await tellThread(published, payload.diff, pr.url, deps, log);

  const waiting = await withTransaction(deps.pool, async (tx) => {
    const moved = await transitionRun(tx, run.id, ['reviewing'], 'awaiting_approval', WAITING_FOR_PEOPLE);
    if (moved) await appendAudit(tx, { runId: run.id, actor: 'baton', action: 'run.awaiting_approval', detail: { pr: pr.url } });
    return moved;
  });
  if (waiting && deps.slack) {
    await refreshThread(waiting, deps.slack).catch((error: unknown) => log.warn({ err: error }, 'PR open, but the thread status could not be updated'));
  }
  log.info({ pr: pr.url }, 'run published; waiting for people');
}

/** The card and the file, each once per run (the audit log remembers which were posted). */
async function tellThread(run: Run, diff: string, prUrl: string, deps: RunPublishDeps, log: Logger): Promise<void> {
  if (!deps.slack || !run.channelId || !run.threadTs) {
    log.warn('no thread to tell about the PR; it is linked on the ticket');
    return;
  }
  const done = new Set((await auditForRun(deps.pool, run.id)).map((entry) => entry.action));
  if (!done.has(CARD_POSTED)) {
    const card = await deps.slack.postMessage(run.channelId, pullRequestMessage({ run, prUrl, diff }), run.threadTs);
    await appendAudit(deps.pool, { runId: run.id, actor: 'baton', action: CARD_POSTED, detail: { ts: card.ts, pr: prUrl } });
  }
  if (!done.has(DIFF_UPLOADED) && deps.uploadFile) {
    const { fileId } = await deps.uploadFile(run.channelId, run.threadTs, {
      filename: diffFileName(run),
      title: `${run.ticketKey}: the full diff`,
      content: deps.redact(diff),
      snippetType: 'diff',
    });
    await appendAudit(deps.pool, { runId: run.id, actor: 'baton', action: DIFF_UPLOADED, detail: { fileId } });
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}
