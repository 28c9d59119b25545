import { getRun } from '../db/runs.ts';
import { deliverRun, type DeliverRunDeps } from './deliver-run.ts';
import { PermanentError } from './errors.ts';
import { failDeploy, finishedDeploy, followDeploy, type DeployFailedDeps, type FollowDeployDeps } from './follow-deploy.ts';
import { openProductionGate, type ProductionGateDeps } from './open-production-gate.ts';
import type { Payload } from './queues.ts';
import { requireRunRepo } from './run-repo.ts';

export interface DeployStagingDeps extends Omit<FollowDeployDeps, 'policy'>, DeployFailedDeps, ProductionGateDeps, DeliverRunDeps {}

/**
 * `deploy.staging`: the merged change goes to staging (repos.<r>.deploy.staging), followed to its
 * end. Success opens the production gate, or delivers the run when the repository has no
 * production deploy; a failure or a timeout fails the run, saying the change is merged.
 */
export async function deployStaging(payload: Payload<'deploy.staging'>, deps: DeployStagingDeps): Promise<void> {
  const run = await getRun(deps.pool, payload.runId);
  if (!run) throw new PermanentError('run_not_found', `run ${payload.runId} does not exist`);
  const log = deps.log.child({ runId: run.id, ticket: run.ticketKey, job: 'deploy.staging' });
  const repo = requireRunRepo(run, deps.policy);
  const production = repo.policy.deploy.production !== undefined;

  if (run.status !== 'deploying') {
    // A redelivery after the run moved on finishes only what that move still owes the thread.
    const staged = await finishedDeploy(deps.pool, run.id, 'staging', payload.sha);
    if (staged?.conclusion === 'success') {
      if (production && run.status === 'awaiting_deploy_approval') await openProductionGate(run, { mergedSha: payload.sha, staging: staged }, deps);
      if (!production && run.status === 'succeeded') await deliverRun(run, { mergedSha: payload.sha, production: null }, deps);
    }
    log.info({ status: run.status }, 'run is not deploying; nothing to deploy');
    return;
  }
  const result = await followDeploy(run, 'staging', payload.sha, deps);
  if (result.status !== 'completed' || result.conclusion !== 'success') {
    await failDeploy(run, 'staging', payload.sha, result, repo.policy.deploy.timeout_minutes, deps);
    return;
  }
  if (production) await openProductionGate(run, { mergedSha: payload.sha, staging: result }, deps);
  else await deliverRun(run, { mergedSha: payload.sha, production: null }, deps);
}
