import type { Octokit } from '@octokit/rest';
import type { PullRequest, RepoRef } from '../../domain/pull-request.ts';
import { findOpenPull, type ListedPull } from './find-open-pull-request.ts';
import { GitHubError } from './github-error.ts';
import { pullRequestFromApi } from './pull-request-from-api.ts';

export interface OpenPullRequestInput {
  repo: RepoRef;
  /** A branch of `repo` itself (Baton pushes baton/* branches there, never to forks). */
  head: string;
  base: string;
  title: string;
  body: string;
  draft: boolean;
  labels: string[];
}

/**
 * Idempotent: a publish job that runs twice (redelivery, expiry, a racing worker) leaves one PR.
 * An existing PR from the branch gets the new title and body; labels are added, never removed.
 */
export async function openPullRequest(octokit: Octokit, input: OpenPullRequestInput): Promise<{ pr: PullRequest; created: boolean }> {
  const { repo } = input;
  const existing = await findOpenPull(octokit, repo, input.head);
  if (existing) return { pr: await bringUpToDate(octokit, existing, input), created: false };
  let created;
  try {
    ({ data: created } = await octokit.pulls.create({
      owner: repo.owner, repo: repo.name, head: input.head, base: input.base,
      title: input.title, body: input.body, draft: input.draft,
    }));
  } catch (error) {
    // Another worker opened it between our look and our create; GitHub answers 422.
    const raced = isAlreadyOpen(error) ? await findOpenPull(octokit, repo, input.head) : undefined;
    if (!raced) throw error;
    return { pr: await bringUpToDate(octokit, raced, input), created: false };
  }
  await addLabels(octokit, repo, created.number, input.labels);
  return { pr: pullRequestFromApi(created), created: true };
}

function isAlreadyOpen(error: unknown): boolean {
  return error instanceof GitHubError && error.status === 422 && /already exists/i.test(error.githubMessage ?? '');
}

async function bringUpToDate(octokit: Octokit, pull: ListedPull, input: OpenPullRequestInput): Promise<PullRequest> {
  const have = new Set(pull.labels.map((l) => l.name));
  await addLabels(octokit, input.repo, pull.number, input.labels.filter((l) => !have.has(l)));
  if (pull.title === input.title && (pull.body ?? '') === input.body) return pullRequestFromApi(pull);
  const { data } = await octokit.pulls.update({
    owner: input.repo.owner, repo: input.repo.name, pull_number: pull.number, title: input.title, body: input.body,
  });
  return pullRequestFromApi(data);
}

async function addLabels(octokit: Octokit, repo: RepoRef, number: number, labels: string[]): Promise<void> {
  if (labels.length === 0) return; // an empty list would be a no-op call
  await octokit.issues.addLabels({ owner: repo.owner, repo: repo.name, issue_number: number, labels });
}
