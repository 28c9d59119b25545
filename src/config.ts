import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import type { Policy } from './policy.ts';
import { checkPolicy, readPolicy } from './read-policy.ts';
import { localDemoPolicy } from './local-demo-policy.ts';

/**
 * The only reader of process.env. Secrets and endpoints come from the environment (and `.env`),
 * policy from `baton.yml`. Every problem is collected into one ConfigError with a hint per key.
 */

const HINTS: Record<string, string> = {
  PORT: 'a TCP port number, e.g. 3000',
  DATABASE_URL: 'a postgres:// URL, or leave it unset to use the embedded database under DATA_DIR',
  DATABASE_SCHEMA: 'a lower-case SQL identifier, e.g. baton',
  LOG_LEVEL: 'one of fatal, error, warn, info, debug, trace',
  SLACK_BOT_TOKEN: 'the Bot User OAuth Token (xoxb-…) from OAuth & Permissions after installing the app',
  SLACK_SIGNING_SECRET: 'Basic Information → App Credentials → Signing Secret',
  SLACK_APP_TOKEN: 'an app-level token (xapp-…) with connections:write, only for Socket Mode',
  SLACK_API_URL: 'the Slack Web API base URL, ending in /api/',
  HTTP_RETRIES: 'how many times SDK clients retry a failed call themselves (0–10)',
  LINEAR_WEBHOOK_SECRET: 'the signing secret Linear shows for the webhook (Settings → API → Webhooks)',
  GITHUB_APP_ID: 'the numeric App ID from the GitHub App settings page',
  GITHUB_APP_PRIVATE_KEY: 'the PEM private key generated for the GitHub App (newlines may be written as \\n)',
  GITHUB_APP_INSTALLATION_ID: 'the number at the end of the installation URL (…/settings/installations/<id>)',
  ANTHROPIC_BASE_URL: 'the Messages API base URL (no /v1), e.g. https://api.anthropic.com or a gateway',
  LOCAL_MODE: 'auto (local mode when no Slack workspace is configured), on, or off',
  LOCAL_HOST: 'the address local mode\'s page binds to; keep 127.0.0.1 unless you know why',
  LOCAL_PORT: 'the port of local mode\'s page (the Slack emulator, local tickets and pull requests)',
  METRICS_PORT: 'the port Prometheus metrics (/metrics) are served on, on a listener of their own; unset: no metrics',
  METRICS_HOST: 'the address the metrics port binds to; keep 127.0.0.1 unless Prometheus scrapes from another machine',
};

const ANTHROPIC_DEFAULT_URL = 'https://api.anthropic.com';

/**
 * Sent as the API key when ANTHROPIC_BASE_URL points at a gateway or local server that holds the
 * real key itself: the SDK refuses to start without one, and such servers ignore or replace it.
 */
export const ANTHROPIC_KEY_PLACEHOLDER = 'baton-gateway-holds-the-key';

const url = z.url({ protocol: /^https?$/ });
const optionalSecret = z.string().trim().min(1).optional();

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATA_DIR: z.string().min(1).default('.data'),
  BATON_CONFIG: z.string().min(1).default('baton.yml'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres://')
    .optional(),
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,40}$/)
    .default('baton'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: z.enum(['auto', 'true', 'false']).default('auto'),
  HTTP_RETRIES: z.coerce.number().int().min(0).max(10).default(2),

  SLACK_BOT_TOKEN: z.string().regex(/^xoxb-/, 'must start with xoxb-').optional(),
  SLACK_SIGNING_SECRET: optionalSecret,
  SLACK_APP_TOKEN: z.string().regex(/^xapp-/, 'must start with xapp-').optional(),
  SLACK_API_URL: url.default('https://slack.com/api/'),

  LINEAR_API_KEY: optionalSecret,
  LINEAR_API_URL: url.default('https://api.linear.app/graphql'),
  LINEAR_WEBHOOK_SECRET: optionalSecret,
  LINEAR_WEBHOOK_SECRET_PREVIOUS: optionalSecret,
  JIRA_HOST: url.optional(),
  JIRA_EMAIL: z.string().optional(),
  JIRA_API_TOKEN: optionalSecret,
  JIRA_WEBHOOK_SECRET: optionalSecret,
  JIRA_WEBHOOK_SECRET_PREVIOUS: optionalSecret,
  GITHUB_TOKEN: optionalSecret,
  GITHUB_APP_ID: z.string().regex(/^\d+$/, 'must be a number').optional(),
  GITHUB_APP_PRIVATE_KEY: optionalSecret,
  GITHUB_APP_INSTALLATION_ID: z.coerce.number().int().positive().optional(),
  GITHUB_API_URL: url.default('https://api.github.com'),
  GITHUB_WEBHOOK_SECRET: optionalSecret,
  GITHUB_WEBHOOK_SECRET_PREVIOUS: optionalSecret,
  ANTHROPIC_API_KEY: optionalSecret,
  ANTHROPIC_BASE_URL: url.default(ANTHROPIC_DEFAULT_URL),
  LOCAL_MODE: z.enum(['auto', 'on', 'off']).default('auto'),
  LOCAL_HOST: z.string().min(1).default('127.0.0.1'),
  LOCAL_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
});

/** Every environment key Baton reads (documented in .env.example). */
export const ENV_KEYS = Object.keys(envSchema.shape);

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
  /**
   * Local mode's server (src/local/): the page with the local tickets and pull requests, and, when
   * `emulator` is on, the Slack emulator Baton's own Slack client talks to. It runs when the emulator
   * is on or baton.yml uses a local tracker or a repository with `path:`.
   */
  /** Prometheus metrics on a listener of their own (METRICS_PORT); undefined: none served. */
  metrics: { host: string; port: number } | undefined;
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
function withDotEnv(source: ConfigSource): Record<string, string | undefined> {
  const file = resolve(source.cwd, '.env');
  if (!existsSync(file)) return source.env;
  return { ...parseEnv(readFileSync(file, 'utf8')), ...source.env };
}

