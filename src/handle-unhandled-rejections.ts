import type { Logger } from './logger.ts';

/*
 * pg-boss 10.4.2 settles a job without awaiting it: its work loop calls `this.complete(…)` and
 * `this.fail(…)` (node_modules/pg-boss/src/manager.js, `watch` → `onFetch`) and drops the
 * promise (timgit/pg-boss#577). While PostgreSQL is down or restarting that promise rejects
 * (ECONNREFUSED, "Connection terminated unexpectedly", 57P01), nobody can catch it, and Node's
 * default for an unhandled rejection ends the process. Such a rejection loses nothing that
 * staying up would lose: the job it concerned stays `active` until its job lease lapses and a
 * worker releases it for a retry (src/jobs/queue.ts), whether this process lives or not. So
 * Baton logs it and keeps serving.
 */

/** Node's socket errors for a peer that is gone, refusing, or unreachable. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/**
 * PostgreSQL's SQLSTATEs for a server that ends or refuses sessions: class 08 (connection
 * exception), 57P01 admin_shutdown (`pg_ctl stop -m fast`), 57P02 crash_shutdown, 57P03
 * cannot_connect_now (starting up or shutting down).
 */
const isLostSessionState = (code: string): boolean => code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03';

/** node-postgres's own messages for a connection that died or could not be made (they carry no code). */
const PG_CONNECTION_MESSAGES = [
  'Connection terminated', // … unexpectedly, … due to connection timeout
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
];

/** Whether `reason` (or an error it wraps: `cause`, an AggregateError's `errors`) is a lost or refused database connection. */
export function isConnectionLoss(reason: unknown, depth = 0): boolean {
  if (typeof reason !== 'object' || reason === null || depth > 4) return false;
  const { code, message, cause, errors } = reason as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || (/^[0-9A-Z]{5}$/.test(code) && isLostSessionState(code)))) return true;
  if (typeof message === 'string' && PG_CONNECTION_MESSAGES.some((m) => message.startsWith(m))) return true;
  // Node's connect to a host name with several addresses (localhost: ::1 and 127.0.0.1) rejects with an AggregateError of ECONNREFUSEDs.
  if (Array.isArray(errors) && errors.length > 0 && errors.every((e) => isConnectionLoss(e, depth + 1))) return true;
  return cause !== undefined && isConnectionLoss(cause, depth + 1);
}

/** One log line per outage, not one per job: a cause seen again within this is the same outage. */
const SAME_OUTAGE_MS = 60_000;
/** Distinct causes remembered at most; past it the memory starts afresh (a cause may then be logged twice). */
const MAX_CAUSES = 100;

export interface RejectionHandlerOptions {
  log: Logger;
  /** Ends the process; process.exit outside tests. */
  exit: (code: number) => void;
  now?: () => number;
}

/**
 * The `unhandledRejection` listener. A lost database connection is logged at error level once per
 * distinct cause (code and message) and outage, repeats at debug with their count, and Baton runs
 * on. Any other unhandled rejection still ends the process with code 1, as Node's default would,
 * after one fatal log line: it is a bug whose effects are unknown (a promise of ours that nobody
 * awaited, a half-applied change), and a process that swallows those hides them; the supervisor
 * starts a fresh one and pg-boss retries whatever it held. Keeping that exit is the narrow change:
 * only the failure we understand is let through.
 */
export function createRejectionHandler(options: RejectionHandlerOptions): (reason: unknown) => void {
  const now = options.now ?? Date.now;
  const seen = new Map<string, { lastAt: number; repeats: number }>();
  return (reason) => {
    if (!isConnectionLoss(reason)) {
      options.log.fatal({ err: reason }, 'unhandled promise rejection: Baton exits (a bug, not a lost database connection)');
      // The line first (pretty logs go through a worker thread), but not waiting on it for long.
      let exited = false;
      const exit = (): void => {
        if (exited) return;
        exited = true;
        options.exit(1);
      };
      options.log.flush(exit);
      setTimeout(exit, 1000).unref();
      return;
    }
    const { code, message } = reason as { code?: unknown; message?: unknown };
    const cause = `${typeof code === 'string' ? code : ''} ${typeof message === 'string' ? message : String(reason)}`;
    const at = now();
    const known = seen.get(cause);
    if (known && at - known.lastAt < SAME_OUTAGE_MS) {
      known.lastAt = at;
      known.repeats += 1;
      options.log.debug({ err: reason, repeats: known.repeats }, 'unhandled rejection from a lost database connection, again');
      return;
    }
    if (seen.size >= MAX_CAUSES) seen.clear();
    seen.set(cause, { lastAt: at, repeats: 0 });
    options.log.error(
      { err: reason },
      'unhandled rejection from a lost database connection (pg-boss settling a job without awaiting it); Baton keeps running: ' +
        'the job stays active until it is handed out again, and repeats of this cause are logged at debug',
    );
  };
}

/** Installs the listener for this process: only the process entry (src/cli.ts) owns that decision. */
export function handleUnhandledRejections(log: Logger): void {
  process.on('unhandledRejection', createRejectionHandler({ log, exit: (code) => process.exit(code) }));
}
