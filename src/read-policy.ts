import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { policySchema, type Policy } from './policy.ts';

/** baton.yml, read and checked for config.ts: every problem is added to `problems`, never thrown. */

/**
 * Only the default baton.yml may be absent (Baton then runs with the defaults and no teams): any
 * other file named in BATON_CONFIG was meant to be read, and an empty policy would hide the typo.
 */
export function readPolicy(path: string, named: boolean, problems: string[]): Policy {
  if (!existsSync(path)) {
    if (named) problems.push(`BATON_CONFIG: ${path} does not exist (fix the path, or unset BATON_CONFIG to read baton.yml from the working directory)`);
    return policySchema.parse({});
  }
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8')) ?? {};
  } catch (error) {
    problems.push(`${path}: not valid YAML (${(error as Error).message.split('\n')[0]})`);
    return policySchema.parse({});
  }
  const parsed = policySchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  // zod reports a bad record key without the key's own rule; these say what a key must look like.
  const keyRules: Record<string, string> = {
    teams: 'a team key is a ticket key prefix: upper-case letters and digits, e.g. ENG',
    repos: 'a repository key is owner/name, e.g. acme/web',
  };
  problems.push(
    ...parsed.error.issues.map((issue) => {
      const key = issue.path.join('.');
      const rule = issue.code === 'invalid_key' ? keyRules[String(issue.path[0])] : undefined;
      return `${path}: ${key}: ${rule ?? issue.message}`;
    }),
  );
  return policySchema.parse({});
}

/** What baton.yml refers to must exist: trackers with credentials, repositories that are listed, prices for the models. */
export function checkPolicy(policy: Policy, trackers: { linear: unknown; jira: unknown }, problems: string[]): void {
  // Cost is computed per call from the price table; a model without a price would run uncapped.
  for (const model of policy.agent.models) {
    if (!policy.agent.prices.models[model]) {
      problems.push(`agent.prices.models: no price for ${model}, which agent.models lists (give its input, output, cache_write_5m, cache_write_1h and cache_read prices, USD per million tokens)`);
    }
  }
  for (const [prefix, team] of Object.entries(policy.teams)) {
    if (team.tracker === 'linear' && !trackers.linear) problems.push(`teams.${prefix}: uses Linear, but LINEAR_API_KEY is not set`);
    if (team.tracker === 'jira' && !trackers.jira) problems.push(`teams.${prefix}: uses Jira, but JIRA_HOST, JIRA_EMAIL and JIRA_API_TOKEN are not all set`);
    for (const repo of [team.repo, ...Object.values(team.label_repos)]) {
      if (repo && !policy.repos[repo]) problems.push(`teams.${prefix}: repository ${repo} is not listed under repos`);
    }
  }
  for (const [name, repo] of Object.entries(policy.repos)) {
    if (!repo.path) continue;
    // A repository on disk has no GitHub Actions to dispatch, and git clones it from its path.
    if (repo.deploy.staging || repo.deploy.production) problems.push(`repos.${name}: a repository with path: has no deploy workflows to run; remove deploy or path`);
    if (repo.clone_url) problems.push(`repos.${name}: give path or clone_url, not both`);
  }
}
