import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpException, Version3Client } from 'jira.js';
import { FakeJira } from './fake-jira.ts';
import { adfText } from './jira-store.ts';

// jira.js sends one axios request per call with no retry layer (its only replay is an OAuth2
// token refresh, unused with basic auth), so faults reach the caller unchanged.
const fake = new FakeJira();
let jira: Version3Client;

before(async () => {
  await fake.start();
  jira = new Version3Client({ host: fake.url, authentication: { basic: { email: 'baton@example.com', apiToken: 'jira_api_test' } } });
  fake.addProject({ key: 'OPS', name: 'Operations' });
  fake.addProject({
    key: 'WEB',
    statuses: [
      { name: 'Open', category: 'new' },
      { name: 'Doing', category: 'indeterminate' },
      { name: 'Closed', category: 'done' },
    ],
    transitions: [
      { id: '5', name: 'Start', to: 'Doing', from: ['Open'] },
      { id: '6', name: 'Close', to: 'Closed' },
    ],
  });
  const grace = fake.addUser({ displayName: 'Grace Hopper' });
  fake.addIssue({
    project: 'OPS',
    number: 7,
    summary: 'Disk full on db-1',
    description: 'Alert fired at 03:00.',
    priority: 'High',
    labels: ['baton', 'infra'],
    reporter: grace.accountId,
    created: '2024-05-01T09:00:00Z',
    comments: [{ body: 'Seen it before', author: 'Grace Hopper', created: '2024-05-01T10:00:00Z' }],
  });
  fake.addIssue({ project: 'OPS', number: 8, summary: 'Not for Baton', labels: ['infra'], created: '2024-05-02T09:00:00Z' });
  fake.addIssue({ project: 'OPS', number: 9, summary: 'Started', labels: ['baton'], status: 'In Progress', created: '2024-05-03T09:00:00Z' });
  fake.addIssue({ project: 'WEB', number: 1, summary: 'Web thing', labels: ['baton'], status: 'Open', created: '2024-05-04T09:00:00Z' });
});

after(() => fake.stop());

