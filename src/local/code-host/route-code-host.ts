import type { RepoRef } from '../../domain/pull-request.ts';
import type { GitHubClient } from '../../integrations/github/create-github-client.ts';
import { GitHubError } from '../../integrations/github/github-error.ts';
import type { LocalCodeHost } from './create-local-code-host.ts';

const named = (repo: RepoRef): string => `${repo.owner}/${repo.name}`;

/**
 * One GitHubClient for the jobs over both hosts: calls about a repository with `path:` go to the
 * local code host, the others to GitHub. Calls that name no repository (installationToken) are
 * GitHub's. With GitHub not configured, a call for a GitHub repository fails saying so, as a
 * GitHubError the jobs treat as needing a person.
 */
export function routeCodeHost(github: GitHubClient | undefined, local: LocalCodeHost, isLocal: (repo: RepoRef) => boolean): GitHubClient {
  const remote = (what: string): GitHubClient => {
    if (github) return github;
    throw new GitHubError('auth', `GitHub is not configured (GITHUB_TOKEN or a GitHub App), so Baton cannot ${what}; give the repository a path: in baton.yml to use it from disk`);
  };
  const noDeploys = (repo: RepoRef): never => {
    throw new GitHubError('invalid', `${named(repo)} is a local repository (repos.<r>.path): deploys are not supported for local repositories, which have no GitHub Actions to run them`);
  };
  // async throughout: a refusal is a rejected promise, never a throw at the call.
  return {
    installationToken: async () => remote('get a token to push').installationToken(),
    findOpenPullRequest: async (repo, branch) =>
      isLocal(repo) ? local.findOpenPullRequest(repo, branch) : remote(`look for the pull request of ${named(repo)}`).findOpenPullRequest(repo, branch),
    openPullRequest: async (input) =>
      isLocal(input.repo) ? local.openPullRequest(input) : remote(`open a pull request on ${named(input.repo)}`).openPullRequest(input),
    getPullRequest: async (repo, number) =>
      isLocal(repo) ? local.getPullRequest(repo, number) : remote(`read pull request #${number} of ${named(repo)}`).getPullRequest(repo, number),
    mergeApproved: async (input) =>
      isLocal(input.repo) ? local.mergeApproved(input) : remote(`merge pull request #${input.number} of ${named(input.repo)}`).mergeApproved(input),
    dispatchWorkflow: async (input) => (isLocal(input.repo) ? noDeploys(input.repo) : remote(`deploy ${named(input.repo)}`).dispatchWorkflow(input)),
    followWorkflowRun: async (repo, runId, follow) =>
      isLocal(repo) ? noDeploys(repo) : remote(`follow the deploy of ${named(repo)}`).followWorkflowRun(repo, runId, follow),
    closePullRequest: async (repo, number) =>
      isLocal(repo) ? local.closePullRequest(repo, number) : remote(`close pull request #${number} of ${named(repo)}`).closePullRequest(repo, number),
    commentOnPullRequest: async (repo, number, markdown) =>
      isLocal(repo)
        ? local.commentOnPullRequest(repo, number, markdown)
        : remote(`comment on pull request #${number} of ${named(repo)}`).commentOnPullRequest(repo, number, markdown),
  };
}
