import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import type { Policy } from './policy.ts';
import { checkPolicy, readPolicy } from './read-policy.ts';
import { localDemoPolicy } from './local-demo-policy.ts';
import { anthropicFromEnv } from './config/anthropic-from-env.ts';
import { ENV_HINTS, envSchema, type RawEnv } from './config/env-schema.ts';
import { githubAuthFromEnv } from './config/github-auth-from-env.ts';
import { localFromEnv } from './config/local-from-env.ts';
import { metricsFromEnv } from './config/metrics-from-env.ts';
import { slackFromEnv } from './config/slack-from-env.ts';
import { trackersFromEnv } from './config/trackers-from-env.ts';

/**
 * The only reader of process.env. Secrets and endpoints come from the environment (and `.env`),
 * policy from `baton.yml`. Every problem is collected into one ConfigError with a hint per key.
 */

/** Every environment key Baton reads (documented in .env.example). */
export const ENV_KEYS = Object.keys(envSchema.shape);

export { ANTHROPIC_KEY_PLACEHOLDER } from './config/anthropic-from-env.ts';
export type { Policy } from './policy.ts';

export interface SlackConfig {
  botToken: string;
  signingSecret: string;
  /** Present → Socket Mode; absent → Slack calls us over HTTP at /slack/events. */
  appToken: string | undefined;
  apiUrl: string;
}

export type GitHubAuth =
  | { kind: 'token'; token: string }
  | { kind: 'app'; appId: string; privateKey: string; installationId: number };

export interface Config {
  port: number;
  dataDir: string;
  database: { url: string | undefined; schema: string };
  log: { level: string; pretty: boolean };
  httpRetries: number;
  /** Undefined when Slack is not connected yet; `slackMissing` then says what to set. */
  slack: SlackConfig | undefined;
  slackMissing: string[];
  endpoints: { linear: string; jira: string | undefined; github: string; anthropic: string };
  /** The trackers Baton has credentials for; teams in baton.yml may only use these. */
  trackers: {
    linear: { apiUrl: string; apiKey: string } | undefined;
    jira: { host: string; email: string; apiToken: string } | undefined;
  };
  /** The current webhook secret first, then the previous one while a rotation is under way. */
  webhookSecrets: { linear: string[]; jira: string[]; github: string[] };
  github: { apiUrl: string; auth: GitHubAuth | undefined };
  /**
   * The model API for the agents. Present when ANTHROPIC_API_KEY is set, or ANTHROPIC_BASE_URL
   * names a gateway or local server (then the key may be absent: ANTHROPIC_KEY_PLACEHOLDER is
   * sent). Undefined otherwise; `anthropicMissing` then says what to set, and runs stop before
   * their agent with that reason.
   */
  anthropic: { baseUrl: string; apiKey: string } | undefined;
  anthropicMissing: string[];
  policy: Policy;
  /** The baton.yml read (BATON_CONFIG, resolved), or that would have been read: only the default may be absent. */
  policyFile: string;
  /** Every secret value, so the logger can redact them wherever they appear. */
  secrets: string[];
  /** Prometheus metrics on a listener of their own (METRICS_PORT); undefined: none served. */
  metrics: { host: string; port: number } | undefined;
  /**
   * Local mode's server (src/local/): the page with the local tickets and pull requests, and, when
   * `emulator` is on, the Slack emulator Baton's own Slack client talks to. It runs when the emulator
   * is on or baton.yml uses a local tracker or a repository with `path:`.
   */
  local: {
    /** No Slack workspace configured (LOCAL_MODE auto) or LOCAL_MODE=on: Slack is emulated in the browser. */
    emulator: boolean;
    /** Whether the local server runs at all. */
    enabled: boolean;
    host: string;
    port: number;
    /** What people open, and what ticket and PR links point at. */
    url: string;
  };
}

