import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeJira } from '../../fakes/fake-jira.ts';
import { createJiraTracker } from '../../../src/integrations/trackers/jira-tracker.ts';
import type { TicketTracker } from '../../../src/integrations/trackers/ticket-tracker.ts';
import { markdownToAdf } from '../../../src/domain/markdown-to-adf.ts';
import { closedPortUrl } from './closed-port-url.ts';
import { rejectsWithCode } from './rejects-with-code.ts';

const fake = new FakeJira();
let tracker: TicketTracker;
const credentials = { email: 'baton@example.com', apiToken: 'jira_api_test' };

before(async () => {
  await fake.start();
  tracker = createJiraTracker({ host: fake.url, ...credentials });
  fake.addProject({ key: 'OPS', name: 'Operations', statuses: [
    { name: 'To Do', category: 'new' }, { name: 'In Progress', category: 'indeterminate' },
    { name: 'Done', category: 'done' }, { name: "Won't Do", category: 'done' },
  ] });
  fake.addProject({
    key: 'WEB',
    statuses: [{ name: 'Open', category: 'new' }, { name: 'Doing', category: 'indeterminate' }, { name: 'Closed', category: 'done' }],
    transitions: [{ id: '5', name: 'Start', to: 'Doing', from: ['Open'] }, { id: '6', name: 'Close', to: 'Closed' }],
  });
  const grace = fake.addUser({ displayName: 'Grace Hopper' });
  fake.addIssue({
    project: 'OPS', number: 7, summary: 'Disk full on db-1', priority: 'Highest', labels: ['baton', 'infra'], reporter: grace.accountId,
    description: markdownToAdf('Alert fired at **03:00**.\n\n```sh\ndf -h\n```\n\n- check `/var/log`\n- rotate'),
    created: '2024-05-01T09:00:00Z',
    comments: Array.from({ length: 12 }, (_, n) => ({
      body: `comment ${n + 1}`, author: 'Grace Hopper', created: new Date(Date.UTC(2024, 4, 2, n)).toISOString(),
    })),
  });
  fake.addIssue({ project: 'OPS', number: 8, summary: 'Not for Baton', labels: ['infra'], created: '2024-05-02T09:00:00Z' });
  fake.addIssue({ project: 'OPS', number: 9, summary: 'Started', labels: ['baton'], status: 'In Progress', created: '2024-05-03T09:00:00Z' });
  fake.addIssue({ project: 'OPS', number: 10, summary: 'Dropped', labels: ['baton'], status: "Won't Do", created: '2024-05-04T09:00:00Z' });
  fake.addIssue({ project: 'WEB', number: 1, summary: 'Web thing', labels: ['baton'], status: 'Open', priority: 'Low', created: '2024-05-05T09:00:00Z' });
});
beforeEach(() => fake.reset());
after(() => fake.stop());


test('getTicket reads the ticket in one request, the description rendered to markdown', async () => {
  const ticket = await tracker.getTicket('OPS-7');
  assert.deepEqual({ ...ticket, comments: undefined }, {
    key: 'OPS-7',
    title: 'Disk full on db-1',
    description: 'Alert fired at **03:00**.\n\n```sh\ndf -h\n```\n\n- check `/var/log`\n- rotate',
    url: `${fake.url}/browse/OPS-7`,
    labels: ['baton', 'infra'],
    priority: 'urgent',
    team: 'OPS',
    state: { name: 'To Do', category: 'todo' },
    reporter: { name: 'Grace Hopper', id: fake.store.user('Grace Hopper').accountId },
    comments: undefined,
  });
  assert.deepEqual(ticket.comments.map((c) => c.body), Array.from({ length: 10 }, (_, n) => `comment ${n + 3}`));
  assert.deepEqual(ticket.comments[0], { author: 'Grace Hopper', body: 'comment 3', createdAt: '2024-05-02T02:00:00.000Z' });
  assert.deepEqual(fake.calls.map((c) => [c.method, c.path]), [['GET', '/rest/api/3/issue/OPS-7']]);
});

test('a Won\'t Do status is cancelled, not done', async () => {
  const ticket = await tracker.getTicket('ops-10');
  assert.deepEqual([ticket.state, ticket.priority, ticket.reporter, ticket.description], [{ name: "Won't Do", category: 'cancelled' }, 'medium', null, '']);
});

