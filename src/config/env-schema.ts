import { z } from 'zod';

/** What to set for a key, added to the problem when its value is missing or invalid. */
export const ENV_HINTS: Record<string, string> = {
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

export const ANTHROPIC_DEFAULT_URL = 'https://api.anthropic.com';

const url = z.url({ protocol: /^https?$/ });
const optionalSecret = z.string().trim().min(1).optional();

/** Every environment key Baton reads, with its default; src/config.ts alone hands it the environment. */
export const envSchema = z.object({
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

/** The environment, parsed: defaults filled in, numbers numbers. */
export type Env = z.infer<typeof envSchema>;

/** The environment as given: an unset key and an empty one are both undefined. */
export type RawEnv = Record<string, string | undefined>;
