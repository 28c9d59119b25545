import pino from 'pino';
import { loadConfig } from '../../src/config.ts';
import { startBaton, type Baton } from '../../src/main.ts';
import { FakeSlack } from '../../test/fakes/fake-slack.ts';
import { SLACK_DEFAULTS } from '../../test/fakes/slack-defaults.ts';

export interface BenchBaton {
  baton: Baton;
  slack: FakeSlack;
  eventsUrl: string;
  /** Rows in Baton's runs table. */
  countRuns(): Promise<number>;
  stop(): Promise<void>;
}

export interface BenchBatonOptions {
  /** Unset: Baton starts its embedded PostgreSQL under `dataDir`, as in production without DATABASE_URL. */
  databaseUrl: string | undefined;
  schema: string;
  /** Data directory and config cwd (so no `.env` or `baton.yml` of the repository applies). */
  dataDir: string;
}

/**
 * Baton as `npm start` builds it (`role: 'all'`: web and worker, production queue policy), on port 0,
 * with the fake Slack as its Web API so the worker's thread posting is real, concurrent work.
 * Logging is a silent pino logger, so log I/O does not dominate what is measured.
 */
export async function startBenchBaton(options: BenchBatonOptions): Promise<BenchBaton> {
  const slack = new FakeSlack();
  await slack.start();
  try {
    const env: Record<string, string> = {
      PORT: '0',
      DATA_DIR: options.dataDir,
      DATABASE_SCHEMA: options.schema,
      LOG_LEVEL: 'silent',
      SLACK_BOT_TOKEN: SLACK_DEFAULTS.botToken,
      SLACK_SIGNING_SECRET: SLACK_DEFAULTS.signingSecret,
      SLACK_API_URL: slack.apiUrl,
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    };
    const config = loadConfig({ env, cwd: options.dataDir });
    const baton = await startBaton(config, { role: 'all', log: pino({ level: 'silent' }) });
    return {
      baton,
      slack,
      eventsUrl: `${baton.url}/slack/events`,
      async countRuns() {
        const { rows } = await baton.pool.query<{ n: string }>('SELECT count(*) AS n FROM runs');
        return Number(rows[0]!.n);
      },
      async stop() {
        try {
          await baton.stop();
        } finally {
          await slack.stop();
        }
      },
    };
  } catch (error) {
    await slack.stop();
    throw error;
  }
}