test('comment stores valid ADF in which code blocks survive', async () => {
  const markdown = 'Baton opened [PR #12](https://github.com/acme/app/pull/12).\n\n```ts\nconst x = `y`;\n\nfix(x);\n```\n\nRun `npm test`.';
  await tracker.comment('OPS-8', markdown);
  const [stored] = fake.getIssue('OPS-8').comments;
  assert.equal(stored?.authorId, fake.me.accountId);
  assert.deepEqual(stored?.body, markdownToAdf(markdown));
  assert.deepEqual(stored?.body.content[1], {
    type: 'codeBlock', attrs: { language: 'ts' }, content: [{ type: 'text', text: 'const x = `y`;\n\nfix(x);' }],
  });
  assert.deepEqual(stored?.body.content[0], {
    type: 'paragraph',
    content: [
      { type: 'text', text: 'Baton opened ' },
      { type: 'text', text: 'PR #12', marks: [{ type: 'link', attrs: { href: 'https://github.com/acme/app/pull/12' } }] },
      { type: 'text', text: '.' },
    ],
  });
  assert.deepEqual(fake.commentTexts('OPS-8'), ['Baton opened PR #12.\nconst x = `y`;\n\nfix(x);\nRun npm test.']);
});

test('moveTo takes a transition name or a target status, case-insensitively', async () => {
  await tracker.moveTo('WEB-1', 'start');
  assert.equal(fake.getIssue('WEB-1').status, 'Doing');
  assert.deepEqual(fake.calls.map((c) => c.method), ['GET', 'POST']);
  await tracker.moveTo('OPS-8', 'in progress');
  assert.equal(fake.getIssue('OPS-8').status, 'In Progress');
});

test('moveTo into the current status is a no-op; an unknown one lists the transitions', async () => {
  await tracker.moveTo('WEB-1', 'Doing'); // no transition leads to Doing from Doing
  assert.equal(fake.getIssue('WEB-1').status, 'Doing');
  const error = await rejectsWithCode(tracker.moveTo('WEB-1', 'Shipped'), 'invalid');
  assert.equal(error.message, 'WEB-1 cannot move to "Shipped" from Doing (transitions: Close (→ Closed))');
  assert.ok(fake.callsTo('POST').length === 0, 'nothing was transitioned');
});

test('findReady runs JQL by project with label and/or status, oldest first', async () => {
  const keys = async (rule: Parameters<TicketTracker['findReady']>[0]) => (await tracker.findReady(rule)).map((t) => t.key);
  assert.deepEqual(await keys({ team: 'OPS', label: 'baton', state: 'in progress' }), ['OPS-9']);
  assert.deepEqual(await keys({ team: 'WEB', state: 'Doing' }), ['WEB-1']);
  const [search] = fake.callsTo('POST', '/rest/api/3/search/jql');
  assert.equal((search?.body as { jql: string }).jql, 'project = "OPS" AND labels = "baton" AND status = "in progress" ORDER BY created ASC');
  const [ready] = await tracker.findReady({ team: 'OPS', label: 'baton', state: 'To Do' });
  assert.equal(ready?.description.includes('```sh'), true, 'polled tickets are as complete as getTicket');
});

test('findReady by label alone leaves finished tickets out', async () => {
  assert.deepEqual((await tracker.findReady({ team: 'OPS', label: 'baton' })).map((t) => t.key), ['OPS-7', 'OPS-9']);
});

test('an unknown issue is not_found, named for a person', async () => {
  const error = await rejectsWithCode(tracker.getTicket('OPS-999'), 'not_found');
  assert.deepEqual([error.message, error.status], ['OPS-999 not found in Jira', 404]);
  await rejectsWithCode(tracker.comment('OPS-999', 'x'), 'not_found');
  await rejectsWithCode(tracker.moveTo('OPS-999', 'Done'), 'not_found');
});

test('429 is rate_limited with Retry-After; 5xx and an unreachable host are unavailable', async () => {
  fake.fail({ status: 429, retryAfterSeconds: 17, body: { errorMessages: ['Rate limit exceeded.'], errors: {} } });
  const limited = await rejectsWithCode(tracker.getTicket('OPS-7'), 'rate_limited');
  assert.deepEqual([limited.status, limited.retryAfterSeconds, limited.message], [429, 17, 'Jira is rate-limiting Baton; retry in 17 s']);

  fake.fail({ status: 500 });
  const broken = await rejectsWithCode(tracker.findReady({ team: 'OPS', state: 'Done' }), 'unavailable');
  assert.deepEqual([broken.status, broken.message], [500, 'Jira is unavailable (HTTP 500)']);

  const offline = createJiraTracker({ host: await closedPortUrl(), ...credentials });
  const error = await rejectsWithCode(offline.getTicket('OPS-7'), 'unavailable');
  assert.equal(error.message, 'Jira could not be reached (ECONNREFUSED)');
});

test('wrong credentials are auth; a malformed query is invalid with Jira\'s reason', async () => {
  const wrong = createJiraTracker({ host: fake.url, email: credentials.email, apiToken: 'nope' });
  const auth = await rejectsWithCode(wrong.getTicket('OPS-7'), 'auth');
  assert.equal(auth.status, 401);
  assert.match(auth.message, /JIRA_API_TOKEN/);

  const invalid = await rejectsWithCode(tracker.findReady({ team: 'NOPE', state: 'Done' }), 'invalid');
  assert.equal(invalid.message, "Jira rejected the request for project NOPE (HTTP 400): The value 'NOPE' does not exist for the field 'project'.");
});
