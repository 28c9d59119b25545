import { mkdtempSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig, type Config } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { startBaton, type Baton, type Role } from '../../src/main.ts';
import type { FakeSlack } from '../fakes/fake-slack.ts';
import type { FakeLinear } from '../fakes/fake-linear.ts';
import type { FakeJira } from '../fakes/fake-jira.ts';
import type { AgentStep } from '../../src/jobs/run-fix.ts';
import { SLACK_DEFAULTS } from '../fakes/slack-defaults.ts';
import type { TestDatabase } from './test-database.ts';

export interface TestBaton {
  baton: Baton;
  url: string;
  slackEventsUrl: string;
  config: Config;
  /** Every log line Baton wrote, as text (to assert redaction and messages). */
  logs: string[];
  stop(): Promise<void>;
}

export interface TestBatonOptions {
  db: Pick<TestDatabase, 'url' | 'schema'>;
  slack?: FakeSlack;
  env?: Record<string, string>;
  role?: Role;
  /** Written to baton.yml in Baton's working directory. */
  policy?: Record<string, unknown>;
  linear?: FakeLinear;
  jira?: FakeJira;
  agent?: AgentStep;
}

/** Baton as `npm start` builds it, on port 0, pointed at fakes, with SDK retries off. */
export async function startTestBaton(options: TestBatonOptions): Promise<TestBaton> {
  const env: Record<string, string> = {
    PORT: '0',
    DATABASE_URL: options.db.url,
    DATABASE_SCHEMA: options.db.schema,
    HTTP_RETRIES: '0',
    LOG_LEVEL: 'debug',
    // Local mode starts when no Slack is configured; a test that wants it says LOCAL_MODE: 'on'.
    LOCAL_MODE: 'off',
    ...(options.slack
      ? { SLACK_BOT_TOKEN: SLACK_DEFAULTS.botToken, SLACK_SIGNING_SECRET: SLACK_DEFAULTS.signingSecret, SLACK_API_URL: options.slack.apiUrl }
      : {}),
    ...(options.linear ? { LINEAR_API_KEY: options.linear.apiKey, LINEAR_API_URL: options.linear.apiUrl } : {}),
    ...(options.jira ? { JIRA_HOST: options.jira.url, JIRA_EMAIL: options.jira.email, JIRA_API_TOKEN: options.jira.apiToken } : {}),
    ...options.env,
  };
  const cwd = mkdtempSync(join(tmpdir(), 'baton-cwd-'));
  if (options.policy) writeFileSync(join(cwd, 'baton.yml'), stringify(options.policy));
  const config = loadConfig({ env, cwd });
  config.policy.queue.poll_interval_seconds = 0.5;
  config.policy.queue.shutdown_grace_seconds = 1;
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const log = createLogger({ level: 'debug', pretty: false, secrets: config.secrets, destination });
  const baton = await startBaton(config, { role: options.role ?? 'all', log, agent: options.agent });
  return { baton, url: baton.url, slackEventsUrl: `${baton.url}/slack/events`, config, logs, stop: () => baton.stop() };
}
