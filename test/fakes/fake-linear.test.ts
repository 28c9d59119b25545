import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AuthenticationLinearError,
  GraphqlLinearError,
  InternalLinearError,
  InvalidInputLinearError,
  LinearClient,
  LinearError,
  NetworkLinearError,
  RatelimitedLinearError,
} from '@linear/sdk';
import { FakeLinear, LINEAR_RATELIMITED_BODY } from './fake-linear.ts';

// The Linear SDK has no retry layer: every failed request surfaces as one typed LinearError.
const fake = new FakeLinear();
let linear: LinearClient;

before(async () => {
  await fake.start();
  linear = new LinearClient({ apiKey: 'lin_api_test', apiUrl: fake.apiUrl });
  fake.addTeam({ key: 'ENG', name: 'Engineering' });
  fake.addTeam({ key: 'OPS', name: 'Operations' });
  fake.addLabel({ name: 'baton', color: '#26b5ce' });
  fake.addLabel({ name: 'bug' });
  fake.addUser({ name: 'Ada Lovelace', email: 'ada@example.com' });
  fake.addUser({ name: 'Grace Hopper' });
  fake.addIssue({
    team: 'ENG',
    number: 123,
    title: 'Checkout button does nothing',
    description: 'Clicking **Pay** is a no-op.',
    priority: 2,
    labels: ['baton', 'bug'],
    creator: 'Ada Lovelace',
    assignee: 'Grace Hopper',
    createdAt: '2024-05-01T09:00:00Z',
    updatedAt: '2024-05-02T09:00:00Z',
    comments: [{ body: 'Repro on Safari only', user: 'Grace Hopper', createdAt: '2024-05-01T10:00:00Z' }],
  });
  fake.addIssue({ team: 'ENG', number: 124, title: 'Unlabelled', createdAt: '2024-05-03T09:00:00Z' });
  fake.addIssue({ team: 'ENG', number: 125, title: 'Already started', labels: ['baton'], state: 'In Progress', createdAt: '2024-05-04T09:00:00Z' });
  fake.addIssue({ team: 'OPS', number: 9, title: 'Other team', labels: ['baton'], createdAt: '2024-05-05T09:00:00Z' });
});

after(() => fake.stop());

