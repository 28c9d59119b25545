import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeLinear, LINEAR_RATELIMITED_BODY } from '../../fakes/fake-linear.ts';
import { createLinearTracker } from '../../../src/integrations/trackers/linear-tracker.ts';
import type { TicketTracker } from '../../../src/integrations/trackers/ticket-tracker.ts';
import { closedPortUrl } from './closed-port-url.ts';
import { rejectsWithCode } from './rejects-with-code.ts';

const fake = new FakeLinear();
let tracker: TicketTracker;

before(async () => {
  await fake.start();
  tracker = createLinearTracker({ apiUrl: fake.apiUrl, apiKey: 'lin_api_test' });
  fake.addTeam({ key: 'ENG', name: 'Engineering' });
  fake.addTeam({ key: 'OPS', name: 'Operations' });
  fake.addState('ENG', { name: 'In Review', type: 'started' });
  // Created last but first on the board: error messages must follow the board, not creation or update order.
  fake.addState('ENG', { name: 'Triage', type: 'triage', position: -1 });
  fake.addLabel({ name: 'baton' });
  fake.addLabel({ name: 'bug' });
  fake.addUser({ name: 'Ada Lovelace' });
  fake.addUser({ name: 'Grace Hopper' });
  fake.addIssue({
    team: 'ENG', number: 123, title: 'Checkout button does nothing', description: 'Clicking **Pay** is a no-op.\n\n```js\npay()\n```',
    priority: 2, labels: ['baton', 'bug'], creator: 'Ada Lovelace', createdAt: '2024-05-01T09:00:00Z',
    comments: Array.from({ length: 12 }, (_, n) => ({
      body: `comment ${n + 1}`, user: n % 2 ? 'Grace Hopper' : 'Ada Lovelace', createdAt: new Date(Date.UTC(2024, 4, 2, n)).toISOString(),
    })),
  });
  fake.addIssue({ team: 'ENG', number: 124, title: 'Unlabelled', createdAt: '2024-05-02T09:00:00Z' });
  fake.addIssue({ team: 'ENG', number: 125, title: 'Started', labels: ['baton'], state: 'In Progress', createdAt: '2024-05-03T09:00:00Z' });
  fake.addIssue({ team: 'ENG', number: 126, title: 'Finished', labels: ['baton'], state: 'Done', createdAt: '2024-05-04T09:00:00Z' });
  fake.addIssue({ team: 'OPS', number: 9, title: 'Other team', labels: ['baton'], createdAt: '2024-05-05T09:00:00Z' });
});
beforeEach(() => fake.reset());
after(() => fake.stop());


test('getTicket reads the whole ticket in one request', async () => {
  const ticket = await tracker.getTicket('ENG-123');
  // Linear does not promise the order of an issue's labels (the fake lists them as its store does): compared as a set.
  assert.deepEqual({ ...ticket, labels: [...ticket.labels].sort(), comments: undefined }, {
    key: 'ENG-123',
    title: 'Checkout button does nothing',
    description: 'Clicking **Pay** is a no-op.\n\n```js\npay()\n```',
    url: 'https://linear.app/baton-test/issue/ENG-123',
    labels: ['baton', 'bug'],
    priority: 'high',
    team: 'ENG',
    state: { name: 'Todo', category: 'todo' },
    reporter: { name: 'Ada Lovelace', id: fake.store.user('Ada Lovelace').id },
    comments: undefined,
  });
  // The 10 most recent of 12, oldest first, each with its author.
  assert.deepEqual(ticket.comments.map((c) => c.body), Array.from({ length: 10 }, (_, n) => `comment ${n + 3}`));
  assert.deepEqual(ticket.comments[0], { author: 'Ada Lovelace', body: 'comment 3', createdAt: '2024-05-02T02:00:00.000Z' });
  assert.deepEqual(fake.operations().map((o) => [o.name, o.status]), [['BatonTicket', 200]]);
});

test('a ticket without creator, description or priority reads as empty values', async () => {
  const ticket = await tracker.getTicket('eng-124');
  assert.equal(ticket.key, 'ENG-124');
  assert.deepEqual([ticket.description, ticket.priority, ticket.reporter, ticket.labels, ticket.comments], ['', 'none', null, [], []]);
});

test('comment posts markdown as is, in one request', async () => {
  await tracker.comment('ENG-124', 'Opened https://github.com/acme/app/pull/7\n\n```ts\nfix()\n```');
  const [stored] = fake.getIssue('ENG-124').comments;
  assert.equal(stored?.body, 'Opened https://github.com/acme/app/pull/7\n\n```ts\nfix()\n```');
  assert.equal(stored?.userId, fake.viewer.id);
  assert.deepEqual(fake.operations().map((o) => o.name), ['BatonComment']);
});

