import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { EmbeddedPostgresLockedError, startEmbeddedPostgres } from '../db/embedded-postgres.ts';
import { insertLocalTicket } from '../db/local-tickets.ts';
import { migrate } from '../db/migrate.ts';
import { createPool, type Pool } from '../db/pool.ts';
import { networkFailureCode } from '../integrations/trackers/ticket-tracker.ts';
import { parseNewTicket } from './ticket-routes.ts';

export const TICKET_ADD_USAGE = `Usage: baton ticket add --team TEAM "title" [--body "…"] [--label NAME]… [--priority urgent|high|medium|low|none]

  Creates a ticket in the local tracker (a team with tracker: local in baton.yml) and prints its key.
  With Baton running, the ticket goes through it (LOCAL_PORT), and Baton reacts as to a tracker's
  webhook; otherwise it is written to Baton's database (DATABASE_URL, or the embedded one under DATA_DIR).`;

export interface OpenedDatabase {
  pool: Pool;
  close(): Promise<void>;
}

export interface TicketAddDeps {
  config: Pick<Config, 'policy' | 'database' | 'dataDir' | 'local'>;
  out(line: string): void;
  err(line: string): void;
  /** Baton's database, migrated; by default DATABASE_URL or the embedded PostgreSQL under DATA_DIR. */
  openDatabase?(config: TicketAddDeps['config']): Promise<OpenedDatabase>;
}

// The running instance is on this machine: an answer takes milliseconds, unless it is stuck.
const RUNNING_TIMEOUT_MS = 15_000;

/** `baton ticket add …` (argv after `ticket add`): the exit code, having printed the key or why not. */
export async function ticketAddCommand(argv: string[], deps: TicketAddDeps): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        team: { type: 'string' },
        body: { type: 'string' },
        label: { type: 'string', multiple: true },
        priority: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    deps.err(`${(error as Error).message}\n\n${TICKET_ADD_USAGE}`);
    return 2;
  }
  const { values, positionals } = args;
  if (values.help) {
    deps.out(TICKET_ADD_USAGE);
    return 0;
  }
  if (!values.team || positionals.length === 0) {
    deps.err(`${!values.team ? 'Give the team with --team' : 'Give the ticket\'s title'}.\n\n${TICKET_ADD_USAGE}`);
    return 2;
  }
  const request = { team: values.team, title: positionals.join(' '), body: values.body, labels: values.label, priority: values.priority };
  const localTeams = Object.entries(deps.config.policy.teams).filter(([, t]) => t.tracker === 'local').map(([prefix]) => prefix);
  // Checked here too, so a wrong team is told without waking a database.
  const ticket = parseNewTicket(request, localTeams, 'baton ticket add');
  if (!ticket.ok) {
    deps.err(ticket.reason);
    return 1;
  }

  const running = await askRunningBaton(deps.config.local, request);
  if (running.kind === 'answered') {
    if (!running.ok) {
      deps.err(running.message);
      return 1;
    }
    deps.out(running.key);
    if (running.warning) deps.err(running.warning);
    return 0;
  }

  let db: OpenedDatabase;
  try {
    db = await (deps.openDatabase ?? openBatonDatabase)(deps.config);
  } catch (error) {
    if (error instanceof EmbeddedPostgresLockedError) {
      deps.err(`${error.message}\nIts local server did not answer at ${deps.config.local.url}: is LOCAL_PORT the same for both?`);
    } else {
      deps.err(`Baton's database could not be opened: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
    return 1;
  }
  try {
    const created = await insertLocalTicket(db.pool, ticket.value);
    deps.out(created.key);
    deps.err(`(Baton is not running: ${created.key} was written to its database, and Baton sees it when it starts)`);
    return 0;
  } catch (error) {
    deps.err(`The ticket could not be written: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    return 1;
  } finally {
    await db.close();
  }
}

type RunningAnswer = { kind: 'nobody' } | { kind: 'answered'; ok: true; key: string; warning?: string } | { kind: 'answered'; ok: false; message: string };

/**
 * Asks the running Baton's local server to create the ticket. Nobody listening (connection
 * refused) is the one answer that lets the caller open the database itself: with the embedded
 * database, a running Baton owns it, and any other failure means Baton is there but not well.
 */
async function askRunningBaton(local: Config['local'], request: Record<string, unknown>): Promise<RunningAnswer> {
  // Port 0 picks a free port at each start: there is no address to ask.
  if (local.port === 0) return { kind: 'nobody' };
  const url = `${local.url}/_/tickets`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
      signal: AbortSignal.timeout(RUNNING_TIMEOUT_MS),
    });
  } catch (error) {
    const code = networkFailureCode(error);
    if (code === 'ECONNREFUSED') return { kind: 'nobody' };
    return { kind: 'answered', ok: false, message: `Baton's local server at ${local.url} did not answer (${code ?? (error as Error).message})` };
  }
  const text = await res.text();
  let body: { ok?: unknown; error?: unknown; warning?: unknown; ticket?: { key?: unknown } };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return { kind: 'answered', ok: false, message: `Something other than Baton answers at ${local.url} (HTTP ${res.status}); set LOCAL_PORT to Baton's` };
  }
  if (body.ok === true && typeof body.ticket?.key === 'string') {
    return { kind: 'answered', ok: true, key: body.ticket.key, ...(typeof body.warning === 'string' ? { warning: body.warning } : {}) };
  }
  return { kind: 'answered', ok: false, message: `Baton refused the ticket: ${typeof body.error === 'string' ? body.error : `HTTP ${res.status}`}` };
}

/** The database `baton start` would use, migrated (this may be the first command on a fresh machine). */
export async function openBatonDatabase(config: TicketAddDeps['config']): Promise<OpenedDatabase> {
  const { schema } = config.database;
  const embedded = config.database.url ? undefined : await startEmbeddedPostgres(config.dataDir, { schema });
  const pool = createPool({ url: config.database.url ?? embedded!.url, schema, max: 2 });
  const close = async (): Promise<void> => {
    await pool.end();
    await embedded?.stop();
  };
  try {
    await migrate(pool, schema);
  } catch (error) {
    await close();
    throw error;
  }
  return { pool, close };
}
