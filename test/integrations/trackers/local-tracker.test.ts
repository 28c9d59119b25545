import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { migrate } from '../../../src/db/migrate.ts';
import { createPool } from '../../../src/db/pool.ts';
import { insertLocalComment, insertLocalTicket, localStateHistory, type NewLocalTicket } from '../../../src/db/local-tickets.ts';
import { createLocalTracker, LOCAL_INITIAL_STATE } from '../../../src/integrations/trackers/local-tracker.ts';
import { MAX_TICKET_COMMENTS } from '../../../src/domain/ticket.ts';
import type { TicketTracker } from '../../../src/integrations/trackers/ticket-tracker.ts';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.ts';
import { closedPortUrl } from './closed-port-url.ts';
import { rejectsWithCode } from './rejects-with-code.ts';

let db: TestDatabase;
let tracker: TicketTracker;
const PAGE = 'http://127.0.0.1:3001/';

function ticket(team: string, title: string, extra: Partial<NewLocalTicket> = {}): Promise<{ key: string }> {
  return insertLocalTicket(db.pool, {
    team, title, description: '', labels: [], priority: 'none', reporter: null, state: LOCAL_INITIAL_STATE, by: 'test', ...extra,
  });
}

before(async () => {
  db = await createTestDatabase();
  await migrate(db.pool, db.schema);
  tracker = createLocalTracker({ pool: db.pool, pageUrl: PAGE });
});
after(() => db.drop());

test('keys count from 1 per team, and getTicket fills every field of the domain ticket', async () => {
  const first = await ticket('BUG', 'Totals are off by one', {
    description: 'Sum of 1..3 shows **5**.', labels: ['baton', 'math'], priority: 'high', reporter: 'Riley (requester)',
  });
  const other = await ticket('OPS', 'Disk full');
  const second = await ticket('BUG', 'Second');
  assert.deepEqual([first.key, other.key, second.key], ['BUG-1', 'OPS-1', 'BUG-2']);

  await insertLocalComment(db.pool, 'BUG-1', 'Avery (approver)', 'Seen on staging too');
  const read = await tracker.getTicket('bug-1');
  assert.deepEqual(read, {
    key: 'BUG-1',
    title: 'Totals are off by one',
    description: 'Sum of 1..3 shows **5**.',
    url: 'http://127.0.0.1:3001/tickets/BUG-1',
    labels: ['baton', 'math'],
    priority: 'high',
    team: 'BUG',
    state: { name: 'Todo', category: 'todo' },
    reporter: { name: 'Riley (requester)', id: 'Riley (requester)' },
    comments: [{ author: 'Avery (approver)', body: 'Seen on staging too', createdAt: read.comments[0]!.createdAt }],
  });
  assert.ok(!Number.isNaN(Date.parse(read.comments[0]!.createdAt)));
  assert.equal((await tracker.getTicket('OPS-1')).reporter, null);
});

test('concurrent creations for one team take consecutive numbers, none twice', async () => {
  const keys = await Promise.all(Array.from({ length: 20 }, (_, n) => ticket('RACE', `ticket ${n}`).then((t) => t.key)));
  assert.deepEqual(keys.map((k) => Number(k.split('-')[1])).sort((a, b) => a - b), Array.from({ length: 20 }, (_, n) => n + 1));
});

test('an unknown key is not_found, naming the key and the local tracker', async () => {
  const error = await rejectsWithCode(tracker.getTicket('BUG-9'), 'not_found');
  assert.equal(error.message, 'BUG-9 not found in the local tracker');
  await rejectsWithCode(tracker.comment('BUG-9', 'hello'), 'not_found');
  await rejectsWithCode(tracker.moveTo('BUG-9', 'Done'), 'not_found');
});

test('comment is by baton, and getTicket keeps the most recent comments, oldest first', async () => {
  const { key } = await ticket('CMT', 'Chatty');
  for (let n = 1; n <= MAX_TICKET_COMMENTS + 2; n++) await tracker.comment(key, `comment ${n}\n\n\`\`\`ts\nfix()\n\`\`\``);
  const read = await tracker.getTicket(key);
  assert.deepEqual(read.comments.map((c) => c.body.split('\n')[0]), Array.from({ length: MAX_TICKET_COMMENTS }, (_, n) => `comment ${n + 3}`));
  assert.ok(read.comments.every((c) => c.author === 'baton'));
  assert.equal(read.comments.at(-1)!.body, `comment ${MAX_TICKET_COMMENTS + 2}\n\n\`\`\`ts\nfix()\n\`\`\``);
});