test('moveTo finds the team state by name, case-insensitively, and is a no-op when already there', async () => {
  await tracker.moveTo('ENG-124', 'in review');
  assert.equal(fake.getIssue('ENG-124').state.name, 'In Review');
  assert.deepEqual(fake.operations().map((o) => o.name), ['BatonIssueStates', 'BatonMoveIssue']);

  fake.reset();
  await tracker.moveTo('ENG-124', 'In Review');
  assert.deepEqual(fake.operations().map((o) => o.name), ['BatonIssueStates']);
});

test('moveTo to a state the team lacks names the ones it has', async () => {
  const error = await rejectsWithCode(tracker.moveTo('ENG-124', 'Shipped'), 'invalid');
  assert.equal(error.message, 'ENG-124: Linear team ENG has no workflow state "Shipped" (states: Triage, Backlog, Todo, In Progress, Done, Canceled, In Review)');
});

test('findReady polls by team with label and/or state, oldest first, leaving finished tickets out', async () => {
  const keys = async (rule: Parameters<TicketTracker['findReady']>[0]) => (await tracker.findReady(rule)).map((t) => t.key);
  assert.deepEqual(await keys({ team: 'ENG', label: 'baton' }), ['ENG-123', 'ENG-125']);
  assert.deepEqual(await keys({ team: 'ENG', label: 'Baton', state: 'todo' }), ['ENG-123']);
  assert.deepEqual(await keys({ team: 'ENG', state: 'Done' }), ['ENG-126']);
  assert.deepEqual(await keys({ team: 'OPS', label: 'bug' }), []);
  const [ready] = await tracker.findReady({ team: 'ENG', label: 'baton', state: 'Todo' });
  assert.equal(ready?.comments.length, 10, 'polled tickets are as complete as getTicket');
});

test('an unknown issue is not_found, named for a person', async () => {
  const error = await rejectsWithCode(tracker.getTicket('ENG-999'), 'not_found');
  assert.equal(error.message, 'ENG-999 not found in Linear');
  await rejectsWithCode(tracker.comment('ENG-999', 'x'), 'not_found');
  await rejectsWithCode(tracker.moveTo('ENG-999', 'Done'), 'not_found');
});

test('an issue deleted in Linear (in the trash, still answering issue(id)) is not_found, and polls leave it out', async () => {
  fake.addIssue({ team: 'ENG', number: 990, title: 'Deleted', labels: ['baton'] });
  assert.ok((await tracker.findReady({ team: 'ENG', label: 'baton' })).some((t) => t.key === 'ENG-990'), 'ready before it was deleted');
  fake.trashIssue('ENG-990');
  const trashed = await rejectsWithCode(tracker.getTicket('ENG-990'), 'not_found');
  assert.equal(trashed.message, 'ENG-990 not found in Linear (it was deleted)');
  assert.ok(!(await tracker.findReady({ team: 'ENG', label: 'baton' })).some((t) => t.key === 'ENG-990'));
});

test('429 and Linear\'s own rate-limit body are rate_limited with the wait', async () => {
  fake.fail({ status: 429, retryAfterSeconds: 30 });
  const limited = await rejectsWithCode(tracker.getTicket('ENG-123'), 'rate_limited');
  assert.deepEqual([limited.status, limited.retryAfterSeconds], [429, 30]);
  assert.match(limited.message, /retry in 30 s/);

  fake.fail({ status: 400, retryAfterSeconds: 12, body: LINEAR_RATELIMITED_BODY });
  const shaped = await rejectsWithCode(tracker.findReady({ team: 'ENG', label: 'baton' }), 'rate_limited');
  assert.equal(shaped.retryAfterSeconds, 12);
});

test('5xx and an unreachable host are unavailable', async () => {
  fake.fail({ status: 500 });
  assert.equal((await rejectsWithCode(tracker.getTicket('ENG-123'), 'unavailable')).status, 500);
  fake.fail({ status: 503, retryAfterSeconds: 5 });
  const busy = await rejectsWithCode(tracker.comment('ENG-123', 'x'), 'unavailable');
  assert.deepEqual([busy.status, busy.retryAfterSeconds], [503, 5]);

  const offline = createLinearTracker({ apiUrl: await closedPortUrl('/graphql'), apiKey: 'lin_api_test' });
  const error = await rejectsWithCode(offline.getTicket('ENG-123'), 'unavailable');
  assert.equal(error.message, 'Linear could not be reached (ECONNREFUSED)');
});

test('a rejected API key is auth, with the setting to check', async () => {
  const wrong = createLinearTracker({ apiUrl: fake.apiUrl, apiKey: 'lin_api_wrong' });
  const error = await rejectsWithCode(wrong.getTicket('ENG-123'), 'auth');
  assert.equal(error.status, 401);
  assert.match(error.message, /LINEAR_API_KEY/);
  assert.doesNotMatch(error.message, /lin_api_wrong/);
});
