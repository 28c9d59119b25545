import type { LocalPull } from '../../db/local-pull-requests.ts';
import type { PullRequest } from '../../domain/pull-request.ts';

export interface Mergeability {
  mergeable: boolean | null;
  mergeableState: string | null;
}

/** A local pull request in the shape the jobs read from GitHub. Local ones are never drafts. */
export function toPullRequest(pull: LocalPull, url: string, mergeability: Mergeability = { mergeable: null, mergeableState: null }): PullRequest {
  return {
    number: pull.number,
    url,
    title: pull.title,
    headRef: pull.headRef,
    headSha: pull.headSha,
    baseRef: pull.baseRef,
    state: pull.state,
    draft: false,
    mergeable: pull.state === 'open' ? mergeability.mergeable : null,
    mergeableState: pull.state === 'open' ? mergeability.mergeableState : null,
    body: pull.body,
    mergedBy: pull.mergedBy,
  };
}
