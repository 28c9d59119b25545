import type { Octokit } from '@octokit/rest';
import type { PullRequest, RepoRef } from '../../domain/pull-request.ts';
import { pullRequestFromApi, type ApiPull } from './pull-request-from-api.ts';

export type ListedPull = ApiPull & { labels: { name?: string }[] };

/** The open PR from `branch` of the repo itself, as GitHub lists it (labels included). */
export async function findOpenPull(octokit: Octokit, repo: RepoRef, branch: string): Promise<ListedPull | undefined> {
  // `head` must be `owner:branch`: GitHub ignores a bare branch name and lists every open PR.
  const { data } = await octokit.pulls.list({
    owner: repo.owner, repo: repo.name, head: `${repo.owner}:${branch}`, state: 'open', per_page: 10,
  });
  return data.find((pull) => pull.head.ref === branch);
}

export async function findOpenPullRequest(octokit: Octokit, repo: RepoRef, branch: string): Promise<PullRequest | undefined> {
  const pull = await findOpenPull(octokit, repo, branch);
  return pull && pullRequestFromApi(pull);
}
