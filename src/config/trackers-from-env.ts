import type { Config } from '../config.ts';
import type { Env } from './env-schema.ts';

/** The trackers Baton has credentials for; Jira's three keys come together or not at all. */
export function trackersFromEnv(env: Env, problems: string[]): Config['trackers'] {
  const jiraKeys = { JIRA_HOST: env.JIRA_HOST, JIRA_EMAIL: env.JIRA_EMAIL, JIRA_API_TOKEN: env.JIRA_API_TOKEN };
  const jiraMissing = Object.entries(jiraKeys).filter(([, v]) => !v).map(([k]) => k);
  // JIRA_HOST alone is only an endpoint; credentials without a host (or half of them) are a mistake.
  if (jiraMissing.length > 0 && (env.JIRA_EMAIL || env.JIRA_API_TOKEN)) {
    problems.push(`${jiraMissing.join(', ')}: missing, but other Jira settings are set (Jira needs JIRA_HOST, JIRA_EMAIL and JIRA_API_TOKEN together)`);
  }
  return {
    linear: env.LINEAR_API_KEY ? { apiUrl: env.LINEAR_API_URL, apiKey: env.LINEAR_API_KEY } : undefined,
    jira: env.JIRA_HOST && env.JIRA_EMAIL && env.JIRA_API_TOKEN ? { host: env.JIRA_HOST, email: env.JIRA_EMAIL, apiToken: env.JIRA_API_TOKEN } : undefined,
  };
}
