import type { Octokit } from '@octokit/rest';
import type { RepoRef, WorkflowRunResult } from '../../domain/pull-request.ts';
import { GitHubError } from './github-error.ts';
import { workflowRunFromApi } from './workflow-run-from-api.ts';

export interface DispatchWorkflowInput {
  repo: RepoRef;
  /** The workflow file name (deploy.yml) or its numeric id. */
  workflow: string | number;
  /** Branch or tag the workflow runs on; it must declare `on: workflow_dispatch` there. */
  ref: string;
  inputs?: Record<string, string | number | boolean>;
}

export interface DispatchDeps {
  /** Runs already handed out by this client, so two dispatches close together get one run each. */
  claimed: Set<number>;
  poll: { attempts: number; intervalMs: number };
  sleep: (ms: number) => Promise<void>;
}

/**
 * Starts the workflow and returns the run it created. GitHub.com names the run when asked
 * (`return_run_details`, since February 2026); a server that answers 204 instead gets the old
 * method: list this workflow's dispatch runs on `ref` created since the call, oldest unclaimed first.
 */
export async function dispatchWorkflow(octokit: Octokit, input: DispatchWorkflowInput, deps: DispatchDeps): Promise<WorkflowRunResult> {
  const { repo, workflow, ref } = input;
  const request = { owner: repo.owner, repo: repo.name, workflow_id: workflow, ref, inputs: input.inputs ?? {} };
  const sentAt = Date.now();
  let response;
  try {
    response = await octokit.actions.createWorkflowDispatch({ ...request, return_run_details: true });
  } catch (error) {
    // An older GitHub Enterprise Server rejects the unknown parameter; no run was created, so ask again.
    if (!(error instanceof GitHubError && error.code === 'invalid' && /return_run_details/.test(error.githubMessage ?? ''))) throw error;
    response = await octokit.actions.createWorkflowDispatch(request);
  }
  // Octokit 22's types still say 204 for this route whatever the parameters.
  const details = (response as { status: number; data: unknown }).data as { workflow_run_id?: number; html_url?: string } | undefined;
  if (details?.workflow_run_id) {
    deps.claimed.add(details.workflow_run_id);
    return { id: details.workflow_run_id, url: details.html_url ?? '', status: 'queued', conclusion: null };
  }
  return findDispatchedRun(octokit, input, createdSince(response.headers.date, Date.now() - sentAt), deps);
}

/**
 * The earliest second the run can carry as `created_at`, on GitHub's clock (its Date header,
 * less the round trip), so a skewed local clock cannot hide the run or admit an older one.
 */
function createdSince(dateHeader: string | undefined, roundTripMs: number): number {
  const serverNow = dateHeader ? Date.parse(dateHeader) : NaN;
  const base = Number.isNaN(serverNow) ? Date.now() : serverNow;
  return Math.floor((base - roundTripMs) / 1000) * 1000;
}

async function findDispatchedRun(octokit: Octokit, input: DispatchWorkflowInput, since: number, deps: DispatchDeps): Promise<WorkflowRunResult> {
  const { repo, workflow, ref } = input;
  const branch = ref.replace(/^refs\/(heads|tags)\//, '');
  for (let attempt = 1; attempt <= deps.poll.attempts; attempt++) {
    // The run appears a moment after the 204.
    const { data } = await octokit.actions.listWorkflowRuns({
      owner: repo.owner, repo: repo.name, workflow_id: workflow, event: 'workflow_dispatch', branch,
      created: `>=${new Date(since).toISOString().replace(/\.\d{3}Z$/, 'Z')}`, per_page: 50,
    });
    const ours = data.workflow_runs
      .filter((run) => !deps.claimed.has(run.id) && Date.parse(run.created_at) >= since)
      .sort((a, b) => a.id - b.id)[0];
    if (ours) {
      deps.claimed.add(ours.id);
      return workflowRunFromApi(ours);
    }
    if (attempt < deps.poll.attempts) await deps.sleep(deps.poll.intervalMs);
  }
  const waited = Math.round(((deps.poll.attempts - 1) * deps.poll.intervalMs) / 1000);
  throw new GitHubError(
    'not_found',
    `GitHub accepted the dispatch of ${workflow} on ${ref} in ${repo.owner}/${repo.name}, but no run appeared within ${waited} s; check that the workflow has a workflow_dispatch trigger on ${ref}`,
  );
}
