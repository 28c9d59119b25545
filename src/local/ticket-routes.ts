import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import type { Pool } from '../db/pool.ts';
import {
  editLocalTicket,
  insertLocalComment,
  insertLocalTicket,
  listLocalTickets,
  localComments,
  localStateHistory,
  localTicket,
  moveLocalTicket,
  type LocalTicketRecord,
  type NewLocalTicket,
} from '../db/local-tickets.ts';
import type { TicketEvent } from '../domain/ticket-event.ts';
import { BodyTooLargeError, readRawBody } from '../bot/webhooks/read-raw-body.ts';
import { LOCAL_INITIAL_STATE, LOCAL_STATES, localState, localTicketUrl, normalizeLocalKey, unknownLocalStateMessage } from '../integrations/trackers/local-tracker.ts';
import type { Logger } from '../logger.ts';
import type { LocalHandler } from './local-handler.ts';

/** A TicketEvent from the local tracker: what a Linear or Jira webhook would have said of the same change. */
export type LocalTicketEvent = Omit<TicketEvent, 'source'> & { source: 'local' };

export interface LocalTicketRoutesDeps {
  pool: Pool;
  pageUrl: string;
  /** Prefixes of the teams with `tracker: local`; tickets are created for these only. */
  teams: string[];
  /** Told after each change is committed, as a tracker webhook would tell Baton (main.ts: the intake queue). */
  onTicketEvent?: (event: LocalTicketEvent) => Promise<void>;
  log?: Logger;
}

const MAX_BODY_BYTES = 1024 * 1024;
const MAX_LIST = 500;
const KEY = /^[A-Z][A-Z0-9_]*-[1-9]\d*$/;

const text = z.string().trim().min(1);
const labels = z.array(text.max(100)).max(50).transform((list) => [...new Map(list.map((l) => [l.toLowerCase(), l])).values()]);
const newTicketSchema = z.object({
  team: text.transform((t) => t.toUpperCase()),
  title: text.max(500),
  body: z.string().optional(),
  /** The ticket's own word for `body`, taken as well. */
  description: z.string().optional(),
  labels: labels.default([]),
  priority: z.enum(['urgent', 'high', 'medium', 'low', 'none']).default('none'),
  reporter: text.max(200).optional(),
});
const commentSchema = z.object({ author: text.max(200), body: text });
const stateSchema = z.object({ state: text, by: text.max(200).optional() });
const editSchema = z
  .object({ title: text.max(500).optional(), description: z.string().optional(), labels: labels.optional() })
  .refine((e) => e.title !== undefined || e.description !== undefined || e.labels !== undefined, 'give a title, a description or labels');

type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

function parse<T>(schema: z.ZodType<T>, body: unknown): Parsed<T> {
  const result = schema.safeParse(body);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  return { ok: false, reason: `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}` };
}

/** A new ticket from a request body (or the CLI's arguments), for one of `teams` only. */
export function parseNewTicket(body: unknown, teams: readonly string[], by: string): Parsed<NewLocalTicket> {
  const parsed = parse(newTicketSchema, body);
  if (!parsed.ok) return parsed;
  const { team, title, labels: list, priority, reporter } = parsed.value;
  const description = parsed.value.body ?? parsed.value.description ?? '';
  if (!teams.includes(team)) {
    const known = teams.length ? `the local teams are ${teams.join(', ')}` : 'no team in baton.yml has tracker: local';
    return { ok: false, reason: `${team} is not a team with tracker: local in baton.yml (${known})` };
  }
  return { ok: true, value: { team, title, description, labels: list, priority, reporter: reporter ?? null, state: LOCAL_INITIAL_STATE, by: reporter ?? by } };
}

