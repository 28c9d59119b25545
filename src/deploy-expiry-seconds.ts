import type { Config } from './config.ts';

/** Longer than the longest deploy Baton follows, so pg-boss never takes a job back from a worker still following one. */
export function deployExpirySeconds(policy: Config['policy']): number {
  const longest = Math.max(60, ...Object.values(policy.repos).map((repo) => repo.deploy.timeout_minutes));
  return Math.ceil(longest * 60 + 10 * 60);
}

