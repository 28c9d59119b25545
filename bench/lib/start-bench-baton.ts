import pino from 'pino';
import { loadConfig } from '../../src/config.ts';
import { startBaton, type Baton } from '../../src/main.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { FakeSlack } from '../../test/fakes/fake-slack.ts';
import { FakeLinear } from '../../test/fakes/fake-linear.ts';
import { SLACK_DEFAULTS } from '../../test/fakes/slack-defaults.ts';

/** The ticket prefixes bench/ack-latency.ts sends `/agent fix` for. */
export const BENCH_PREFIXES = ['WARMUP', 'BENCH'];

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
  const linear = new FakeLinear();
  await Promise.all([slack.start(), linear.start()]);
  // Each bench prefix is a Linear team, so /agent fix is accepted as in production. The tickets
  // are not seeded: after opening its thread each run reads "not found" and fails without a
  // retry, which keeps the workers busy as real runs would; the measured ack path is the same.
  for (const key of BENCH_PREFIXES) linear.addTeam({ key, name: key });
  const team = { tracker: 'linear', channel: SLACK_DEFAULTS.channelId };
  writeFileSync(join(options.dataDir, 'baton.yml'), stringify({ teams: Object.fromEntries(BENCH_PREFIXES.map((p) => [p, team])) }));
  const stopFakes = async (): Promise<void> => {
    await Promise.all([slack.stop(), linear.stop()]);
  };
  try {
    const env: Record<string, string> = {
      PORT: '0',
      DATA_DIR: options.dataDir,
      DATABASE_SCHEMA: options.schema,
      LOG_LEVEL: 'silent',
      SLACK_BOT_TOKEN: SLACK_DEFAULTS.botToken,
      SLACK_SIGNING_SECRET: SLACK_DEFAULTS.signingSecret,
      SLACK_API_URL: slack.apiUrl,
      LINEAR_API_KEY: linear.apiKey,
      LINEAR_API_URL: linear.apiUrl,
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
          await stopFakes();
        }
      },
    };
  } catch (error) {
    await stopFakes();
    throw error;
  }
}
