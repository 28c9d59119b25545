import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.ts';
import { createLogger, type Logger } from './logger.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './db/embedded-postgres.ts';
import { migrate } from './db/migrate.ts';
import { createPool, type Pool } from './db/pool.ts';
import { latestRunForTicket, listActiveRuns } from './db/runs.ts';
import { createQueue, type Queue } from './jobs/queue.ts';
import { registerWorkers } from './jobs/register-workers.ts';
import { startRun } from './jobs/start-run.ts';
import { createSlackClient } from './integrations/slack.ts';
import { createSlackApp, type SlackApp } from './bot/create-slack-app.ts';
import { registerAgentCommand } from './bot/commands/agent-command.ts';
import { createHttpServer, type ReadyReport } from './bot/create-http-server.ts';
import { slackNotConnectedNotice } from './bot/views/slack-not-connected.ts';

export type Role = 'all' | 'web' | 'worker';

export interface Baton {
  url: string;
  pool: Pool;
  queue: Queue;
  log: Logger;
  stop(): Promise<void>;
}

export interface StartOptions {
  role: Role;
  log?: Logger;
}

/** The composition root: every client and store is built here and handed to what needs it. */
export async function startBaton(config: Config, options: StartOptions): Promise<Baton> {
  const log = options.log ?? createLogger({ ...config.log, secrets: config.secrets });
  const web = options.role !== 'worker';
  const worker = options.role !== 'web';
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop();
  };

  try {
    let embedded: EmbeddedPostgres | undefined;
    if (!config.database.url) {
      embedded = await startEmbeddedPostgres(config.dataDir, { schema: config.database.schema });
      stops.push(() => embedded!.stop());
      log.info({ dataDir: config.dataDir }, 'DATABASE_URL is unset: using the embedded PostgreSQL under the data directory');
    }
    const pool = createPool({ url: config.database.url ?? embedded!.url, schema: config.database.schema });
    // pg attaches the client (with its connection parameters) to the error: log only what it says.
    pool.on('error', (error: Error & { code?: string }) =>
      log.error({ error: error.message, code: error.code }, 'idle database connection failed'),
    );
    stops.push(() => pool.end());
    const applied = await migrate(pool, config.database.schema);
    if (applied.length) log.info({ applied }, 'database migrated');

    const queue = createQueue({
      pool,
      schema: `${config.database.schema}_jobs`,
      pollIntervalSeconds: config.policy.queue.poll_interval_seconds,
      log,
      supervise: worker,
    });
    await queue.start();
    stops.push(() => queue.stop(config.policy.queue.shutdown_grace_seconds));

    const slack = config.slack ? createSlackClient({ apiUrl: config.slack.apiUrl, token: config.slack.botToken, retries: config.httpRetries }) : undefined;
    if (worker) await registerWorkers({ pool, queue, slack, log });

    let slackApp: SlackApp | undefined;
    if (web && config.slack) {
      slackApp = createSlackApp({ slack: config.slack, retries: config.httpRetries, log });
      registerAgentCommand(slackApp.app, {
        startRun: (input) => startRun(input, { pool, queue }),
        listRuns: async (ticketKey) => {
          if (!ticketKey) return listActiveRuns(pool);
          const run = await latestRunForTicket(pool, ticketKey);
          return run ? [run] : [];
        },
        log,
      });
      await slackApp.start();
      stops.push(() => slackApp!.stop());
    } else if (web) {
      log.warn({ missing: config.slackMissing }, slackNotConnectedNotice(config.slackMissing));
    }

    const readiness = async (): Promise<ReadyReport> => {
      const database = await pool.query('SELECT 1').then(
        () => 'ok',
        (error: unknown) => `unreachable: ${(error as Error).message}`,
      );
      const checks = { database, queue: queue.started ? 'ok' : 'stopped', slack: slackApp ? slackApp.mode : 'not connected' };
      return { ready: database === 'ok' && queue.started, checks };
    };
    const server = createHttpServer({ slack: web ? slackApp?.httpHandler : undefined, webhooks: {}, readiness, log });
    await listen(server, config.port);
    stops.push(() => close(server));
    stops.unshift(async () => log.info('Baton stopped'));
    const { port } = server.address() as AddressInfo;
    log.info({ port, role: options.role, slack: slackApp?.mode ?? 'not connected' }, 'Baton is up');

    let stopping: Promise<void> | undefined;
    return { url: `http://127.0.0.1:${port}`, pool, queue, log, stop: () => (stopping ??= stopAll()) };
  } catch (error) {
    await stopAll().catch((stopError: unknown) => log.error({ err: stopError }, 'clean-up after a failed start failed'));
    throw error;
  }
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function close(server: Server): Promise<void> {
  // Stop taking requests; Slack's in-flight ones finish (they ack within 3 s).
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  return closed;
}
