import type { GitHubAuth } from '../config.ts';
import { ENV_HINTS, type Env } from './env-schema.ts';

/** A GitHub App (all three keys) or a token, never both; none is a supported state. */
export function githubAuthFromEnv(env: Env, problems: string[]): GitHubAuth | undefined {
  const app = { GITHUB_APP_ID: env.GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY: env.GITHUB_APP_PRIVATE_KEY, GITHUB_APP_INSTALLATION_ID: env.GITHUB_APP_INSTALLATION_ID };
  const appMissing = Object.entries(app).filter(([, v]) => v === undefined).map(([k]) => k);
  if (appMissing.length > 0 && appMissing.length < 3) {
    for (const key of appMissing) problems.push(`${key}: missing, but other GitHub App settings are set (${ENV_HINTS[key]})`);
  }
  if (appMissing.length === 0) {
    if (env.GITHUB_TOKEN) problems.push('GITHUB_TOKEN: set together with a GitHub App; keep one (the App gives short-lived, least-privilege tokens)');
    // .env files cannot hold multi-line values portably, so `\n` stands for a newline.
    const privateKey = env.GITHUB_APP_PRIVATE_KEY!.replace(/\\n/g, '\n');
    if (!privateKey.includes('PRIVATE KEY-----')) problems.push(`GITHUB_APP_PRIVATE_KEY: not a PEM private key (${ENV_HINTS.GITHUB_APP_PRIVATE_KEY})`);
    return { kind: 'app', appId: env.GITHUB_APP_ID!, privateKey, installationId: env.GITHUB_APP_INSTALLATION_ID! };
  }
  return env.GITHUB_TOKEN ? { kind: 'token', token: env.GITHUB_TOKEN } : undefined;
}
