import type { Octokit } from '@octokit/rest';
import type { RepoRef } from '../../domain/pull-request.ts';

/** Each entry names the check and its state, ready for a sentence: "lint (failure)". */
export interface CiStatus {
  failing: string[];
  pending: string[];
}

// Conclusions that mean "did not pass". `stale` is GitHub's mark for a run left incomplete for 14 days.
const FAILED = new Set(['failure', 'cancelled', 'timed_out', 'action_required', 'startup_failure', 'stale']);

/**
 * Check runs (GitHub Actions and other Apps) and commit statuses (older CI services) on `sha`,
 * latest per name. A required check that has not reported at all counts as pending.
 */
export async function readCiStatus(octokit: Octokit, repo: RepoRef, sha: string, requiredChecks: string[] = []): Promise<CiStatus> {
  const runs = await octokit.paginate(octokit.checks.listForRef, {
    owner: repo.owner, repo: repo.name, ref: sha, filter: 'latest', per_page: 100,
  });
  const latest = new Map<string, (typeof runs)[number]>();
  for (const run of runs) {
    const seen = latest.get(run.name);
    if (!seen || run.id > seen.id) latest.set(run.name, run);
  }
  // The combined status already keeps only the latest status per context.
  const { data: combined } = await octokit.repos.getCombinedStatusForRef({
    owner: repo.owner, repo: repo.name, ref: sha, per_page: 100,
  });

  const failing: string[] = [];
  const pending: string[] = [];
  for (const run of latest.values()) {
    if (run.status !== 'completed') pending.push(`${run.name} (${run.status.replace('_', ' ')})`);
    else if (FAILED.has(run.conclusion ?? '')) failing.push(`${run.name} (${run.conclusion})`);
  }
  for (const status of combined.statuses) {
    if (status.state === 'failure' || status.state === 'error') failing.push(`${status.context} (${status.state})`);
    else if (status.state === 'pending') pending.push(`${status.context} (pending)`);
  }
  const reported = new Set([...latest.keys(), ...combined.statuses.map((s) => s.context)]);
  for (const name of requiredChecks) if (!reported.has(name)) pending.push(`${name} (not reported yet)`);
  return { failing, pending };
}
