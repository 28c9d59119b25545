import { openRequests } from '../db/approvals.ts';
import type { Pool } from '../db/pool.ts';
import { getRun, listActiveRuns } from '../db/runs.ts';
import { gatesForRepo } from '../domain/approval-policy.ts';
import type { SlackClient } from '../integrations/slack.ts';
import type { Logger } from '../logger.ts';
import type { Policy } from '../policy.ts';
import { appHomeView, type HomeRequest } from '../bot/views/app-home-view.ts';

export interface AppHomeDeps {
  pool: Pool;
  slack: Pick<SlackClient, 'usergroupMembers'> | undefined;
  policy: Pick<Policy, 'gates' | 'repos'>;
  log: Logger;
}

/**
 * The App Home of `userId`: the open requests they may decide (approver of that gate, directly or
 * through a user group, and not the requester of a Slack run), and the active runs. Only a view:
 * every click still goes through the gate's own checks.
 */
export async function appHome(userId: string, deps: AppHomeDeps): Promise<ReturnType<typeof appHomeView>> {
  const groups = new Map<string, boolean>();
  const inGroup = async (id: string): Promise<boolean> => {
    // A group Slack will not list admits nobody, as at the gate.
    if (!groups.has(id)) {
      const members = deps.slack
        ? await deps.slack.usergroupMembers(id).catch((error: unknown): string[] => {
            deps.log.warn({ err: error, group: id }, 'could not read an approver user group for the App Home; its members see nothing from it');
            return [];
          })
        : [];
      groups.set(id, members.includes(userId));
    }
    return groups.get(id)!;
  };
  const yours: HomeRequest[] = [];
  for (const request of await openRequests(deps.pool)) {
    const run = await getRun(deps.pool, request.runId);
    if (!run) continue;
    const approvers = gatesForRepo(deps.policy.gates, run.repo ? deps.policy.repos[run.repo] : undefined)[request.gate].approvers;
    let may = approvers.includes(userId);
    for (const id of approvers.filter((a) => a.startsWith('S'))) may ||= await inGroup(id);
    if (!may || (run.source === 'slack' && run.requestedBy === userId)) continue;
    yours.push({ run, gate: request.gate, headSha: request.headSha, expiresAt: request.expiresAt });
  }
  return appHomeView({ yours, runs: await listActiveRuns(deps.pool, 50) });
}
