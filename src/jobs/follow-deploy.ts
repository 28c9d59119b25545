import { appendAudit } from '../db/audit-log.ts';
import type { Pool } from '../db/pool.ts';
import type { WorkflowRunResult } from '../domain/pull-request.ts';
import type { Run } from '../domain/run.ts';
import type { GitHubClient } from '../integrations/github/create-github-client.ts';
import type { Logger } from '../logger.ts';
import type { Policy } from '../policy.ts';
import { deployFinishedMessage, deployStartedMessage } from '../bot/views/deploy-messages.ts';
import { PermanentError } from './errors.ts';
import { failRun, type FailRunDeps } from './fail-run.ts';
import { oncePerRun, recordedStep } from './once-per-run.ts';
import { requireRunRepo } from './run-repo.ts';
import { tellThreadOnce, tellTicketOnce, type TellDeps } from './tell-run.ts';

export type DeployEnv = 'staging' | 'production';

export interface FollowDeployDeps extends TellDeps {
  github: GitHubClient | undefined;
  policy: Pick<Policy, 'repos'>;
}

export const DEPLOY_STARTED = 'deploy.started';
export const DEPLOY_FINISHED = 'deploy.finished';

const short = (sha: string): string => sha.slice(0, 7);
const stepKey = (env: DeployEnv, sha: string): string => `${env}:${sha}`;

interface StartedDetail { workflowRunId: number; url: string }

/**
 * Deploys `sha` to `env` through the repository's workflow and follows it to its end (or to
 * repos.<r>.deploy.timeout_minutes, counted from the dispatch). The dispatched run's id is recorded
 * in the audit log before anything else, so a redelivered job follows that run instead of deploying
 * twice; only a crash between GitHub's answer and that record dispatches again. The thread hears the
 * start (edited as the run moves) and the end, once each.
 */
export async function followDeploy(run: Run, env: DeployEnv, sha: string, deps: FollowDeployDeps): Promise<WorkflowRunResult> {
  const log = deps.log.child({ runId: run.id, ticket: run.ticketKey, job: `deploy.${env}`, sha });
  if (!deps.github) throw new PermanentError('github_not_configured', 'GitHub is not configured (GITHUB_TOKEN or a GitHub App), so Baton cannot deploy');
  const github = deps.github;
  const repo = requireRunRepo(run, deps.policy);
  const workflow = repo.policy.deploy[env];
  if (!workflow) throw new PermanentError('deploy_not_configured', `${repo.key} has no ${env} deploy workflow in baton.yml (repos.${repo.key}.deploy.${env})`);
  const key = stepKey(env, sha);

  let started = await recordedStep(deps.pool, run.id, { action: DEPLOY_STARTED, key });
  let workflowRun: WorkflowRunResult;
  if (started) {
    const detail = started.detail as StartedDetail;
    workflowRun = { id: detail.workflowRunId, url: detail.url, status: 'queued', conclusion: null };
    log.info({ workflowRunId: workflowRun.id }, 'deploy already dispatched; following it');
  } else {
    workflowRun = await github.dispatchWorkflow({ repo: repo.ref, workflow, ref: repo.policy.base, inputs: { ref: sha, environment: env } });
    await appendAudit(deps.pool, {
      runId: run.id, actor: 'baton', action: DEPLOY_STARTED,
      detail: { key, env, sha, workflow, workflowRunId: workflowRun.id, url: workflowRun.url },
    });
    started = await recordedStep(deps.pool, run.id, { action: DEPLOY_STARTED, key });
    log.info({ workflowRunId: workflowRun.id, url: workflowRun.url }, 'deploy dispatched');
  }
  await tellThreadOnce(run, { action: 'deploy.started_told', key }, () => deployStartedMessage(run, env, workflowRun), deps);

  const timeoutMs = repo.policy.deploy.timeout_minutes * 60_000;
  const elapsed = started ? Date.now() - started.at.getTime() : 0;
  const final = await github.followWorkflowRun(repo.ref, workflowRun.id, {
    intervalMs: repo.policy.deploy.poll_seconds * 1000,
    timeoutMs: Math.max(0, timeoutMs - elapsed),
    onUpdate: (update) => updateStarted(run, env, key, update, deps, log),
  });

  await oncePerRun(deps.pool, run.id, { action: DEPLOY_FINISHED, key }, async () => ({
    env, sha, workflowRunId: final.id, url: final.url, status: final.status, conclusion: final.conclusion,
  }));
  await tellThreadOnce(run, { action: 'deploy.finished_told', key }, () => deployFinishedMessage(run, env, final), deps);
  log[final.conclusion === 'success' ? 'info' : 'warn']({ status: final.status, conclusion: final.conclusion, url: final.url }, `${env} deploy ended`);
  return final;
}

/** The last recorded end of a deploy, as the workflow run it was: what a resumed job passes on. */
export async function finishedDeploy(pool: Pool, runId: string, env: DeployEnv, sha: string): Promise<WorkflowRunResult | undefined> {
  const entry = await recordedStep(pool, runId, { action: DEPLOY_FINISHED, key: stepKey(env, sha) });
  if (!entry) return undefined;
  const d = entry.detail as { workflowRunId: number; url: string; status: WorkflowRunResult['status']; conclusion: string | null };
  return { id: d.workflowRunId, url: d.url, status: d.status, conclusion: d.conclusion };
}

// The started message shows the run's progress; an edit that fails leaves it stale, which the end message corrects.
async function updateStarted(run: Run, env: DeployEnv, key: string, update: WorkflowRunResult, deps: FollowDeployDeps, log: Logger): Promise<void> {
  if (!deps.slack || !run.channelId || update.status === 'queued') return;
  const told = await recordedStep(deps.pool, run.id, { action: 'deploy.started_told', key });
  const ts = (told?.detail as { ts?: unknown } | undefined)?.ts;
  if (typeof ts !== 'string') return;
  await deps.slack.updateMessage(run.channelId, ts, deployStartedMessage(run, env, update))
    .catch((error: unknown) => log.warn({ err: error }, 'could not update the deploy message'));
}

export interface DeployFailedDeps extends FailRunDeps, TellDeps {}

/**
 * A deploy that failed or did not finish in time ends the run as failed. The change is merged
 * either way, so the reason says so, links the workflow run, and says what people can do.
 */
export async function failDeploy(run: Run, env: DeployEnv, sha: string, result: WorkflowRunResult, timeoutMinutes: number, deps: DeployFailedDeps): Promise<void> {
  const ended = result.status === 'completed'
    ? `ended with “${result.conclusion ?? 'no conclusion'}”`
    : `did not finish within ${timeoutMinutes} min (GitHub still says ${result.status.replace('_', ' ')})`;
  const next = env === 'staging'
    ? 'Production was not deployed. Fix the deploy and re-run the workflow on GitHub, or revert the merge.'
    : 'Check production now; re-run the workflow on GitHub once it is fixed, or revert the merge and deploy again.';
  const reason = `The change is merged (${short(sha)}), but the ${env} deploy ${ended}: ${result.url}. ${next}`;
  await tellTicketOnce(run, { action: 'ticket.deploy_failed_commented', key: stepKey(env, sha) },
    `The change is merged (\`${short(sha)}\`), but the ${env} deploy ${ended}: [deploy run](${result.url}). ${next}`, deps);
  await failRun(run.id, new PermanentError(`${env}_deploy_failed`, reason), deps);
}
