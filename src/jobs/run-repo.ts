import type { RepoRef } from '../domain/pull-request.ts';
import type { Run } from '../domain/run.ts';
import type { Policy, RepoPolicy } from '../policy.ts';
import { PermanentError } from './errors.ts';

export interface RunRepo {
  /** The key under `repos` in baton.yml (owner/name). */
  key: string;
  ref: RepoRef;
  policy: RepoPolicy;
}

/**
 * The repository a run published to, with its policy. Names compare without case: baton.yml may
 * say acme/Shop where the run recorded acme/shop. A run with no repository, or one baton.yml no
 * longer lists, cannot be merged or deployed: a person must look.
 */
export function requireRunRepo(run: Run, policy: Pick<Policy, 'repos'>): RunRepo {
  if (!run.repo) throw new PermanentError('no_repository', `run ${run.id} has no repository recorded; it never opened a pull request`);
  const wanted = run.repo.toLowerCase();
  const key = Object.keys(policy.repos).find((name) => name.toLowerCase() === wanted);
  const repoPolicy = key === undefined ? undefined : policy.repos[key];
  if (key === undefined || !repoPolicy) {
    throw new PermanentError('repo_not_configured', `${run.repo} is no longer listed under repos in baton.yml`);
  }
  const [owner = '', name = ''] = run.repo.split('/');
  return { key, ref: { owner, name }, policy: repoPolicy };
}
