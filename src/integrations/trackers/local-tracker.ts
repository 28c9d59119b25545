import type { Pool } from '../../db/pool.ts';
import {
  insertLocalComment,
  localComments,
  localTicket,
  moveLocalTicket,
  readyLocalTickets,
  type LocalComment,
  type LocalTicketRecord,
} from '../../db/local-tickets.ts';
import { MAX_TICKET_COMMENTS, type Ticket, type TicketState } from '../../domain/ticket.ts';
import { networkFailureCode, TrackerError, type TicketTracker } from './ticket-tracker.ts';

export interface LocalTrackerOptions {
  pool: Pool;
  /** Where the local page is served (http://127.0.0.1:3001); a ticket's URL is `<pageUrl>/tickets/<KEY>`. */
  pageUrl: string;
}

/**
 * The local tracker's one workflow, in board order. A name outside it is refused (TrackerError
 * `invalid`, naming these) rather than created: a typo in baton.yml's `states` would otherwise
 * invent a state whose category Baton can only guess, and a ticket moved to "Closed" as
 * in_progress would never count as closed.
 */
export const LOCAL_STATES: readonly TicketState[] = [
  { name: 'Todo', category: 'todo' },
  { name: 'In Progress', category: 'in_progress' },
  { name: 'In Review', category: 'in_progress' },
  { name: 'Done', category: 'done' },
  { name: 'Cancelled', category: 'cancelled' },
];

/** The state a new ticket starts in. */
export const LOCAL_INITIAL_STATE: TicketState = LOCAL_STATES[0]!;

/** The workflow state with this name, without case; undefined for any other name. */
export function localState(name: string): TicketState | undefined {
  const wanted = name.trim().toLowerCase();
  return LOCAL_STATES.find((s) => s.name.toLowerCase() === wanted);
}

export function unknownLocalStateMessage(key: string, stateName: string): string {
  return `${key}: the local tracker has no state "${stateName}" (states: ${LOCAL_STATES.map((s) => s.name).join(', ')})`;
}

/** Keys are stored upper-case, as trackers print them; people and payloads may type `bug-1`. */
export function normalizeLocalKey(key: string): string {
  return key.trim().toUpperCase();
}

export function localTicketUrl(pageUrl: string, key: string): string {
  return `${pageUrl.replace(/\/+$/, '')}/tickets/${encodeURIComponent(key)}`;
}

export function ticketFromLocal(record: LocalTicketRecord, comments: readonly LocalComment[], pageUrl: string): Ticket {
  return {
    key: record.key,
    title: record.title,
    description: record.description,
    url: localTicketUrl(pageUrl, record.key),
    labels: record.labels,
    priority: record.priority,
    team: record.team,
    state: record.state,
    // A local ticket's reporter is a name (an emulated user's, or whoever the page says), not an account.
    reporter: record.reporter ? { name: record.reporter, id: record.reporter } : null,
    comments: comments.slice(-MAX_TICKET_COMMENTS).map((c) => ({ author: c.author, body: c.body, createdAt: c.createdAt.toISOString() })),
  };
}

// Polling is a backstop for missed events; Linear's tracker caps a ready list at the same size.
const MAX_READY = 200;

/** Who Baton's own comments and moves are by, on the ticket page. */
export const BATON_AUTHOR = 'baton';

/**
 * Database calls per call: getTicket 2 · comment 1 · moveTo 1 (2 when already there or unknown) ·
 * findReady 1 + 1 per ticket found.
 */
export function createLocalTracker(options: LocalTrackerOptions): TicketTracker {
  const { pool, pageUrl } = options;

  async function read(key: string): Promise<Ticket> {
    const record = await localTicket(pool, key);
    if (!record) throw new TrackerError('not_found', `${key} not found in the local tracker`);
    return ticketFromLocal(record, await localComments(pool, key, MAX_TICKET_COMMENTS), pageUrl);
  }

  return {
    getTicket: (key) => guard(() => read(normalizeLocalKey(key))),

    comment: (key, markdown) =>
      guard(async () => {
        const normalized = normalizeLocalKey(key);
        const added = await insertLocalComment(pool, normalized, BATON_AUTHOR, markdown);
        if (!added) throw new TrackerError('not_found', `${normalized} not found in the local tracker`);
      }),

    moveTo: (key, stateName) =>
      guard(async () => {
        const normalized = normalizeLocalKey(key);
        const state = localState(stateName);
        if (!state) throw new TrackerError('invalid', unknownLocalStateMessage(normalized, stateName));
        if (await moveLocalTicket(pool, normalized, state, BATON_AUTHOR)) return;
        // Nothing moved: already in that state (a retried job), or no such ticket.
        if (!(await localTicket(pool, normalized))) throw new TrackerError('not_found', `${normalized} not found in the local tracker`);
      }),

    findReady: (rule) =>
      guard(async () => {
        const records = await readyLocalTickets(pool, { team: rule.team.toUpperCase(), label: rule.label, state: rule.state, limit: MAX_READY });
        return Promise.all(records.map(async (r) => ticketFromLocal(r, await localComments(pool, r.key, MAX_TICKET_COMMENTS), pageUrl)));
      }),
  };
}

// SQLSTATE classes and codes that mean the database went away or is overloaded, not a bug here:
// 08 connection exception, 57P01-03 shutdown / cannot connect now, 53300 too many connections.
const DATABASE_GONE = /^(08...|57P0[123]|53300)$/;

/**
 * The port promises TrackerErrors only: a database that cannot be reached is the tracker being
 * `unavailable` (retried). Anything else is a bug in this file or the schema, and stays itself.
 */
async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof TrackerError) throw error;
    const code = (error as { code?: unknown }).code;
    const network = networkFailureCode(error);
    const message = error instanceof Error ? error.message : String(error);
    // pg-pool's own words when no connection came within connectionTimeoutMillis, or one was cut.
    const lost = /timeout exceeded when trying to connect|Connection terminated/i.test(message);
    if (network || lost || (typeof code === 'string' && DATABASE_GONE.test(code))) {
      throw new TrackerError('unavailable', `the local tracker's database could not be reached (${network ?? (typeof code === 'string' ? code : message)})`);
    }
    throw error;
  }
}
