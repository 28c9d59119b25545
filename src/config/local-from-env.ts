import type { Config } from '../config.ts';
import type { Env } from './env-schema.ts';

/** Local mode's server, before baton.yml is read (`enabled` also depends on it). */
export function localFromEnv(env: Env, slackConfigured: boolean, problems: string[]): Omit<Config['local'], 'enabled'> {
  if (env.LOCAL_MODE === 'on' && slackConfigured) {
    problems.push('LOCAL_MODE: on, but a Slack workspace is configured (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET); unset one or the other');
  }
  const emulator = env.LOCAL_MODE === 'on' || (env.LOCAL_MODE === 'auto' && !slackConfigured);
  const host = env.LOCAL_HOST;
  const shown = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return { emulator, host, port: env.LOCAL_PORT, url: `http://${shown}:${env.LOCAL_PORT}` };
}
