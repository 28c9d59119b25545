import type { StateCategory, TicketPriority, TicketState } from '../domain/ticket.ts';
import type { Queryable } from './pool.ts';

/** The local tracker's tables (migrations/0008_local_tickets.sql). Keys are upper-case `<TEAM>-<n>`. */

export interface LocalTicketRecord {
  key: string;
  team: string;
  number: number;
  title: string;
  description: string;
  state: TicketState;
  labels: string[];
  priority: TicketPriority;
  reporter: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface LocalComment {
  id: string;
  ticketKey: string;
  author: string;
  body: string;
  createdAt: Date;
}

export interface LocalStateChange {
  ticketKey: string;
  /** Null for the state a ticket was created in. */
  from: string | null;
  to: string;
  by: string;
  at: Date;
}

interface TicketRow {
  key: string;
  team: string;
  number: number;
  title: string;
  description: string;
  state_name: string;
  state_category: StateCategory;
  labels: string[];
  priority: TicketPriority;
  reporter: string | null;
  created_at: Date;
  updated_at: Date;
}

function toTicket(row: TicketRow): LocalTicketRecord {
  return {
    key: row.key, team: row.team, number: row.number, title: row.title, description: row.description,
    state: { name: row.state_name, category: row.state_category }, labels: row.labels, priority: row.priority,
    reporter: row.reporter, createdAt: row.created_at, updatedAt: row.updated_at,
  };
}

export interface NewLocalTicket {
  team: string;
  title: string;
  description: string;
  labels: string[];
  priority: TicketPriority;
  reporter: string | null;
  state: TicketState;
  /** Who created it, for the history's first entry. */
  by: string;
}

/**
 * Creates a ticket with the team's next number, and its first history entry, in one statement:
 * the counter row is bumped (or created at 1) under its row lock, so concurrent creations for a
 * team get consecutive numbers and never the same key.
 */
export async function insertLocalTicket(db: Queryable, input: NewLocalTicket): Promise<LocalTicketRecord> {
  const { rows } = await db.query<TicketRow>(
    `WITH counter AS (
       INSERT INTO local_ticket_counters (team, last_number) VALUES ($1, 1)
       ON CONFLICT (team) DO UPDATE SET last_number = local_ticket_counters.last_number + 1
       RETURNING last_number
     ), ticket AS (
       INSERT INTO local_tickets (key, team, number, title, description, state_name, state_category, labels, priority, reporter)
       SELECT $1 || '-' || last_number, $1, last_number, $2, $3, $4, $5, $6, $7, $8 FROM counter
       RETURNING *
     ), history AS (
       INSERT INTO local_ticket_history (ticket_key, from_state, to_state, changed_by, at)
       SELECT key, NULL, state_name, $9, created_at FROM ticket
     )
     SELECT * FROM ticket`,
    [input.team, input.title, input.description, input.state.name, input.state.category, input.labels, input.priority, input.reporter, input.by],
  );
  return toTicket(rows[0]!);
}

export async function localTicket(db: Queryable, key: string): Promise<LocalTicketRecord | undefined> {
  const { rows } = await db.query<TicketRow>('SELECT * FROM local_tickets WHERE key = $1', [key]);
  return rows[0] ? toTicket(rows[0]) : undefined;
}

/** Tickets for the page's list, most recently changed first. */
export async function listLocalTickets(db: Queryable, options: { team?: string; limit: number }): Promise<LocalTicketRecord[]> {
  const { rows } = await db.query<TicketRow>(
    'SELECT * FROM local_tickets WHERE ($1::text IS NULL OR team = $1) ORDER BY updated_at DESC, key LIMIT $2',
    [options.team ?? null, options.limit],
  );
  return rows.map(toTicket);
}

/**
 * Open tickets of a team carrying the label and/or in the state (names without case), oldest
 * first. Done and cancelled tickets are never ready, whatever their labels say.
 */
export async function readyLocalTickets(
  db: Queryable, rule: { team: string; label?: string; state?: string; limit: number },
): Promise<LocalTicketRecord[]> {
  const { rows } = await db.query<TicketRow>(
    `SELECT * FROM local_tickets
     WHERE team = $1 AND state_category NOT IN ('done', 'cancelled')
       AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM unnest(labels) AS l WHERE lower(l) = lower($2)))
       AND ($3::text IS NULL OR lower(state_name) = lower($3))
     ORDER BY created_at, number LIMIT $4`,
    [rule.team, rule.label ?? null, rule.state ?? null, rule.limit],
  );
  return rows.map(toTicket);
}

/**
 * Moves a ticket to a state and records the move, unless it is there already (by name, without
 * case): then nothing is written and undefined comes back, as it does for an unknown key. The
 * row is locked while its current state is read, so of two people moving it at once, the second
 * sees the first's state as its `from`.
 */
export async function moveLocalTicket(db: Queryable, key: string, state: TicketState, by: string): Promise<LocalStateChange | undefined> {
  const { rows } = await db.query<{ key: string; from_state: string; to_state: string; updated_at: Date }>(
    `WITH moved AS (
       UPDATE local_tickets t SET state_name = $2, state_category = $3, updated_at = now()
       FROM (SELECT key, state_name FROM local_tickets WHERE key = $1 FOR UPDATE) old
       WHERE t.key = old.key AND lower(old.state_name) <> lower($2)
       RETURNING t.key, old.state_name AS from_state, t.state_name AS to_state, t.updated_at
     ), history AS (
       INSERT INTO local_ticket_history (ticket_key, from_state, to_state, changed_by, at)
       SELECT key, from_state, to_state, $4, updated_at FROM moved
     )
     SELECT * FROM moved`,
    [key, state.name, state.category, by],
  );
  const row = rows[0];
  return row ? { ticketKey: row.key, from: row.from_state, to: row.to_state, by, at: row.updated_at } : undefined;
}

export interface LocalTicketEdit {
  title?: string;
  description?: string;
  labels?: string[];
}

/** Changes a ticket's title, description or labels; returns it before and after, or undefined for an unknown key. */
export async function editLocalTicket(
  db: Queryable, key: string, edit: LocalTicketEdit,
): Promise<{ before: LocalTicketRecord; after: LocalTicketRecord } | undefined> {
  const { rows } = await db.query<TicketRow & { old: TicketRow }>(
    `UPDATE local_tickets t
     SET title = coalesce($2, t.title), description = coalesce($3, t.description), labels = coalesce($4, t.labels), updated_at = now()
     FROM (SELECT * FROM local_tickets WHERE key = $1 FOR UPDATE) old
     WHERE t.key = old.key
     RETURNING t.*, row_to_json(old) AS old`,
    [key, edit.title ?? null, edit.description ?? null, edit.labels ?? null],
  );
  const row = rows[0];
  if (!row) return undefined;
  const { old, ...after } = row;
  // row_to_json gives timestamps as strings.
  const before = { ...old, created_at: new Date(old.created_at), updated_at: new Date(old.updated_at) };
  return { before: toTicket(before), after: toTicket(after) };
}

/** Adds a comment to an existing ticket (undefined for an unknown key); the ticket counts as updated. */
export async function insertLocalComment(db: Queryable, key: string, author: string, body: string): Promise<LocalComment | undefined> {
  const { rows } = await db.query<{ id: string; created_at: Date }>(
    `WITH ticket AS (UPDATE local_tickets SET updated_at = now() WHERE key = $1 RETURNING key, updated_at)
     INSERT INTO local_ticket_comments (ticket_key, author, body, created_at)
     SELECT key, $2, $3, updated_at FROM ticket
     RETURNING id, created_at`,
    [key, author, body],
  );
  const row = rows[0];
  return row ? { id: String(row.id), ticketKey: key, author, body, createdAt: row.created_at } : undefined;
}

/** A ticket's comments, oldest first; with `latest`, only that many of the most recent. */
export async function localComments(db: Queryable, key: string, latest?: number): Promise<LocalComment[]> {
  const { rows } = await db.query<{ id: string; author: string; body: string; created_at: Date }>(
    `SELECT * FROM (
       SELECT id, author, body, created_at FROM local_ticket_comments WHERE ticket_key = $1 ORDER BY id DESC LIMIT $2
     ) recent ORDER BY id`,
    [key, latest ?? null],
  );
  return rows.map((r) => ({ id: String(r.id), ticketKey: key, author: r.author, body: r.body, createdAt: r.created_at }));
}

/** Every state a ticket entered, oldest first. */
export async function localStateHistory(db: Queryable, key: string): Promise<LocalStateChange[]> {
  const { rows } = await db.query<{ from_state: string | null; to_state: string; changed_by: string; at: Date }>(
    'SELECT from_state, to_state, changed_by, at FROM local_ticket_history WHERE ticket_key = $1 ORDER BY id',
    [key],
  );
  return rows.map((r) => ({ ticketKey: key, from: r.from_state, to: r.to_state, by: r.changed_by, at: r.at }));
}