/** Asserts the SDK error class and HTTP status, and hands the error back for further checks. */
async function rejectsWith<E extends LinearError>(promise: Promise<unknown>, type: new (...args: never[]) => E, status: number): Promise<E> {
  const error = await promise.then(
    () => assert.fail(`expected ${type.name}`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
  assert.equal(error.status, status);
  return error;
}

test('issue by identifier, with the lazy relations a caller follows', async () => {
  const issue = await linear.issue('ENG-123');
  assert.equal(issue.identifier, 'ENG-123');
  assert.equal(issue.number, 123);
  assert.equal(issue.title, 'Checkout button does nothing');
  assert.equal(issue.description, 'Clicking **Pay** is a no-op.');
  assert.equal(issue.url, 'https://linear.app/baton-test/issue/ENG-123');
  assert.equal(issue.priority, 2);
  assert.equal(issue.priorityLabel, 'High');
  assert.deepEqual(issue.createdAt, new Date('2024-05-01T09:00:00Z'));

  const state = await issue.state;
  assert.deepEqual([state?.name, state?.type], ['Todo', 'unstarted']);
  const team = await issue.team;
  assert.deepEqual([team?.key, team?.name], ['ENG', 'Engineering']);
  assert.equal((await issue.creator)?.name, 'Ada Lovelace');
  assert.equal((await issue.assignee)?.name, 'Grace Hopper');
  assert.deepEqual((await issue.labels()).nodes.map((l) => l.name).sort(), ['baton', 'bug']);
  const comments = await issue.comments();
  assert.deepEqual(comments.nodes.map((c) => c.body), ['Repro on Safari only']);
  assert.equal((await comments.nodes[0]!.user)?.name, 'Grace Hopper');

  // The same issue is reachable by UUID, which is what mutations and webhooks carry.
  assert.equal((await linear.issue(issue.id)).identifier, 'ENG-123');
  const names = fake.operations().map((o) => o.name);
  for (const op of ['issue', 'workflowState', 'team', 'user', 'issue_labels', 'issue_comments']) assert.ok(names.includes(op), op);
});

test('createComment appends a comment authored by the key owner', async () => {
  const issue = await linear.issue('ENG-123');
  const payload = await linear.createComment({ issueId: issue.id, body: 'Baton opened https://github.com/acme/app/pull/1' });
  assert.equal(payload.success, true);
  const comment = await payload.comment;
  assert.equal(comment?.body, 'Baton opened https://github.com/acme/app/pull/1');
  assert.equal((await comment?.user)?.id, fake.viewer.id);

  assert.deepEqual(fake.getIssue('ENG-123').comments.map((c) => c.body), ['Repro on Safari only', 'Baton opened https://github.com/acme/app/pull/1']);
  const [op] = fake.operations().filter((o) => o.name === 'createComment');
  assert.deepEqual([op?.type, op?.rootFields, op?.variables], ['mutation', ['commentCreate'], { input: { issueId: issue.id, body: 'Baton opened https://github.com/acme/app/pull/1' } }]);
});

test('updateIssue moves the issue to a state looked up via team.states() or workflowStates()', async () => {
  const issue = await linear.issue('ENG-124');
  const team = await issue.team;
  const states = await team!.states();
  assert.deepEqual(states.nodes.map((s) => s.type).sort(), ['backlog', 'canceled', 'completed', 'started', 'unstarted']);
  const started = (await team!.states({ filter: { type: { eq: 'started' } } })).nodes;
  assert.deepEqual(started.map((s) => s.name), ['In Progress']);

  const moved = await linear.updateIssue(issue.id, { stateId: started[0]!.id });
  assert.equal(moved.success, true);
  assert.equal((await (await moved.issue)?.state)?.name, 'In Progress');
  assert.equal(fake.getIssue('ENG-124').state.name, 'In Progress');
  assert.ok(fake.getIssue('ENG-124').startedAt);

  const [done] = (await linear.workflowStates({ filter: { team: { key: { eq: 'ENG' } }, name: { eq: 'Done' } } })).nodes;
  assert.equal(done?.name, 'Done');
  await linear.updateIssue('ENG-124', { stateId: done!.id });
  assert.equal(fake.getIssue('ENG-124').state.type, 'completed');

  // A state from another team is refused, as Linear refuses it.
  const [opsDone] = (await linear.workflowStates({ filter: { team: { key: { eq: 'OPS' } }, name: { eq: 'Done' } } })).nodes;
  await rejectsWith(linear.updateIssue('ENG-124', { stateId: opsDone!.id }), InvalidInputLinearError, 200);
});

test('issues({ filter }) polls by team key, label name and state name', async () => {
  const byKeys = (r: { nodes: { identifier: string }[] }) => r.nodes.map((i) => i.identifier).sort();
  const todo = await linear.issues({
    filter: { team: { key: { eq: 'ENG' } }, labels: { name: { eq: 'baton' } }, state: { name: { eq: 'Todo' } } },
  });
  assert.deepEqual(byKeys(todo), ['ENG-123']);

  const labelled = await linear.issues({ filter: { team: { key: { eq: 'ENG' } }, labels: { some: { name: { in: ['baton'] } } } } });
  assert.deepEqual(byKeys(labelled), ['ENG-123', 'ENG-125']);
  const notDone = await linear.issues({ filter: { state: { type: { nin: ['completed', 'canceled'] } }, labels: { name: { eq: 'baton' } } } });
  assert.deepEqual(byKeys(notDone), ['ENG-123', 'ENG-125', 'OPS-9']);
  const since = await linear.issues({ filter: { team: { key: { eq: 'ENG' } }, createdAt: { gt: '2024-05-03T12:00:00Z' } } });
  assert.deepEqual(byKeys(since), ['ENG-125']);

  // Forward pagination: newest first, cursors chain until hasNextPage is false.
  const first = await linear.issues({ first: 2, filter: { labels: { name: { eq: 'baton' } } } });
  assert.deepEqual(first.nodes.map((i) => i.identifier), ['OPS-9', 'ENG-125']);
  assert.equal(first.pageInfo.hasNextPage, true);
  const rest = await linear.issues({ first: 2, after: first.pageInfo.endCursor, filter: { labels: { name: { eq: 'baton' } } } });
  assert.deepEqual(rest.nodes.map((i) => i.identifier), ['ENG-123']);
  assert.equal(rest.pageInfo.hasNextPage, false);

  // A filter field outside the supported subset fails loudly instead of matching everything.
  const unsupported = await rejectsWith(linear.issues({ filter: { priority: { eq: 1 } } }), GraphqlLinearError, 400);
  assert.match(unsupported.message, /Field "priority" is not defined by type "IssueFilter"/);
});

test('an unknown issue surfaces as InvalidInputLinearError, "Entity not found"', async () => {
  const error = await rejectsWith(linear.issue('ENG-999'), InvalidInputLinearError, 200);
  assert.equal(error.errors?.[0]?.message, 'Could not find referenced Issue.');
  assert.match(error.message, /Entity not found: Issue/);
  await rejectsWith(linear.createComment({ issueId: 'ENG-999', body: 'x' }), InvalidInputLinearError, 200);
});

test('a wrong API key is an AuthenticationLinearError; OAuth-style Bearer is not the personal key', async () => {
  const wrong = new LinearClient({ apiKey: 'lin_api_wrong', apiUrl: fake.apiUrl });
  const error = await rejectsWith(wrong.issue('ENG-123'), AuthenticationLinearError, 401);
  assert.equal(error.errors?.[0]?.message, 'You need to authenticate to access this operation.');
  const bearer = new LinearClient({ accessToken: 'lin_api_test', apiUrl: fake.apiUrl });
  await rejectsWith(bearer.issue('ENG-123'), AuthenticationLinearError, 401);
});

test('429 with Retry-After reaches the caller as RatelimitedLinearError carrying status and retryAfter', async () => {
  const onIssue = (req: { body: unknown }) => String((req.body as { query?: string }).query).includes('query issue(');
  fake.fail({ status: 429, retryAfterSeconds: 30, match: onIssue });
  const plain = await rejectsWith(linear.issue('ENG-123'), RatelimitedLinearError, 429);
  assert.equal(plain.retryAfter, 30);
  // Every LinearError keeps the fetch Response headers, so Retry-After is readable whatever the class.
  assert.equal(plain.raw?.response?.headers?.get('retry-after'), '30');

  // Linear's own rate-limit body is classified by extensions.type, so it stays Ratelimited at any status.
  fake.fail({ status: 400, retryAfterSeconds: 12, body: LINEAR_RATELIMITED_BODY, match: onIssue });
  const shaped = await rejectsWith(linear.issue('ENG-123'), RatelimitedLinearError, 400);
  assert.equal(shaped.retryAfter, 12);
  assert.equal(shaped.errors?.[0]?.message, 'You have exceeded the rate limit.');
});

test('5xx reaches the caller as a LinearError carrying the status', async () => {
  fake.fail({ status: 500 });
  await rejectsWith(linear.issue('ENG-123'), InternalLinearError, 500);
  fake.fail({ status: 503, retryAfterSeconds: 5 });
  const unavailable = await rejectsWith(linear.issue('ENG-123'), NetworkLinearError, 503);
  assert.equal(unavailable.raw?.response?.headers?.get('retry-after'), '5');
  assert.deepEqual(fake.operations().slice(-2).map((o) => [o.name, o.status]), [['issue', 500], ['issue', 503]]);
  // The fault was consumed; the next call is answered normally.
  assert.equal((await linear.issue('ENG-123')).identifier, 'ENG-123');
});

test('latency injection delays the answer', async () => {
  fake.fail({ delayMs: 250 });
  const started = performance.now();
  const issue = await linear.issue('ENG-123');
  assert.equal(issue.identifier, 'ENG-123');
  assert.ok(performance.now() - started >= 240, 'the answer should take at least the injected delay');

  fake.latency(100);
  const again = performance.now();
  await linear.issue('ENG-123');
  fake.latency(0);
  assert.ok(performance.now() - again >= 90);
});
