#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.ts';
import { startBaton, type Role } from './main.ts';

const USAGE = `Usage: baton start [--role all|web|worker]

  all     (default) serve Slack and webhooks and run jobs in one process
  web     serve Slack, webhooks and health only
  worker  run jobs (and health) only; any number of web and worker processes can share one PostgreSQL`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { role: { type: 'string', default: 'all' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help || positionals[0] !== 'start') {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  if (!['all', 'web', 'worker'].includes(values.role!)) {
    console.error(`Unknown role "${values.role}".\n\n${USAGE}`);
    return 2;
  }
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  const baton = await startBaton(config, { role: values.role as Role });
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string): void => {
      baton.log.info({ signal }, 'shutting down: no new work; running jobs get the grace period');
      // A second signal means "now": exit without waiting for jobs (pg-boss retries them after expiry).
      process.once(signal, () => process.exit(130));
      baton.stop().then(resolve, (error: unknown) => {
        baton.log.error({ err: error }, 'shutdown failed');
        resolve();
      });
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`Baton failed to start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
