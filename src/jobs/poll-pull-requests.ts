import type { Pool } from '../db/pool.ts';
import { listRunsWithOpenPullRequests } from '../db/runs.ts';
import type { GitHubClient } from '../integrations/github/create-github-client.ts';
import type { Logger } from '../logger.ts';
import { describeError } from './errors.ts';
import { handleGitHubEvent, type GitHubEventDeps } from './handle-github-event.ts';

export interface PollPullRequestsDeps extends GitHubEventDeps {
  pool: Pool;
  github: Pick<GitHubClient, 'getPullRequest'>;
  log: Logger;
}

/**
 * GitHub never redelivers a webhook on its own, so a merge or close that Baton missed (it was
 * down, or has no public URL) is found here: each active run with a PR asks GitHub for its state,
 * and a closed one goes through the same handling as the webhook would have.
 */
export async function pollPullRequests(deps: PollPullRequestsDeps): Promise<string[]> {
  const problems: string[] = [];
  for (const run of await listRunsWithOpenPullRequests(deps.pool)) {
    const [owner, name] = run.repo!.split('/') as [string, string];
    try {
      const pr = await deps.github.getPullRequest({ owner, name }, run.prNumber!);
      if (pr.state === 'open') continue;
      await handleGitHubEvent(
        {
          kind: 'pull_request_closed',
          repo: run.repo!,
          number: pr.number,
          url: pr.url,
          branch: pr.headRef,
          headSha: pr.headSha,
          merged: pr.state === 'merged',
          // GitHub's PR answer names who merged it, but not who closed an unmerged one.
          actor: pr.mergedBy ?? '',
          title: pr.title,
        },
        deps,
      );
    } catch (error) {
      problems.push(`${run.ticketKey} PR #${run.prNumber}: ${describeError(error)}`);
      deps.log.warn({ err: error, runId: run.id }, 'could not read the PR state; the next tick tries again');
    }
  }
  return problems;
}
