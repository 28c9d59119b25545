import type { WorkflowRunResult, WorkflowRunStatus } from '../../domain/pull-request.ts';

export interface ApiWorkflowRun {
  id: number;
  html_url: string;
  status: string | null;
  conclusion: string | null;
}

/**
 * GitHub also reports requested, waiting (an environment's reviewers), pending: all "not started"
 * for Baton, which only distinguishes waiting, running and done.
 */
export function workflowRunFromApi(run: ApiWorkflowRun): WorkflowRunResult {
  const status: WorkflowRunStatus = run.status === 'completed' || run.status === 'in_progress' ? run.status : 'queued';
  return { id: run.id, url: run.html_url, status, conclusion: status === 'completed' ? run.conclusion : null };
}