/** jira.js wraps every HTTP error answer in HttpException: status, body in response.data, axios error as cause. */
async function rejectsWith(promise: Promise<unknown>, status: number): Promise<HttpException & { response: { data?: unknown } }> {
  const error = await promise.then(
    () => assert.fail(`expected HTTP ${status}`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof HttpException, `expected HttpException, got ${String(error)}`);
  assert.equal(error.status, status);
  return error as HttpException & { response: { data?: unknown } };
}

/** Where a caller finds Retry-After: on the axios response kept as the exception's cause. */
function retryAfter(error: HttpException): string | undefined {
  return (error.cause as { response?: { headers?: Record<string, string> } } | undefined)?.response?.headers?.['retry-after'];
}

test('getIssue returns the issue in Jira v3 shape', async () => {
  const issue = await jira.issues.getIssue({ issueIdOrKey: 'OPS-7' });
  assert.equal(issue.key, 'OPS-7');
  assert.match(issue.id, /^\d+$/);
  const f = issue.fields;
  assert.equal(f.summary, 'Disk full on db-1');
  assert.equal(adfText(f.description), 'Alert fired at 03:00.');
  assert.deepEqual([f.status.name, f.status.statusCategory?.key], ['To Do', 'new']);
  assert.equal(f.priority.name, 'High');
  assert.deepEqual(f.labels, ['baton', 'infra']);
  assert.equal(f.reporter?.displayName, 'Grace Hopper');
  assert.equal(f.project.key, 'OPS');
  assert.equal(f.created, '2024-05-01T09:00:00.000+0000');
  assert.deepEqual(f.comment.comments.map((c) => adfText(c.body)), ['Seen it before']);

  // Lower-case keys resolve, and `fields` narrows the answer like the real API.
  const narrow = await jira.issues.getIssue({ issueIdOrKey: 'ops-7', fields: ['summary', 'status'] });
  assert.deepEqual(Object.keys(narrow.fields).sort(), ['status', 'summary']);
});

test('addComment takes ADF, and rejects a body that is not an ADF doc', async () => {
  const doc = { type: 'doc' as const, version: 1 as const, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Baton opened PR #1' }] }] };
  const comment = await jira.issueComments.addComment({ issueIdOrKey: 'OPS-7', comment: doc });
  assert.equal(comment.author?.displayName, fake.me.displayName);
  assert.deepEqual(comment.body, doc);
  assert.deepEqual(fake.commentTexts('OPS-7'), ['Seen it before', 'Baton opened PR #1']);

  const notAdf = { type: 'paragraph', content: [{ type: 'text', text: 'x' }] } as unknown as typeof doc;
  const error = await rejectsWith(jira.issueComments.addComment({ issueIdOrKey: 'OPS-7', comment: notAdf }), 400);
  assert.deepEqual(error.response.data, { errorMessages: [], errors: { comment: 'Comment body is not valid!' } });
  assert.equal(fake.commentTexts('OPS-7').length, 2);
});

test('getTransitions lists the moves from the current status; doTransition applies one', async () => {
  const { transitions } = await jira.issues.getTransitions({ issueIdOrKey: 'OPS-7' });
  assert.deepEqual(transitions?.map((t) => [t.id, t.name, t.to?.name, t.to?.statusCategory?.key]), [
    ['11', 'To Do', 'To Do', 'new'],
    ['21', 'In Progress', 'In Progress', 'indeterminate'],
    ['31', 'Done', 'Done', 'done'],
  ]);
  const inProgress = transitions!.find((t) => t.to?.name === 'In Progress')!;
  await jira.issues.doTransition({ issueIdOrKey: 'OPS-7', transition: { id: inProgress.id! } });
  assert.equal(fake.getIssue('OPS-7').status, 'In Progress');
  assert.equal((await jira.issues.getIssue({ issueIdOrKey: 'OPS-7' })).fields.status.name, 'In Progress');

  // A workflow with `from` restrictions only offers what the current status allows.
  const web = await jira.issues.getTransitions({ issueIdOrKey: 'WEB-1' });
  assert.deepEqual(web.transitions?.map((t) => t.name), ['Start', 'Close']);
  await jira.issues.doTransition({ issueIdOrKey: 'WEB-1', transition: { id: '6' } });
  const closed = await jira.issues.getTransitions({ issueIdOrKey: 'WEB-1' });
  assert.deepEqual(closed.transitions?.map((t) => t.name), ['Close']);
  const refused = await rejectsWith(jira.issues.doTransition({ issueIdOrKey: 'WEB-1', transition: { id: '5' } }), 400);
  assert.deepEqual(refused.response.data, { errorMessages: ["Transition id '5' is not valid for this issue."], errors: {} });
});

test('JQL search: project, labels, status joined by AND; unsupported JQL is a 400', async () => {
  const keys = (r: { issues?: { key?: string }[] }) => r.issues?.map((i) => i.key);
  const polled = await jira.issueSearch.searchForIssuesUsingJqlEnhancedSearch({
    jql: 'project = OPS AND labels = baton AND status = "In Progress" ORDER BY created ASC',
    fields: ['summary', 'status', 'updated'],
  });
  assert.deepEqual(keys(polled), ['OPS-7', 'OPS-9']);
  assert.deepEqual(Object.keys(polled.issues![0]!.fields).sort(), ['status', 'summary', 'updated']);
  assert.equal(polled.issues![0]!.fields.status.name, 'In Progress');
  // Keywords and status values are case-insensitive in JQL; the POST variant takes the same query.
  const todo = await jira.issueSearch.searchForIssuesUsingJqlEnhancedSearchPost({ jql: "project = OPS and status = 'to do'", fields: ['*all'] });
  assert.deepEqual(keys(todo), ['OPS-8']);
  assert.equal(todo.issues?.[0]?.fields.summary, 'Not for Baton');

  // Enhanced search returns bare ids unless fields are asked for, and pages with a token.
  const page1 = await jira.issueSearch.searchForIssuesUsingJqlEnhancedSearch({ jql: 'labels = baton ORDER BY key ASC', maxResults: 2 });
  assert.deepEqual(page1.issues?.map((i) => Object.keys(i)), [['id'], ['id']]);
  assert.ok(page1.nextPageToken);
  const page2 = await jira.issueSearch.searchForIssuesUsingJqlEnhancedSearch({ jql: 'labels = baton ORDER BY key ASC', maxResults: 2, nextPageToken: page1.nextPageToken });
  assert.equal(page2.issues?.length, 1);
  assert.equal(page2.nextPageToken, undefined);

  // The deprecated offset-paged endpoint jira.js still exposes.
  const legacy = await jira.issueSearch.searchForIssuesUsingJql({ jql: 'project = OPS AND labels = infra', fields: ['summary'] });
  assert.deepEqual([legacy.total, keys(legacy)], [2, ['OPS-8', 'OPS-7']]);

  for (const jql of ['assignee = currentUser()', 'project = OPS OR labels = baton', 'labels in (a, b)', '']) {
    const error = await rejectsWith(jira.issueSearch.searchForIssuesUsingJqlEnhancedSearch({ jql }), 400);
    const body = error.response.data as { errorMessages: string[]; errors: object };
    assert.equal(body.errorMessages.length, 1, jql);
    assert.deepEqual(body.errors, {});
  }
  const unknownProject = await rejectsWith(jira.issueSearch.searchForIssuesUsingJqlEnhancedSearch({ jql: 'project = NOPE' }), 400);
  assert.deepEqual(unknownProject.response.data, { errorMessages: ["The value 'NOPE' does not exist for the field 'project'."], errors: {} });
});

test('an unknown issue is a 404 with Jira\'s message', async () => {
  const expected = { errorMessages: ['Issue does not exist or you do not have permission to see it.'], errors: {} };
  assert.deepEqual((await rejectsWith(jira.issues.getIssue({ issueIdOrKey: 'OPS-999' }), 404)).response.data, expected);
  await rejectsWith(jira.issueComments.addComment({ issueIdOrKey: 'OPS-999', comment: 'x' }), 404);
  await rejectsWith(jira.issues.getTransitions({ issueIdOrKey: 'OPS-999' }), 404);
  await rejectsWith(jira.issues.doTransition({ issueIdOrKey: 'OPS-999', transition: { id: '11' } }), 404);
});

test('wrong basic-auth credentials are a 401', async () => {
  const wrong = new Version3Client({ host: fake.url, authentication: { basic: { email: 'baton@example.com', apiToken: 'nope' } } });
  const error = await rejectsWith(wrong.issues.getIssue({ issueIdOrKey: 'OPS-7' }), 401);
  assert.equal(error.response.data, 'Client must be authenticated to access this resource.');
});

test('429 with Retry-After and 500 reach the caller as HttpException with status and headers', async () => {
  fake.fail({ status: 429, retryAfterSeconds: 17, body: { errorMessages: ['Rate limit exceeded.'], errors: {} } });
  const limited = await rejectsWith(jira.issues.getIssue({ issueIdOrKey: 'OPS-7' }), 429);
  assert.equal(retryAfter(limited), '17');
  assert.deepEqual(limited.response.data, { errorMessages: ['Rate limit exceeded.'], errors: {} });

  fake.fail({ status: 500 });
  const broken = await rejectsWith(jira.issueSearch.searchForIssuesUsingJqlEnhancedSearch({ jql: 'project = OPS' }), 500);
  assert.equal(retryAfter(broken), undefined);
  assert.deepEqual(fake.calls.slice(-2).map((c) => c.status), [429, 500]);
  assert.equal((await jira.issues.getIssue({ issueIdOrKey: 'OPS-7' })).key, 'OPS-7');
});

test('latency injection delays the answer', async () => {
  fake.fail({ delayMs: 250 });
  const started = performance.now();
  assert.equal((await jira.issues.getIssue({ issueIdOrKey: 'OPS-7' })).key, 'OPS-7');
  assert.ok(performance.now() - started >= 240, 'the answer should take at least the injected delay');
});