export class ConfigError extends Error {
  readonly code = 'config_invalid';
  constructor(readonly problems: string[]) {
    super(`Baton's configuration is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export interface ConfigSource {
  env: Record<string, string | undefined>;
  cwd: string;
}

function issueLines(error: z.ZodError, prefix: string, hints: Record<string, string>): string[] {
  return error.issues.map((issue) => {
    const key = issue.path.join('.');
    const hint = hints[key];
    return `${prefix}${key}: ${issue.message}${hint ? ` (${hint})` : ''}`;
  });
}

/** `.env` fills in what the real environment leaves unset; it never overrides it. */
function withDotEnv(source: ConfigSource): RawEnv {
  const file = resolve(source.cwd, '.env');
  if (!existsSync(file)) return source.env;
  return { ...parseEnv(readFileSync(file, 'utf8')), ...source.env };
}

function emptyToUndefined(env: RawEnv): RawEnv {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === '' ? undefined : v]));
}

/** A webhook's secrets: the current one first, then the previous one while a rotation is under way. */
function secretsOf(...values: (string | undefined)[]): string[] {
  return values.filter((v): v is string => v !== undefined);
}

export function loadConfig(source: ConfigSource = { env: process.env, cwd: process.cwd() }): Config {
  const problems: string[] = [];
  const raw = emptyToUndefined(withDotEnv(source));
  const parsedEnv = envSchema.safeParse(raw);
  if (!parsedEnv.success) problems.push(...issueLines(parsedEnv.error, '', ENV_HINTS));
  const env = parsedEnv.success ? parsedEnv.data : envSchema.parse({});
  const policyFile = resolve(source.cwd, env.BATON_CONFIG);
  // Spelling the default out (.env.example does) still names the default, which may be absent.
  const policy = readPolicy(policyFile, policyFile !== resolve(source.cwd, 'baton.yml'), problems);
  let slack = slackFromEnv(env, raw, problems);
  const trackers = trackersFromEnv(env, problems);
  const github = githubAuthFromEnv(env, problems);
  const anthropic = anthropicFromEnv(env, raw);
  const local = localFromEnv(env, slack.slack !== undefined, problems);
  const metrics = metricsFromEnv(env, problems);
  let effectivePolicy = policy;
  if (local.emulator) {
    // The emulator is this workspace: Baton's own Slack client and signature checks work against it
    // with a token and a secret made up for this process.
    slack = {
      slack: { botToken: `xoxb-local-${randomBytes(12).toString('hex')}`, signingSecret: randomBytes(24).toString('hex'), appToken: undefined, apiUrl: `${local.url}/api/` },
      slackMissing: slack.slackMissing,
    };
    // With no teams, the demo's: a local tracker, a repository on disk and the two emulated users.
    if (Object.keys(policy.teams).length === 0) effectivePolicy = localDemoPolicy(policy, resolve(source.cwd, env.DATA_DIR));
  }
  const usesLocal = Object.values(effectivePolicy.teams).some((t) => t.tracker === 'local') || Object.values(effectivePolicy.repos).some((r) => r.path);
  checkPolicy(effectivePolicy, trackers, problems);
  if (problems.length > 0) throw new ConfigError(problems);

  const secrets = [
    env.SLACK_BOT_TOKEN,
    env.SLACK_SIGNING_SECRET,
    env.SLACK_APP_TOKEN,
    env.LINEAR_API_KEY,
    env.LINEAR_WEBHOOK_SECRET,
    env.JIRA_API_TOKEN,
    env.JIRA_WEBHOOK_SECRET,
    env.GITHUB_TOKEN,
    env.GITHUB_WEBHOOK_SECRET,
    env.GITHUB_WEBHOOK_SECRET_PREVIOUS,
    env.GITHUB_APP_PRIVATE_KEY,
    env.LINEAR_WEBHOOK_SECRET_PREVIOUS,
    env.JIRA_WEBHOOK_SECRET_PREVIOUS,
    env.ANTHROPIC_API_KEY,
    env.DATABASE_URL ? new URL(env.DATABASE_URL).password || undefined : undefined,
    local.emulator ? slack.slack?.botToken : undefined,
    local.emulator ? slack.slack?.signingSecret : undefined,
  ].filter((s): s is string => s !== undefined && s.length >= 6);

  return {
    port: env.PORT,
    dataDir: resolve(source.cwd, env.DATA_DIR),
    database: { url: env.DATABASE_URL, schema: env.DATABASE_SCHEMA },
    log: { level: env.LOG_LEVEL, pretty: env.LOG_PRETTY === 'auto' ? Boolean(process.stdout.isTTY) : env.LOG_PRETTY === 'true' },
    httpRetries: env.HTTP_RETRIES,
    ...slack,
    endpoints: { linear: env.LINEAR_API_URL, jira: env.JIRA_HOST, github: env.GITHUB_API_URL, anthropic: env.ANTHROPIC_BASE_URL },
    trackers,
    webhookSecrets: {
      linear: secretsOf(env.LINEAR_WEBHOOK_SECRET, env.LINEAR_WEBHOOK_SECRET_PREVIOUS),
      jira: secretsOf(env.JIRA_WEBHOOK_SECRET, env.JIRA_WEBHOOK_SECRET_PREVIOUS),
      github: secretsOf(env.GITHUB_WEBHOOK_SECRET, env.GITHUB_WEBHOOK_SECRET_PREVIOUS),
    },
    github: { apiUrl: env.GITHUB_API_URL, auth: github },
    ...anthropic,
    policy: effectivePolicy,
    policyFile,
    secrets,
    local: { ...local, enabled: local.emulator || usesLocal },
    metrics,
  };
}
