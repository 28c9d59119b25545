import { appendAudit } from '../db/audit-log.ts';
import type { Pool } from '../db/pool.ts';
import type { Gate } from '../domain/gate.ts';
import type { Run } from '../domain/run.ts';
import type { GitHubClient } from '../integrations/github/create-github-client.ts';
import type { SlackClient } from '../integrations/slack.ts';
import type { Logger } from '../logger.ts';
import type { Policy } from '../policy.ts';
import { runRejectedMessage } from '../bot/views/gate-step-messages.ts';
import { userMention } from '../bot/views/user-mention.ts';
import { finishRun } from './end-run.ts';
import type { RunWorkspaceDeps } from './release-run-workspace.ts';
import type { TrackerRoutes } from './tracker-routes.ts';

export interface RejectRunDeps extends RunWorkspaceDeps {
  pool: Pool;
  slack: SlackClient | undefined;
  github: GitHubClient | undefined;
  routes: TrackerRoutes;
  policy: Pick<Policy, 'repos'>;
  log: Logger;
}

/**
 * A run people rejected at a gate: the PR closed (or left open, as repos.<r>.on_reject says; a
 * production reject finds it merged already), then the run ended as `rejected` with the reason in
 * the audit log and the thread (finishRun), and on the ticket.
 */
export async function endRejectedRun(run: Run, rejection: { by: string; reason: string; gate: Gate; headSha: string }, deps: RejectRunDeps): Promise<void> {
  const log = deps.log.child({ runId: run.id, ticket: run.ticketKey, gate: rejection.gate });
  const repo = run.repo ? deps.policy.repos[run.repo] : undefined;
  let prClosed = false;
  if (rejection.gate === 'merge' && repo?.on_reject !== 'leave_open' && deps.github && run.repo && run.prNumber !== null) {
    const [owner, name] = run.repo.split('/') as [string, string];
    try {
      prClosed = (await deps.github.closePullRequest({ owner, name }, run.prNumber)).state !== 'open';
    } catch (error) {
      // The rejection stands either way; the thread says the PR is still open.
      log.error({ err: error }, 'the run was rejected, but its PR could not be closed');
    }
  }
  const reason = `Rejected by ${userMention(rejection.by)} at the ${rejection.gate} gate (${rejection.headSha.slice(0, 7)}): ${rejection.reason}`;
  await appendAudit(deps.pool, {
    runId: run.id, actor: rejection.by, action: 'approval.rejected', gate: rejection.gate, headSha: rejection.headSha,
    detail: { reason: rejection.reason, prClosed },
  });
  await finishRun(run.id, {
    from: ['awaiting_approval', 'awaiting_deploy_approval'], to: 'rejected', actor: rejection.by, action: 'run.rejected', reason,
    notice: runRejectedMessage(run, { by: rejection.by, reason: rejection.reason, prClosed }),
    detail: { gate: rejection.gate, headSha: rejection.headSha, prClosed },
  }, deps);
  const route = deps.routes.resolve(run.ticketKey);
  await route?.tracker
    .comment(run.ticketKey, `Baton's change was rejected at the ${rejection.gate} gate by a reviewer in Slack:\n\n> ${rejection.reason.replace(/\n/g, '\n> ')}\n\n${prClosed ? 'The pull request was closed.' : run.prUrl ? `The pull request stays open: ${run.prUrl}` : ''}`)
    .catch((error: unknown) => log.error({ err: error }, 'the rejection could not be written on the ticket; it is in the thread and the audit log'));
  log.info({ prClosed }, 'run rejected');
}
