import { appendAudit } from '../db/audit-log.ts';
import type { RunWorkspaceDeps } from './release-run-workspace.ts';
import { finishRun } from './end-run.ts';
import type { Pool } from '../db/pool.ts';
import { findRunByBranch, findRunByPullRequest } from '../db/runs.ts';
import type { GitHubEvent, PullRequestClosedEvent } from '../domain/github-event.ts';
import { ACTIVE_STATUSES, isActive, type Run, type RunStatus } from '../domain/run.ts';
import type { SlackClient, SlackMessage } from '../integrations/slack.ts';
import type { Logger } from '../logger.ts';
import { type MergeGateDeps } from './open-merge-gate.ts';
import { voidApprovalOnPush } from './void-approval-on-push.ts';
import {
  checksCompletedMessage, commentRelayMessage, pullRequestClosedMessage, reviewRelayMessage,
} from '../bot/views/github-event-messages.ts';

export interface GitHubEventDeps extends RunWorkspaceDeps, MergeGateDeps {
  pool: Pool;
  slack: SlackClient | undefined;
  log: Logger;
}

// While Baton merges or deploys, its own jobs own the run; a "merged" event is their doing.
const BATON_OWNED: readonly RunStatus[] = ['merging', 'deploying', 'awaiting_deploy_approval'];
const CLOSABLE = ACTIVE_STATUSES.filter((s) => !BATON_OWNED.includes(s));

async function runFor(event: GitHubEvent, pool: Pool): Promise<Run | undefined> {
  switch (event.kind) {
    case 'pull_request_closed':
    case 'pull_request_pushed':
      return (await findRunByPullRequest(pool, event.repo, event.number)) ?? findRunByBranch(pool, event.repo, event.branch);
    case 'checks_completed':
      for (const number of event.pullNumbers) {
        const run = await findRunByPullRequest(pool, event.repo, number);
        if (run) return run;
      }
      return event.headBranch ? findRunByBranch(pool, event.repo, event.headBranch) : undefined;
    case 'review':
    case 'comment':
      return findRunByPullRequest(pool, event.repo, event.number);
  }
}

async function tellThread(run: Run, notice: SlackMessage, deps: GitHubEventDeps, log: Logger): Promise<void> {
  if (!deps.slack || !run.channelId || !run.threadTs) return;
  try {
    await deps.slack.postMessage(run.channelId, notice, run.threadTs);
  } catch (error) {
    log.error({ err: error }, 'GitHub event recorded, but the thread could not be told');
  }
}

/** A PR closed or merged by someone on GitHub ends the run: done if merged, cancelled if not. */
async function pullRequestClosed(run: Run, event: PullRequestClosedEvent, deps: GitHubEventDeps, log: Logger): Promise<void> {
  const by = event.actor ? ` by @${event.actor}` : '';
  const reason = `PR #${event.number} was ${event.merged ? 'merged' : 'closed without merging'} on GitHub${by}`;
  const { ended } = await finishRun(run.id, {
    from: CLOSABLE,
    to: event.merged ? 'succeeded' : 'cancelled',
    actor: event.actor ? `github:${event.actor}` : 'github',
    action: event.merged ? 'pr.merged_outside' : 'pr.closed_outside',
    reason,
    notice: pullRequestClosedMessage(event, run.ticketKey),
    detail: { number: event.number },
  }, deps);
  if (!ended) log.info({ status: run.status }, 'PR closed event needs nothing: the run already ended or Baton is merging it');
}

/**
 * `intake.event` for GitHub: PRs closed outside Baton end their run; a new push to a run's branch
 * voids its approval request (void-approval-on-push.ts); CI results, reviews and
 * comments on a Baton PR reach its thread. Events for PRs that are not Baton's are ignored, and
 * Baton's own (bot) comments are not echoed back.
 */
export async function handleGitHubEvent(event: GitHubEvent, deps: GitHubEventDeps): Promise<'applied' | 'ignored'> {
  const run = await runFor(event, deps.pool);
  const log = deps.log.child({ job: 'intake.event', source: 'github', kind: event.kind, runId: run?.id, ticket: run?.ticketKey });
  if (!run || !isActive(run.status)) {
    log.debug('GitHub event is not about an active Baton run');
    return 'ignored';
  }
  switch (event.kind) {
    case 'pull_request_closed':
      await pullRequestClosed(run, event, deps, log);
      return 'applied';
    case 'pull_request_pushed':
      return voidApprovalOnPush(run, event, deps).then((done) => (done === 'voided' ? 'applied' : 'ignored'));
    case 'checks_completed':
      // One message per suite, and only for the commit the run published: older pushes are history.
      if (event.scope !== 'suite' || (run.headSha && run.headSha !== event.headSha)) return 'ignored';
      await appendAudit(deps.pool, { runId: run.id, actor: 'github', action: 'ci.completed', detail: { name: event.name, conclusion: event.conclusion, sha: event.headSha } });
      await tellThread(run, checksCompletedMessage(event), deps, log);
      return 'applied';
    case 'review':
    case 'comment':
      if (event.authorIsBot) return 'ignored';
      await tellThread(run, event.kind === 'review' ? reviewRelayMessage(event) : commentRelayMessage(event), deps, log);
      return 'applied';
  }
}
