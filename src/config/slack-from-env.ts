import type { Config } from '../config.ts';
import { ENV_HINTS, type Env, type RawEnv } from './env-schema.ts';

/** The Slack workspace, or what connecting one takes; half of the settings is a problem. */
export function slackFromEnv(env: Env, raw: RawEnv, problems: string[]): Pick<Config, 'slack' | 'slackMissing'> {
  // Presence is judged on the raw values, so an invalid token still counts as "set".
  const required = { SLACK_BOT_TOKEN: raw.SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET: raw.SLACK_SIGNING_SECRET };
  const missing = Object.entries(required)
    .filter(([, v]) => v === undefined)
    .map(([k]) => k);
  const anySet = missing.length < 2 || raw.SLACK_APP_TOKEN !== undefined;
  // Nothing set is a supported state (Baton runs without Slack); half set is a mistake.
  if (missing.length > 0 && anySet) {
    for (const key of missing) problems.push(`${key}: missing, but other Slack settings are set (${ENV_HINTS[key]})`);
  }
  if (missing.length > 0 || !env.SLACK_BOT_TOKEN || !env.SLACK_SIGNING_SECRET) return { slack: undefined, slackMissing: missing };
  return {
    slack: {
      botToken: env.SLACK_BOT_TOKEN,
      signingSecret: env.SLACK_SIGNING_SECRET,
      appToken: env.SLACK_APP_TOKEN,
      apiUrl: env.SLACK_API_URL.endsWith('/') ? env.SLACK_API_URL : `${env.SLACK_API_URL}/`,
    },
    slackMissing: [],
  };
}
