import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { migrate } from '../../src/db/migrate.ts';
import { createLocalTracker } from '../../src/integrations/trackers/local-tracker.ts';
import { localTicketRoutes, type LocalTicketEvent } from '../../src/local/ticket-routes.ts';
import { decideIntake } from '../../src/domain/intake-decision.ts';
import { count, createTestDatabase, type TestDatabase } from '../support/test-database.ts';

let db: TestDatabase;
let server: Server;
let base: string;
const events: LocalTicketEvent[] = [];
let failTelling = false;

before(async () => {
  db = await createTestDatabase();
  await migrate(db.pool, db.schema);
  const handler = localTicketRoutes({
    pool: db.pool,
    pageUrl: 'http://127.0.0.1:3001',
    teams: ['BUG', 'DEMO'],
    onTicketEvent: async (event) => {
      if (failTelling) throw new Error('queue is down');
      events.push(event);
    },
  });
  server = createServer((req, res) => {
    void handler(req, res, new URL(req.url ?? '/', 'http://127.0.0.1')).then((handled) => {
      if (!handled) res.writeHead(418).end('next handler');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
beforeEach(() => {
  events.length = 0;
  failTelling = false;
});
after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await db.drop();
});

interface TicketJson { key: string; team: string; state: string; labels: string[]; reporter: string | null; [field: string]: unknown }
/** The union of the routes' answers: each test reads the fields its route gives. */
interface Answer {
  ok: boolean;
  error: string;
  warning: string;
  moved: boolean;
  ticket: TicketJson;
  tickets: TicketJson[];
  comment: { id: string };
  comments: { id: string; author: string; body: string }[];
  history: { from: string | null; to: string; by: string }[];
  states: string[];
}

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Answer }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Answer };
}

test('POST /_/tickets creates BUG-1 and tells Baton as a created event with every label added', async () => {
  const { status, json } = await call('POST', '/_/tickets', { team: 'bug', title: '  Sum is off by one ', body: 'sumRange(1, 3) gives 5', labels: ['baton', 'Baton', 'math'] });
  assert.equal(status, 201);
  assert.equal(json.ok, true);
  assert.deepEqual({ ...json.ticket, created_at: undefined, updated_at: undefined }, {
    key: 'BUG-1', team: 'BUG', title: 'Sum is off by one', description: 'sumRange(1, 3) gives 5', state: 'Todo', state_category: 'todo',
    labels: ['Baton', 'math'], priority: 'none', reporter: null, url: 'http://127.0.0.1:3001/tickets/BUG-1', created_at: undefined, updated_at: undefined,
  });
  assert.deepEqual(events, [{
    kind: 'created', source: 'local', ticketKey: 'BUG-1', team: 'BUG', labelsAdded: ['Baton', 'math'], descriptionChanged: false,
    labels: ['Baton', 'math'], state: { name: 'Todo', category: 'todo' }, priority: 'none',
  }]);
  // The event means what a webhook's would: a team whose intake label is `baton` starts a run.
  assert.deepEqual(decideIntake({ ...events[0]!, source: 'linear' }, { label: 'baton' }, undefined), { kind: 'start' });
  const ticket = await createLocalTracker({ pool: db.pool, pageUrl: 'http://127.0.0.1:3001' }).getTicket('BUG-1');
  assert.equal(ticket.title, 'Sum is off by one');
});

test('a team that is not local is refused with the list of local teams; nothing is created or told', async () => {
  const before = await count(db.pool, 'SELECT * FROM local_tickets');
  const { status, json } = await call('POST', '/_/tickets', { team: 'ENG', title: 'Nope' });
  assert.equal(status, 400);
  assert.deepEqual(json, { ok: false, error: 'ENG is not a team with tracker: local in baton.yml (the local teams are BUG, DEMO)', teams: ['BUG', 'DEMO'] });
  assert.equal(await count(db.pool, 'SELECT * FROM local_tickets'), before);
  assert.deepEqual(events, []);
});

test('bad input is a 4xx with ok: false, never a crash', async () => {
  assert.deepEqual(await call('POST', '/_/tickets', '{"team": "BUG",'), { status: 400, json: { ok: false, error: 'the body is not valid JSON', teams: ['BUG', 'DEMO'] } });
  const noTitle = await call('POST', '/_/tickets', { team: 'BUG', title: '   ' });
  assert.equal(noTitle.status, 400);
  assert.match(noTitle.json.error, /^title: /);
  const big = await call('POST', '/_/tickets', { team: 'BUG', title: 'big', body: 'x'.repeat(1024 * 1024) });
  assert.equal(big.status, 413);
  assert.equal(big.json.ok, false);
  assert.deepEqual((await call('DELETE', '/_/tickets/BUG-1')).status, 405);
  assert.deepEqual(await call('GET', '/_/tickets/BUG-999'), { status: 404, json: { ok: false, error: 'BUG-999 not found in the local tracker' } });
  assert.equal((await call('GET', '/_/tickets/not%20a%20key')).status, 404);
  assert.equal((await call('POST', '/_/tickets/BUG-1/comments', { author: 'Riley' })).status, 400);
  assert.deepEqual(events, []);
});

test('a person moving the ticket is told as stateChangedTo; the same state again changes and tells nothing', async () => {
  const { json: created } = await call('POST', '/_/tickets', { team: 'DEMO', title: 'Move me', priority: 'high', description: 'also read as the body' });
  assert.equal(created.ticket.description, 'also read as the body');
  const key = created.ticket.key;
  events.length = 0;
  const moved = await call('POST', `/_/tickets/${key.toLowerCase()}/state`, { state: 'in progress', by: 'Avery (approver)' });
  assert.equal(moved.status, 200);
  assert.equal(moved.json.moved, true);
  assert.equal(moved.json.ticket.state, 'In Progress');
  assert.deepEqual(events, [{
    kind: 'updated', source: 'local', ticketKey: key, team: 'DEMO', labelsAdded: [], stateChangedTo: { name: 'In Progress', category: 'in_progress' },
    descriptionChanged: false, labels: [], state: { name: 'In Progress', category: 'in_progress' }, priority: 'high',
  }]);
  const again = await call('POST', `/_/tickets/${key}/state`, { state: 'In Progress' });
  assert.deepEqual([again.status, again.json.moved, events.length], [200, false, 1]);
  const unknown = await call('POST', `/_/tickets/${key}/state`, { state: 'Closed' });
  assert.deepEqual(unknown, { status: 400, json: { ok: false, error: `${key}: the local tracker has no state "Closed" (states: Todo, In Progress, In Review, Done, Cancelled)` } });
  assert.equal((await call('POST', '/_/tickets/DEMO-404/state', { state: 'Done' })).status, 404);

  const { json } = await call('GET', `/_/tickets/${key}`);
  assert.deepEqual(json.history.map((h) => [h.from, h.to, h.by]), [[null, 'Todo', 'the local page'], ['Todo', 'In Progress', 'Avery (approver)']]);
  assert.deepEqual(json.states, ['Todo', 'In Progress', 'In Review', 'Done', 'Cancelled']);
});

test('comments show on the ticket, with Baton\'s own, oldest first, and tell nothing', async () => {
  const { json: created } = await call('POST', '/_/tickets', { team: 'BUG', title: 'Discuss', reporter: 'Riley (requester)' });
  const key = created.ticket.key;
  events.length = 0;
  const posted = await call('POST', `/_/tickets/${key}/comments`, { author: 'Riley (requester)', body: 'Still broken on **Monday**' });
  assert.equal(posted.status, 201);
  await createLocalTracker({ pool: db.pool, pageUrl: 'http://x' }).comment(key, 'Opened the pull request');
  const { json } = await call('GET', `/_/tickets/${key}`);
  assert.deepEqual(json.comments.map((c) => [c.author, c.body]), [['Riley (requester)', 'Still broken on **Monday**'], ['baton', 'Opened the pull request']]);
  assert.equal(json.comments[0]?.id, posted.json.comment.id);
  assert.equal(json.ticket.reporter, 'Riley (requester)');
  assert.deepEqual(json.history.map((h) => h.by), ['Riley (requester)']);
  assert.deepEqual(events, []);
  assert.equal((await call('POST', '/_/tickets/BUG-404/comments', { author: 'a', body: 'b' })).status, 404);
});

test('PATCH tells which labels were added and whether the description changed', async () => {
  const { json: created } = await call('POST', '/_/tickets', { team: 'BUG', title: 'Edit me', body: 'vague', labels: ['ui'] });
  const key = created.ticket.key;
  events.length = 0;
  const edited = await call('PATCH', `/_/tickets/${key}`, { description: 'Steps: open /sum?a=1&b=3', labels: ['UI', 'baton'] });
  assert.equal(edited.status, 200);
  assert.deepEqual(edited.json.ticket.labels, ['UI', 'baton']);
  assert.deepEqual(events.map((e) => [e.kind, e.labelsAdded, e.descriptionChanged, e.stateChangedTo]), [['updated', ['baton'], true, undefined]]);
  await call('PATCH', `/_/tickets/${key}`, { title: 'Renamed' });
  assert.deepEqual(events.map((e) => [e.labelsAdded, e.descriptionChanged]), [[['baton'], true], [[], false]]);
  assert.equal((await call('PATCH', `/_/tickets/${key}`, {})).status, 400);
  assert.equal((await call('PATCH', '/_/tickets/BUG-404', { title: 'x' })).status, 404);
});

test('GET /_/tickets lists tickets, the latest changed first, optionally of one team', async () => {
  const { json: a } = await call('POST', '/_/tickets', { team: 'DEMO', title: 'first' });
  await call('POST', '/_/tickets', { team: 'BUG', title: 'second' });
  await call('POST', `/_/tickets/${a.ticket.key}/comments`, { author: 'Riley', body: 'bump' });
  const all = await call('GET', '/_/tickets');
  assert.equal(all.json.ok, true);
  const [latest] = all.json.tickets;
  assert.equal(latest?.key, a.ticket.key);
  assert.deepEqual(Object.keys(latest!).sort(), ['created_at', 'description', 'key', 'labels', 'priority', 'reporter', 'state', 'state_category', 'team', 'title', 'updated_at', 'url']);
  const demo = await call('GET', '/_/tickets?team=demo');
  assert.ok(demo.json.tickets.length > 0 && demo.json.tickets.every((t) => t.team === 'DEMO'));
});

test('when Baton cannot be told, the ticket is still created and the answer says so', async () => {
  failTelling = true;
  const { status, json } = await call('POST', '/_/tickets', { team: 'BUG', title: 'Told nobody' });
  assert.equal(status, 201);
  assert.equal(json.ok, true);
  assert.match(json.warning, /Baton was not told of this change \(queue is down\)/);
  assert.equal((await call('GET', `/_/tickets/${json.ticket.key}`)).status, 200);
});

test('other paths are left to the next handler', async () => {
  for (const path of ['/_/pulls', '/_/ticketsx', '/', '/api/auth.test']) {
    const res = await fetch(`${base}${path}`);
    assert.deepEqual([path, res.status, await res.text()], [path, 418, 'next handler']);
  }
});
