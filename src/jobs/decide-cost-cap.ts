import { appendAudit } from '../db/audit-log.ts';
import { withTransaction, type Pool } from '../db/pool.ts';
import { continueAfterBudget } from '../db/run-agent.ts';
import { getRun } from '../db/runs.ts';
import type { Run } from '../domain/run.ts';
import type { SlackClient, SlackMessage } from '../integrations/slack.ts';
import type { Logger } from '../logger.ts';
import type { AgentPolicy, GatesPolicy, RepoPolicy } from '../policy.ts';
import { gatesForRepo } from '../domain/approval-policy.ts';
import { message, section } from '../bot/views/blocks.ts';
import { costCapAlreadyDecidedReply, costCapNotAllowedReply, costCapResolvedMessage } from '../bot/views/cost-cap-message.ts';
import { userMention } from '../bot/views/user-mention.ts';
import { usd } from '../bot/views/usd.ts';
import { raisedCap } from './apply-agent-outcome.ts';
import { approverGroupsOf } from './approver-groups-of.ts';
import { cancelRun } from './cancel-run.ts';
import type { Queue } from './queue.ts';
import type { RunWorkspaceDeps } from './release-run-workspace.ts';

export interface CostCapDecisionDeps extends RunWorkspaceDeps {
  pool: Pool;
  queue: Queue;
  slack: SlackClient | undefined;
  log: Logger;
  policy: { agent: Pick<AgentPolicy, 'limits'>; gates: GatesPolicy; repos: Record<string, RepoPolicy> };
}

export interface CostCapClick {
  runId: string;
  userId: string;
  decision: 'continue' | 'stop';
}

/** What the listener shows: the prompt replaced (decided), or an ephemeral reply to the clicker alone. */
export type CostCapAnswer = { kind: 'decided'; message: SlackMessage } | { kind: 'refused'; reply: SlackMessage };

/**
 * Who may answer a budget prompt: the person who asked for the run, or an approver of either gate
 * for the run's repository, directly or through a user group (read from Slack, as at the gates).
 */
async function mayDecide(run: Run, userId: string, deps: CostCapDecisionDeps, log: Logger): Promise<boolean> {
  if (run.source === 'slack' && run.requestedBy === userId) return true;
  const gates = gatesForRepo(deps.policy.gates, run.repo ? deps.policy.repos[run.repo] : undefined);
  const approvers = [...gates.merge.approvers, ...gates.production.approvers];
  if (approvers.includes(userId)) return true;
  return (await approverGroupsOf(userId, [...new Set(approvers)], deps.slack, log)).length > 0;
}

/**
 * A click on Continue or Stop, checked on the server (the clicker, the run still paused for its
 * budget) and applied with a conditional update, so a double click or a race of two people does it once.
 */
export async function decideCostCap(click: CostCapClick, deps: CostCapDecisionDeps): Promise<CostCapAnswer> {
  const run = await getRun(deps.pool, click.runId);
  const log = deps.log.child({ runId: click.runId, user: click.userId, decision: click.decision });
  if (!run) return { kind: 'refused', reply: message('That run no longer exists; nothing changed.', section('That run no longer exists; nothing changed.')) };
  if (!(await mayDecide(run, click.userId, deps, log))) {
    log.info('budget decision refused: not the requester or an approver');
    return { kind: 'refused', reply: costCapNotAllowedReply(run) };
  }
  if (run.status !== 'awaiting_budget') return { kind: 'refused', reply: costCapAlreadyDecidedReply(run) };
  const capUsd = run.costCapUsd ?? deps.policy.agent.limits.dollars;

  if (click.decision === 'continue') {
    const newCap = raisedCap(capUsd, deps.policy.agent.limits.raise_factor);
    const continued = await withTransaction(deps.pool, async (tx) => {
      const next = await continueAfterBudget(tx, run.id, newCap, click.userId, `Continued by ${click.userId}; the cap is now ${usd(newCap)}.`);
      if (!next) return undefined;
      await deps.queue.enqueue(tx, 'run.fix', { runId: run.id }, { priority: next.priority, singletonKey: next.ticketKey });
      await appendAudit(tx, { runId: run.id, actor: click.userId, action: 'run.budget_continued', detail: { fromUsd: capUsd, toUsd: newCap } });
      return next;
    });
    if (!continued) return { kind: 'refused', reply: costCapAlreadyDecidedReply(run) };
    deps.queue.notify('run.fix');
    log.info({ capUsd: newCap }, 'budget raised; the run resumes');
    return { kind: 'decided', message: costCapResolvedMessage(run, run.costUsd, { kind: 'continued', by: click.userId, capUsd: newCap }) };
  }

  const reason = `Stopped by ${userMention(click.userId)} at ${usd(run.costUsd)} of its ${usd(capUsd)} budget.`;
  const stopped = await cancelRun(
    run.id,
    { actor: click.userId, reason, notice: message(reason.replace(/<@([A-Z0-9]+)>/g, '@$1'), section(`:octagonal_sign: ${reason}`)), from: ['awaiting_budget'] },
    deps,
  );
  if (!stopped) return { kind: 'refused', reply: costCapAlreadyDecidedReply(run) };
  log.info('stopped at the budget prompt');
  return { kind: 'decided', message: costCapResolvedMessage(run, run.costUsd, { kind: 'stopped', by: click.userId }) };
}