export function ticketJson(record: LocalTicketRecord, pageUrl: string): Record<string, unknown> {
  return {
    key: record.key, team: record.team, title: record.title, description: record.description,
    state: record.state.name, state_category: record.state.category, labels: record.labels, priority: record.priority,
    reporter: record.reporter, url: localTicketUrl(pageUrl, record.key),
    created_at: record.createdAt.toISOString(), updated_at: record.updatedAt.toISOString(),
  };
}

/** The event a tracker webhook would carry for this change of `after`. */
export function localTicketEvent(
  after: LocalTicketRecord, change: { created?: boolean; labelsAdded?: string[]; stateChanged?: boolean; descriptionChanged?: boolean },
): LocalTicketEvent {
  return {
    kind: change.created ? 'created' : 'updated',
    source: 'local',
    ticketKey: after.key,
    team: after.team,
    labelsAdded: change.created ? after.labels : (change.labelsAdded ?? []),
    ...(change.stateChanged ? { stateChangedTo: after.state } : {}),
    descriptionChanged: change.descriptionChanged ?? false,
    labels: after.labels,
    state: after.state,
    priority: after.priority,
  };
}

/**
 * `/_/tickets…`, the local tracker's JSON API (docs: /work/plan/LOCAL-MODE.md): the page's list and
 * ticket pages, and the CLI's `baton ticket add` while Baton runs. A person's change is told to
 * `onTicketEvent` once committed, as Linear or Jira would send a webhook; a comment is not, as
 * their comment webhooks change nothing for intake. Baton's own comments and moves go through
 * the tracker (createLocalTracker) and tell nobody, as with the other trackers' own echoes.
 */
