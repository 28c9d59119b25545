import type { PullRequest } from '../../domain/pull-request.ts';

/** The fields Baton reads. `pulls.list` items carry all of them except mergeability, which only `pulls.get` computes. */
export interface ApiPull {
  number: number;
  html_url: string;
  title: string;
  body: string | null;
  state: string;
  draft?: boolean;
  merged_at: string | null;
  mergeable?: boolean | null;
  mergeable_state?: string;
  head: { ref: string; sha: string };
  base: { ref: string };
  merged_by?: { login: string } | null;
}

export function pullRequestFromApi(pull: ApiPull): PullRequest {
  return {
    number: pull.number,
    url: pull.html_url,
    title: pull.title,
    headRef: pull.head.ref,
    headSha: pull.head.sha,
    baseRef: pull.base.ref,
    // `merged` is missing from list items; `merged_at` is on both.
    state: pull.merged_at ? 'merged' : pull.state === 'closed' ? 'closed' : 'open',
    draft: pull.draft ?? false,
    mergeable: pull.mergeable ?? null,
    mergeableState: pull.mergeable_state ?? null,
    body: pull.body ?? '',
    mergedBy: pull.merged_by?.login ?? null,
  };
}
