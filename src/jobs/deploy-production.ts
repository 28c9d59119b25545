import { approvalFor } from '../db/approvals.ts';
import { getRun } from '../db/runs.ts';
import { deliverRun, type DeliverRunDeps } from './deliver-run.ts';
import { PermanentError } from './errors.ts';
import { failDeploy, finishedDeploy, followDeploy, type DeployFailedDeps, type FollowDeployDeps } from './follow-deploy.ts';
import type { Payload } from './queues.ts';
import { requireRunRepo } from './run-repo.ts';

export interface DeployProductionDeps extends FollowDeployDeps, DeployFailedDeps, DeliverRunDeps {}

const short = (sha: string): string => sha.slice(0, 7);

/**
 * `deploy.production`: only through an approval row for the production gate at this very commit
 * (auto-approve never covers production). Success delivers the run (succeeded, ticket done); a
 * failure or a timeout fails it with the reason and the link.
 */
export async function deployProduction(payload: Payload<'deploy.production'>, deps: DeployProductionDeps): Promise<void> {
  const run = await getRun(deps.pool, payload.runId);
  if (!run) throw new PermanentError('run_not_found', `run ${payload.runId} does not exist`);
  const log = deps.log.child({ runId: run.id, ticket: run.ticketKey, job: 'deploy.production', sha: payload.sha });

  if (run.status !== 'deploying') {
    // A redelivery after the run was delivered finishes what delivering still owes.
    const deployed = await finishedDeploy(deps.pool, run.id, 'production', payload.sha);
    if (run.status === 'succeeded' && deployed?.conclusion === 'success') await deliverRun(run, { mergedSha: payload.sha, production: deployed }, deps);
    log.info({ status: run.status }, 'run is not deploying; nothing to deploy');
    return;
  }
  const approval = await approvalFor(deps.pool, run.id, 'production', payload.sha);
  if (approval?.decision !== 'approved') {
    log.error({ approval: approval?.decision ?? null }, 'deploy.production without a production approval for this commit: refusing to deploy');
    throw new PermanentError(
      'no_production_approval',
      `Baton refused to deploy ${short(payload.sha)} to production: no production approval is recorded for that commit. Nothing was deployed.`,
    );
  }
  const repo = requireRunRepo(run, deps.policy);
  const result = await followDeploy(run, 'production', payload.sha, deps);
  if (result.status !== 'completed' || result.conclusion !== 'success') {
    await failDeploy(run, 'production', payload.sha, result, repo.policy.deploy.timeout_minutes, deps);
    return;
  }
  await deliverRun(run, { mergedSha: payload.sha, production: result }, deps);
}