test('moveTo matches the state without case, records who moved it, and is a no-op when already there', async () => {
  const { key } = await ticket('MOV', 'Move me');
  await tracker.moveTo(key, 'in review');
  assert.deepEqual((await tracker.getTicket(key)).state, { name: 'In Review', category: 'in_progress' });
  await tracker.moveTo(key, 'IN REVIEW');
  await tracker.moveTo(key, 'Done');
  assert.deepEqual((await tracker.getTicket(key)).state, { name: 'Done', category: 'done' });
  const history = await localStateHistory(db.pool, key);
  assert.deepEqual(history.map((h) => [h.from, h.to, h.by]), [[null, 'Todo', 'test'], ['Todo', 'In Review', 'baton'], ['In Review', 'Done', 'baton']]);
});

test('each known state has its category; Cancelled is cancelled', async () => {
  const { key } = await ticket('CAT', 'Categories');
  const seen: [string, string][] = [];
  for (const name of ['In Progress', 'Todo', 'Cancelled']) {
    await tracker.moveTo(key, name);
    const { state } = await tracker.getTicket(key);
    seen.push([state.name, state.category]);
  }
  assert.deepEqual(seen, [['In Progress', 'in_progress'], ['Todo', 'todo'], ['Cancelled', 'cancelled']]);
});

test('an unknown state is refused as invalid, listing the states, and the ticket stays where it was', async () => {
  const { key } = await ticket('BAD', 'Stay');
  const error = await rejectsWithCode(tracker.moveTo(key, 'Closed'), 'invalid');
  assert.equal(error.message, `${key}: the local tracker has no state "Closed" (states: Todo, In Progress, In Review, Done, Cancelled)`);
  assert.deepEqual((await tracker.getTicket(key)).state, { name: 'Todo', category: 'todo' });
  assert.equal((await localStateHistory(db.pool, key)).length, 1);
});

test('concurrent moves to one state record one move', async () => {
  const { key } = await ticket('ONCE', 'Ten clicks');
  await Promise.all(Array.from({ length: 10 }, () => tracker.moveTo(key, 'In Progress')));
  assert.deepEqual((await localStateHistory(db.pool, key)).map((h) => h.to), ['Todo', 'In Progress']);
});

test('findReady: the team\'s open tickets with the label and/or in the state, oldest first', async () => {
  const a = await ticket('RDY', 'labelled', { labels: ['Baton'] });
  const b = await ticket('RDY', 'unlabelled');
  const c = await ticket('RDY', 'labelled, started', { labels: ['baton', 'ui'] });
  const d = await ticket('RDY', 'labelled, done', { labels: ['baton'] });
  const e = await ticket('RDY', 'labelled, cancelled', { labels: ['baton'] });
  await ticket('XRDY', 'other team', { labels: ['baton'] });
  await tracker.moveTo(c.key, 'In Progress');
  await tracker.moveTo(d.key, 'Done');
  await tracker.moveTo(e.key, 'Cancelled');

  const keys = async (rule: Parameters<TicketTracker['findReady']>[0]): Promise<string[]> => (await tracker.findReady(rule)).map((t) => t.key);
  assert.deepEqual(await keys({ team: 'RDY', label: 'baton' }), [a.key, c.key]);
  assert.deepEqual(await keys({ team: 'RDY', state: 'todo' }), [a.key, b.key]);
  assert.deepEqual(await keys({ team: 'RDY', label: 'BATON', state: 'In Progress' }), [c.key]);
  // A done ticket is never ready, even when the rule names its state.
  assert.deepEqual(await keys({ team: 'RDY', state: 'Done' }), []);
  const [first] = await tracker.findReady({ team: 'RDY', label: 'ui' });
  assert.equal(first?.url, `http://127.0.0.1:3001/tickets/${c.key}`);
  assert.deepEqual(first?.labels, ['baton', 'ui']);
});

test('a database that cannot be reached is the tracker being unavailable', async () => {
  const url = (await closedPortUrl()).replace('http:', 'postgres:');
  const pool = createPool({ url: `${url}/none`, schema: 'nowhere', connectionTimeoutMs: 2000 });
  try {
    const gone = createLocalTracker({ pool, pageUrl: PAGE });
    const error = await rejectsWithCode(gone.getTicket('BUG-1'), 'unavailable');
    assert.match(error.message, /^the local tracker's database could not be reached \(ECONNREFUSED\)$/);
    await rejectsWithCode(gone.findReady({ team: 'BUG', label: 'baton' }), 'unavailable');
  } finally {
    await pool.end();
  }
});

test('a run started by a local ticket\'s event may name the local tracker as its source', async () => {
  await db.pool.query("INSERT INTO runs (ticket_key, source, requested_by) VALUES ('SRC-1', 'local', 'local webhook')");
  await assert.rejects(db.pool.query("INSERT INTO runs (ticket_key, source, requested_by) VALUES ('SRC-2', 'carrier pigeon', 'x')"), /runs_source_check/);
});
