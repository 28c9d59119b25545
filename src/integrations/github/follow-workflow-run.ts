import type { Octokit } from '@octokit/rest';
import type { RepoRef, WorkflowRunResult } from '../../domain/pull-request.ts';
import { workflowRunFromApi } from './workflow-run-from-api.ts';

export interface FollowOptions {
  intervalMs: number;
  timeoutMs: number;
  /** Called with the first state seen and on every change of status or conclusion (to edit the Slack message). */
  onUpdate?: (run: WorkflowRunResult) => void | Promise<void>;
}

/**
 * Polls the run until it completes. When `timeoutMs` runs out first it resolves with the last
 * state seen (status not `completed`), so the caller can say "still running" and link the run.
 */
export async function followWorkflowRun(
  octokit: Octokit, repo: RepoRef, runId: number, options: FollowOptions, sleep: (ms: number) => Promise<void>,
): Promise<WorkflowRunResult> {
  const deadline = Date.now() + options.timeoutMs;
  let last: WorkflowRunResult | undefined;
  for (;;) {
    const { data } = await octokit.actions.getWorkflowRun({ owner: repo.owner, repo: repo.name, run_id: runId });
    const run = workflowRunFromApi(data);
    if (!last || last.status !== run.status || last.conclusion !== run.conclusion) await options.onUpdate?.(run);
    last = run;
    if (run.status === 'completed' || Date.now() + options.intervalMs > deadline) return run;
    await sleep(options.intervalMs);
  }
}