function emptyToUndefined(env: Record<string, string | undefined>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === '' ? undefined : v]));
}

function slackFrom(
  env: z.infer<typeof envSchema>,
  raw: Record<string, string | undefined>,
  problems: string[],
): Pick<Config, 'slack' | 'slackMissing'> {
  // Presence is judged on the raw values, so an invalid token still counts as "set".
  const required = { SLACK_BOT_TOKEN: raw.SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET: raw.SLACK_SIGNING_SECRET };
  const missing = Object.entries(required)
    .filter(([, v]) => v === undefined)
    .map(([k]) => k);
  const anySet = missing.length < 2 || raw.SLACK_APP_TOKEN !== undefined;
  // Nothing set is a supported state (Baton runs without Slack); half set is a mistake.
  if (missing.length > 0 && anySet) {
    for (const key of missing) problems.push(`${key}: missing, but other Slack settings are set (${HINTS[key]})`);
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

function secretsOf(...values: (string | undefined)[]): string[] {
  return values.filter((v): v is string => v !== undefined);
}

type Env = z.infer<typeof envSchema>;

function trackersFrom(env: Env, problems: string[]): Config['trackers'] {
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

function githubAuthFrom(env: Env, problems: string[]): GitHubAuth | undefined {
  const app = { GITHUB_APP_ID: env.GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY: env.GITHUB_APP_PRIVATE_KEY, GITHUB_APP_INSTALLATION_ID: env.GITHUB_APP_INSTALLATION_ID };
  const appMissing = Object.entries(app).filter(([, v]) => v === undefined).map(([k]) => k);
  if (appMissing.length > 0 && appMissing.length < 3) {
    for (const key of appMissing) problems.push(`${key}: missing, but other GitHub App settings are set (${HINTS[key]})`);
  }
  if (appMissing.length === 0) {
    if (env.GITHUB_TOKEN) problems.push('GITHUB_TOKEN: set together with a GitHub App; keep one (the App gives short-lived, least-privilege tokens)');
    // .env files cannot hold multi-line values portably, so `\n` stands for a newline.
    const privateKey = env.GITHUB_APP_PRIVATE_KEY!.replace(/\\n/g, '\n');
    if (!privateKey.includes('PRIVATE KEY-----')) problems.push(`GITHUB_APP_PRIVATE_KEY: not a PEM private key (${HINTS.GITHUB_APP_PRIVATE_KEY})`);
    return { kind: 'app', appId: env.GITHUB_APP_ID!, privateKey, installationId: env.GITHUB_APP_INSTALLATION_ID! };
  }
  return env.GITHUB_TOKEN ? { kind: 'token', token: env.GITHUB_TOKEN } : undefined;
}

function anthropicFrom(env: Env, raw: Record<string, string | undefined>): Pick<Config, 'anthropic' | 'anthropicMissing'> {
  const baseUrl = env.ANTHROPIC_BASE_URL.replace(/\/+$/, '');
  // Judged on the raw value: the default URL written out explicitly is still the public API.
  const gateway = raw.ANTHROPIC_BASE_URL !== undefined && baseUrl !== ANTHROPIC_DEFAULT_URL;
  if (env.ANTHROPIC_API_KEY) return { anthropic: { baseUrl, apiKey: env.ANTHROPIC_API_KEY }, anthropicMissing: [] };
  if (gateway) return { anthropic: { baseUrl, apiKey: ANTHROPIC_KEY_PLACEHOLDER }, anthropicMissing: [] };
  return { anthropic: undefined, anthropicMissing: ['ANTHROPIC_API_KEY'] };
}

export function loadConfig(source: ConfigSource = { env: process.env, cwd: process.cwd() }): Config {
  const problems: string[] = [];
  const raw = emptyToUndefined(withDotEnv(source));
  const parsedEnv = envSchema.safeParse(raw);
  if (!parsedEnv.success) problems.push(...issueLines(parsedEnv.error, '', HINTS));
  const env = parsedEnv.success ? parsedEnv.data : envSchema.parse({});
  const policyFile = resolve(source.cwd, env.BATON_CONFIG);
  // Spelling the default out (.env.example does) still names the default, which may be absent.
  const policy = readPolicy(policyFile, policyFile !== resolve(source.cwd, 'baton.yml'), problems);
  let slack = slackFrom(env, raw, problems);
  const trackers = trackersFrom(env, problems);
  const github = githubAuthFrom(env, problems);
  const anthropic = anthropicFrom(env, raw);

  const local = localFrom(env, slack.slack !== undefined, problems);
  if (env.METRICS_PORT !== undefined && env.METRICS_PORT !== 0 && env.METRICS_PORT === env.PORT) {
    problems.push('METRICS_PORT: the same as PORT; metrics get a listener of their own (pick another port)');
  }
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
    metrics: env.METRICS_PORT === undefined ? undefined : { host: env.METRICS_HOST, port: env.METRICS_PORT },
  };
}

function localFrom(env: Env, slackConfigured: boolean, problems: string[]): Omit<Config['local'], 'enabled'> {
  if (env.LOCAL_MODE === 'on' && slackConfigured) {
    problems.push('LOCAL_MODE: on, but a Slack workspace is configured (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET); unset one or the other');
  }
  const emulator = env.LOCAL_MODE === 'on' || (env.LOCAL_MODE === 'auto' && !slackConfigured);
  const host = env.LOCAL_HOST;
  const shown = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return { emulator, host, port: env.LOCAL_PORT, url: `http://${shown}:${env.LOCAL_PORT}` };
}


