#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { handleUnhandledRejections } from './handle-unhandled-rejections.ts';
import type { Role } from './main.ts';

const USAGE = `Usage: baton start [--role all|web|worker] [--exit-with-parent]
       baton ticket add --team TEAM "title" [--body "…"] [--label NAME]… [--priority P]

  --role all     (default) serve Slack and webhooks and run jobs in one process
  --role web     serve Slack, webhooks and health only
  --role worker  run jobs (and health) only; any number of web and worker processes can share one PostgreSQL
  --exit-with-parent  stop (as on SIGTERM) when the process that started Baton exits; npm start sets it

  ticket add     create a ticket in the local tracker (a team with tracker: local) and print its key (BUG-1);
                 through the running Baton when there is one, else straight into its database`;

/** A repeat of the stop signal sooner than this is the same stop delivered twice, not a person insisting. */
const DUPLICATE_SIGNAL_MS = 1000;

/**
 * SIGTERM or SIGINT asks for a graceful stop. A second signal means "now": exit without waiting
 * for jobs (pg-boss retries them after expiry). But one stop can arrive twice within
 * milliseconds: Ctrl-C in a terminal and systemd's default stop signal npm and Baton alike, and
 * npm passes its copy on.
 */
function onStopSignals(stop: (cause: { signal: NodeJS.Signals }) => void): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    let first: number | undefined;
    // One listener for good: when a signal's last listener goes (as `once` does before calling
    // it), Node restores the default action, and a repeat arriving then would kill Baton outright.
    process.on(signal, () => {
      if (first === undefined) {
        first = Date.now();
        stop({ signal });
      } else if (Date.now() - first > DUPLICATE_SIGNAL_MS) {
        process.exit(130);
      }
    });
  }
}

/**
 * Why `npm start` is `exec node --max-semi-space-size=4 --import tsx src/cli.ts start --exit-with-parent`.
 * The flag: V8 grows its young generation to 3 × 16 MiB under start-up's allocations and keeps it,
 * idle; capped at 3 × 4 MiB an idle Baton holds about 40 MiB less (bench/idle-memory.ts), at the cost
 * of more frequent, smaller scavenges. It can only be given on the command line (V8 sizes the heap
 * before any code runs), so bin/baton.js's shebang and the Dockerfile's CMD carry it too.
 * The rest (npm 11, observed):
 * npm runs a script as `sh -c '<script>'` and, on SIGTERM or SIGINT, passes the signal to that
 * shell only, then waits for it. dash does not pass it on: it dies, and npm exits while Baton,
 * orphaned, keeps the port and the embedded database's lock. `exec` puts Baton in the shell's
 * place, so npm's forwarded signal reaches Baton and npm exits after it (and `--import tsx`
 * instead of the tsx CLI leaves no wrapper process in between). npm cannot forward a SIGKILL,
 * and `npx baton start` keeps the shell: for those, Baton watches its parent and stops as on
 * SIGTERM once it is gone. Only on request: a Baton started with nohup or setsid from a terminal
 * is meant to outlive its parent.
 */
function watchParent(parentPid: number, onExit: () => void): void {
  // process.ppid is read from the OS each time; an orphan is re-parented to init or a subreaper.
  const timer = setInterval(() => {
    if (process.ppid === parentPid) return;
    clearInterval(timer);
    onExit();
  }, 1000);
  timer.unref();
}

/** The configuration, or undefined once its problems are printed (a ConfigError lists them all). */
function configOrNothing(): ReturnType<typeof loadConfig> | undefined {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return undefined;
  }
}

/** `baton ticket add …`: works whether or not Baton runs (src/local/add-ticket-command.ts). */
async function ticket(argv: string[]): Promise<number> {
  if (argv[0] !== 'add') {
    console.error(`Unknown command "ticket ${argv[0] ?? ''}".\n\n${USAGE}`);
    return 2;
  }
  const config = configOrNothing();
  if (!config) return 1;
  // Loaded here, as main.ts is below: the database client and PGlite are slow to import.
  const { ticketAddCommand } = await import('./local/add-ticket-command.ts');
  return ticketAddCommand(argv.slice(1), { config, out: (line) => console.log(line), err: (line) => console.error(line) });
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'ticket') return ticket(argv.slice(1));
  // Read before the slow start: a parent that dies meanwhile is noticed once Baton is up.
  const parentPid = process.ppid;
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      role: { type: 'string', default: 'all' },
      'exit-with-parent': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals[0] !== 'start') {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  if (!['all', 'web', 'worker'].includes(values.role!)) {
    console.error(`Unknown role "${values.role}".\n\n${USAGE}`);
    return 2;
  }
  const config = configOrNothing();
  if (!config) return 1;
  const role = values.role as Role;
  const log = createLogger({ ...config.log, secrets: config.secrets });
  log.info({ role, pid: process.pid }, 'Baton is starting');
  // Here, where the process is owned (not in startBaton, which tests run in-process): pg-boss
  // leaves rejections unhandled while PostgreSQL is away, and those must not end Baton.
  handleUnhandledRejections(log);
  // Listened for before the slow start, so no signal meets the default action (instant death,
  // the embedded database's lock left behind): a stop asked for meanwhile happens once Baton is up.
  let stop: (cause: Record<string, unknown>, why?: string) => void;
  let pending: Parameters<typeof stop> | undefined;
  stop = (...request) => void (pending ??= request);
  onStopSignals((cause) => stop(cause));
  // Loaded after the first line: the composition root imports every SDK, seconds on a busy host.
  const { startBaton } = await import('./main.ts');
  const baton = await startBaton(config, { role, log });
  await new Promise<void>((resolve) => {
    let stopping = false;
    stop = (cause, why = '') => {
      if (stopping) return;
      stopping = true;
      baton.log.info(cause, `${why}shutting down: no new work; running jobs get the grace period`);
      baton.stop().then(resolve, (error: unknown) => {
        baton.log.error({ err: error }, 'shutdown failed');
        resolve();
      });
    };
    if (pending) stop(...pending);
    if (values['exit-with-parent']) {
      watchParent(parentPid, () => stop({ parentPid }, `the process that started Baton (pid ${parentPid}) has exited: `));
    }
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
