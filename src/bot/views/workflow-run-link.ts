import type { WorkflowRunResult } from '../../domain/pull-request.ts';
import { escapeMrkdwn, link } from './blocks.ts';

/** "workflow run 123" linked to its page on GitHub (a URL that is not plain http(s) shows as text). */
export function workflowRunLink(run: WorkflowRunResult): string {
  return link(run.url, `workflow run ${run.id}`);
}

/** GitHub's conclusion in its own words, escaped (a conclusion added after this was written still reads). */
export function conclusionText(run: WorkflowRunResult): string {
  if (run.status !== 'completed') return `still ${run.status === 'in_progress' ? 'in progress' : 'queued'}`;
  return run.conclusion === null ? 'finished without a conclusion' : escapeMrkdwn(run.conclusion.replace(/_/g, ' '));
}
