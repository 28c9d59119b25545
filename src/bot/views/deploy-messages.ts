import type { SlackMessage } from '../../integrations/slack.ts';
import type { WorkflowRunResult } from '../../domain/pull-request.ts';
import type { Run } from '../../domain/run.ts';
import { context, escapeMrkdwn, message, section } from './blocks.ts';
import { conclusionText, workflowRunLink } from './workflow-run-link.ts';

export type DeployEnv = 'staging' | 'production';

const STARTED_STATE: Record<WorkflowRunResult['status'], string> = {
  queued: 'queued on GitHub',
  in_progress: 'running',
  completed: 'finished',
};

const NEXT_STEP: Record<DeployEnv, string> = {
  staging: 'The change is merged but production was not offered. Read the workflow run’s log; re-run it on GitHub once the deploy is fixed, or revert the merge.',
  production: 'The change is merged; production may be partly deployed. Check production now, then re-run the workflow on GitHub once it is fixed, or follow the review card’s rollback (revert the merge and deploy again).',
};

/** Posted when Baton dispatches a deploy workflow, and edited as GitHub reports the run's progress. */
export function deployStartedMessage(run: Run, env: DeployEnv, workflowRun: WorkflowRunResult): SlackMessage {
  const state = STARTED_STATE[workflowRun.status];
  const key = escapeMrkdwn(run.ticketKey);
  return message(
    `${key}: ${env} deploy ${state}`,
    section(`:rocket: *Deploying to ${env}* · ${workflowRunLink(workflowRun)} ${state}`),
  );
}

/**
 * Posted once the deploy workflow ends: success with its link, or what went wrong (GitHub's
 * conclusion, or that it did not finish in time) and what people can do about it.
 */
export function deployFinishedMessage(run: Run, env: DeployEnv, workflowRun: WorkflowRunResult): SlackMessage {
  const key = escapeMrkdwn(run.ticketKey);
  const where = workflowRunLink(workflowRun);
  const Env = env === 'staging' ? 'Staging' : 'Production';
  if (workflowRun.status === 'completed' && workflowRun.conclusion === 'success') {
    return message(`${key}: ${env} deploy succeeded`, section(`:white_check_mark: *${Env} deploy succeeded* · ${where}`));
  }
  const how = workflowRun.status === 'completed'
    ? `failed (conclusion: ${conclusionText(workflowRun)})`
    : `did not finish in time (GitHub says it is ${conclusionText(workflowRun)})`;
  return message(
    `${key}: ${env} deploy ${how}`,
    section(`:x: *${Env} deploy ${how}* · ${where}`),
    context(NEXT_STEP[env]),
  );
}