export function localTicketRoutes(deps: LocalTicketRoutesDeps): LocalHandler {
  const { pool, pageUrl } = deps;

  /** A failure to tell Baton leaves the change made: the intake poll (findReady) is the backstop, as for a lost webhook. */
  async function tell(event: LocalTicketEvent): Promise<{ warning?: string }> {
    if (!deps.onTicketEvent) return {};
    try {
      await deps.onTicketEvent(event);
      return {};
    } catch (error) {
      deps.log?.error({ err: error, ticket: event.ticketKey }, 'local ticket changed, but Baton could not be told');
      return { warning: `Baton was not told of this change (${error instanceof Error ? error.message : String(error)}); its next poll of the tracker will see it` };
    }
  }

  async function detail(key: string): Promise<Answer> {
    const record = await localTicket(pool, key);
    if (!record) return notFound(key);
    const [comments, history] = await Promise.all([localComments(pool, key), localStateHistory(pool, key)]);
    return ok({
      ticket: ticketJson(record, pageUrl),
      comments: comments.map((c) => ({ id: c.id, author: c.author, body: c.body, created_at: c.createdAt.toISOString() })),
      history: history.map((h) => ({ at: h.at.toISOString(), from: h.from, to: h.to, by: h.by })),
      states: LOCAL_STATES.map((s) => s.name),
    });
  }

  async function route(req: IncomingMessage, parts: string[], url: URL): Promise<Answer> {
    const method = req.method ?? 'GET';
    if (parts.length === 0) {
      if (method === 'GET') {
        const team = url.searchParams.get('team')?.toUpperCase() || undefined;
        const tickets = await listLocalTickets(pool, { team, limit: MAX_LIST });
        return ok({ tickets: tickets.map((t) => ticketJson(t, pageUrl)) });
      }
      if (method !== 'POST') return notAllowed('GET, POST');
      const input = await withBody(req, (body) => parseNewTicket(body, deps.teams, 'the local page'));
      // The local teams with every refusal, so the page (or the CLI) can offer them.
      if (!input.ok) return { ...input.answer, body: { ...input.answer.body, teams: deps.teams } };
      const created = await insertLocalTicket(pool, input.value);
      return ok({ ticket: ticketJson(created, pageUrl), ...(await tell(localTicketEvent(created, { created: true }))) }, 201);
    }
    const key = normalizeLocalKey(parts[0]!);
    if (!KEY.test(key)) return fail(404, `${parts[0]} is not a ticket key (TEAM-123)`);
    const [, action, ...rest] = parts;
    if (rest.length > 0) return fail(404, `no such route: ${url.pathname}`);
    if (action === undefined) {
      if (method === 'GET') return detail(key);
      if (method !== 'PATCH') return notAllowed('GET, PATCH');
      const edit = await withBody(req, (body) => parse(editSchema, body));
      if (!edit.ok) return edit.answer;
      const changed = await editLocalTicket(pool, key, edit.value);
      if (!changed) return notFound(key);
      const had = new Set(changed.before.labels.map((l) => l.toLowerCase()));
      const event = localTicketEvent(changed.after, {
        labelsAdded: changed.after.labels.filter((l) => !had.has(l.toLowerCase())),
        descriptionChanged: changed.after.description !== changed.before.description,
      });
      return ok({ ticket: ticketJson(changed.after, pageUrl), ...(await tell(event)) });
    }
    if (action === 'comments') {
      if (method !== 'POST') return notAllowed('POST');
      const input = await withBody(req, (body) => parse(commentSchema, body));
      if (!input.ok) return input.answer;
      const comment = await insertLocalComment(pool, key, input.value.author, input.value.body);
      if (!comment) return notFound(key);
      return ok({ comment: { id: comment.id, author: comment.author, body: comment.body, created_at: comment.createdAt.toISOString() } }, 201);
    }
    if (action === 'state') {
      if (method !== 'POST') return notAllowed('POST');
      const input = await withBody(req, (body) => parse(stateSchema, body));
      if (!input.ok) return input.answer;
      const state = localState(input.value.state);
      if (!state) return fail(400, unknownLocalStateMessage(key, input.value.state));
      const moved = await moveLocalTicket(pool, key, state, input.value.by ?? 'a person on the local page');
      const record = await localTicket(pool, key);
      if (!record) return notFound(key);
      // Already in that state: nothing changed, so there is nothing to tell.
      if (!moved) return ok({ ticket: ticketJson(record, pageUrl), moved: false });
      return ok({ ticket: ticketJson(record, pageUrl), moved: true, ...(await tell(localTicketEvent(record, { stateChanged: true }))) });
    }
    return fail(404, `no such route: ${url.pathname}`);
  }

  return async (req, res, url) => {
    if (url.pathname !== '/_/tickets' && !url.pathname.startsWith('/_/tickets/')) return false;
    const parts = url.pathname.slice('/_/tickets'.length).split('/').filter(Boolean);
    let answer: Answer;
    try {
      answer = await route(req, parts, url);
    } catch (error) {
      deps.log?.error({ err: error, path: url.pathname }, 'local tracker request failed');
      answer = fail(500, `the local tracker failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
    res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify(answer.body));
    return true;
  };
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

const ok = (body: Record<string, unknown>, status = 200): Answer => ({ status, body: { ok: true, ...body } });
const fail = (status: number, error: string, extra: Record<string, unknown> = {}): Answer => ({ status, body: { ok: false, error, ...extra } });
const notFound = (key: string): Answer => fail(404, `${key} not found in the local tracker`);
const notAllowed = (allowed: string): Answer => fail(405, `method not allowed here (use ${allowed})`);

/** Reads the JSON body and checks it; any problem is the request's, answered 4xx. */
async function withBody<T>(req: IncomingMessage, check: (body: unknown) => Parsed<T>): Promise<{ ok: true; value: T } | { ok: false; answer: Answer }> {
  let raw: Buffer;
  try {
    raw = await readRawBody(req, MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return { ok: false, answer: fail(413, `the body is larger than ${MAX_BODY_BYTES} bytes`) };
    throw error;
  }
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return { ok: false, answer: fail(400, 'the body is not valid JSON') };
  }
  const checked = check(body);
  return checked.ok ? checked : { ok: false, answer: fail(400, checked.reason) };
}
