import { appendAudit, auditForRun } from '../db/audit-log.ts';
import type { Pool } from '../db/pool.ts';
import { lastPushedSha, setPullRequest } from '../db/runs.ts';
import { consensusMarkdown, type ConsensusReview } from '../domain/consensus-markdown.ts';
import { pullRequestBody } from '../domain/pull-request-body.ts';
import type { PullRequest } from '../domain/pull-request.ts';
import type { Run } from '../domain/run.ts';
import type { Ticket } from '../domain/ticket.ts';
import type { GitHubClient } from '../integrations/github/create-github-client.ts';
import type { WorkspaceManager } from '../integrations/git/create-workspace-manager.ts';
import type { Workspace } from '../integrations/git/workspace.ts';
import type { TicketTracker } from '../integrations/trackers/ticket-tracker.ts';
import type { Logger } from '../logger.ts';
import type { RepoPolicy } from '../policy.ts';

export interface PublishRunDeps {
  pool: Pool;
  github: GitHubClient;
  workspaces: WorkspaceManager;
  log: Logger;
  /** Removes every known secret value from text bound for GitHub (the PR body is public to the repo). */
  redact: (text: string) => string;
}

export interface PublishRunInput {
  run: Run;
  ticket: Ticket;
  tracker: TicketTracker;
  workspace: Workspace;
  repo: RepoPolicy;
  /** The team's "in review" state name (baton.yml `teams.<prefix>.states.in_review`). */
  inReviewState: string;
  /** What the agent changed and why, and the test output that proves it. */
  summary: string;
  testEvidence: string;
  /** What run.review stored for the proven head: the PR description carries all of it. */
  review: ConsensusReview;
}

const COMMENTED = 'ticket.pr_linked';
const MOVED = 'ticket.moved_to_review';

/**
 * `run.publish`'s work, safe to repeat: rebase onto a base that moved (a conflict stops here with
 * the files named), push the run's baton/* branch (the push guard refuses anything else), open the
 * PR or find the one already open, record it on the run, and once per run write the link back to
 * the ticket and move it to "in review".
 */
export async function publishRun(input: PublishRunInput, deps: PublishRunDeps): Promise<{ pr: PullRequest; created: boolean }> {
  const { run, ticket, workspace } = input;
  const log = deps.log.child({ runId: run.id, ticket: run.ticketKey, job: 'run.publish' });
  const { workspace: current, rebased } = await deps.workspaces.rebaseOnBase(workspace);
  if (rebased) log.info({ baseSha: current.baseSha }, 'the base branch moved; rebased before publishing');
  const repoRef = { owner: current.repo.owner, name: current.repo.name };
  // A revision (or a new run of the same ticket, which gets the same branch) replaces what Baton
  // pushed there last, or recreates the branch GitHub deleted after the earlier PR; if a person
  // pushed on top, the push is refused.
  const lastPushed = await lastPushedSha(deps.pool, `${repoRef.owner}/${repoRef.name}`, current.branch);
  const pushed = await deps.workspaces.push(current, lastPushed ? { lastPushed } : {});

  const { pr, created } = await deps.github.openPullRequest({
    repo: repoRef,
    head: pushed.branch,
    base: current.repo.baseBranch,
    title: deps.redact(`${ticket.key}: ${ticket.title}`),
    body: deps.redact(
      pullRequestBody({
        ticket: { key: ticket.key, url: ticket.url, title: ticket.title },
        summary: input.summary,
        testEvidence: input.testEvidence,
        runId: run.id,
        // Named against the pushed head, which a rebase onto a moved base makes differ from the reviewed one.
        consensus: consensusMarkdown(input.review, { headSha: pushed.sha }),
      }),
    ),
    draft: input.repo.draft,
    labels: input.repo.labels,
  });
  await setPullRequest(deps.pool, run.id, {
    repo: `${repoRef.owner}/${repoRef.name}`,
    branch: pushed.branch,
    number: pr.number,
    url: pr.url,
    headSha: pushed.sha,
  });
  if (created) await appendAudit(deps.pool, { runId: run.id, actor: 'baton', action: 'pr.opened', detail: { number: pr.number, url: pr.url } });
  log.info({ pr: pr.number, created, headSha: pushed.sha }, created ? 'pull request opened' : 'pull request already open; updated');

  // The audit log remembers each write-back on its own, so a repeated job (the tracker failed in
  // between) neither comments twice nor skips the move. The comment is per PR: a run whose PR was
  // closed and replaced by a new one links the new one too.
  const history = await auditForRun(deps.pool, run.id);
  const done = new Set(history.map((entry) => entry.action));
  const linked = history.some((entry) => entry.action === COMMENTED && (entry.detail as { pr?: unknown } | null)?.pr === pr.url);
  if (!linked) {
    await input.tracker.comment(ticket.key, `Baton opened a pull request for this ticket: [#${pr.number} ${ticket.title}](${pr.url})`);
    await appendAudit(deps.pool, { runId: run.id, actor: 'baton', action: COMMENTED, detail: { pr: pr.url } });
  }
  if (!done.has(MOVED)) {
    await input.tracker.moveTo(ticket.key, input.inReviewState);
    await appendAudit(deps.pool, { runId: run.id, actor: 'baton', action: MOVED, detail: { state: input.inReviewState } });
  }
  return { pr, created };
}
