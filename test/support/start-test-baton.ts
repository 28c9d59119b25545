import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig, type Config } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { startBaton, type Baton, type Role } from '../../src/main.ts';
import type { FakeSlack } from '../fakes/fake-slack.ts';
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
}

/** Baton as `npm start` builds it, on port 0, pointed at fakes, with SDK retries off. */
export async function startTestBaton(options: TestBatonOptions): Promise<TestBaton> {
  const env: Record<string, string> = {
    PORT: '0',
    DATABASE_URL: options.db.url,
    DATABASE_SCHEMA: options.db.schema,
    HTTP_RETRIES: '0',
    LOG_LEVEL: 'debug',
    ...(options.slack
      ? { SLACK_BOT_TOKEN: SLACK_DEFAULTS.botToken, SLACK_SIGNING_SECRET: SLACK_DEFAULTS.signingSecret, SLACK_API_URL: options.slack.apiUrl }
      : {}),
    ...options.env,
  };
  const config = loadConfig({ env, cwd: mkdtempSync(join(tmpdir(), 'baton-cwd-')) });
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
  const baton = await startBaton(config, { role: options.role ?? 'all', log });
  return { baton, url: baton.url, slackEventsUrl: `${baton.url}/slack/events`, config, logs, stop: () => baton.stop() };
}
