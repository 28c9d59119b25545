import { test } from 'node:test';
import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { parseLinearWebhook } from '../../src/bot/webhooks/parse-linear-webhook.ts';
import { parseJiraWebhook } from '../../src/bot/webhooks/parse-jira-webhook.ts';
import { parseGitHubWebhook } from '../../src/bot/webhooks/parse-github-webhook.ts';
import { fixture } from '../bot/webhooks/load-fixture.ts';
import { check } from './fuzz-options.ts';
import { hostileString, hostileValue, mutated, PROTOTYPE_NAMES, randomJson } from './hostile.ts';
import { assertResult, gitHubEvent, ticketEvent } from './result-shapes.ts';

/*
 * The three webhook parsers read a body any signer (or, without a secret, anyone) sends. Whatever
 * JSON arrives, each returns an event of its declared shape or a refusal with a reason: a throw is
 * a 500, and a function where a string was promised travels on into the job queue.
 */

const fixtures = readdirSync(new URL('../bot/webhooks/fixtures/', import.meta.url)).filter((f) => f.endsWith('.json'));
const named = (prefix: string) => fixtures.filter((f) => f.startsWith(prefix)).map((f) => fixture(f));
const linear = named('linear-');
const jira = named('jira-');
// X-GitHub-Event for each fixture, from its name (github-check-run-completed.json → check_run).
const GITHUB_EVENTS: [string, string][] = [
  ['github-check-run-', 'check_run'],
  ['github-check-suite-', 'check_suite'],
  ['github-issue-comment-', 'issue_comment'],
  ['github-ping', 'ping'],
  ['github-pull-request-review-comment-', 'pull_request_review_comment'],
  ['github-pull-request-review-submitted', 'pull_request_review'],
  ['github-pull-request-closed-', 'pull_request'],
];
const github = fixtures
  .filter((f) => f.startsWith('github-'))
  .map((f) => ({ event: GITHUB_EVENTS.find(([prefix]) => f.startsWith(prefix))![1], body: fixture(f) }));

/** A fixture with one of its fields set to a name the parser looks up (an event, an action, a type). */
function withField(bodies: Record<string, unknown>[], field: string, names: readonly string[]): fc.Arbitrary<unknown> {
  return fc.tuple(fc.constantFrom(...bodies), fc.oneof(fc.constantFrom(...names), fc.constantFrom(...PROTOTYPE_NAMES), hostileString)).map(([body, name]) => ({ ...body, [field]: name }));
}

const anyBody = (bodies: Record<string, unknown>[]): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...bodies).chain(mutated) }, { weight: 1, arbitrary: randomJson }, { weight: 1, arbitrary: hostileValue });

test('Linear: a mutated fixture or any JSON gives an event of the declared shape or a refusal', () => {
  check(fc.property(anyBody(linear), (body) => assertResult(parseLinearWebhook(body), ticketEvent)), 400);
});

test('Linear: any `type` or `action` name, prototype names included, gives an event or a refusal', () => {
  const bodies = fc.oneof(withField(linear, 'type', ['Issue', 'Comment']), withField(linear, 'action', ['create', 'update', 'remove']));
  check(fc.property(bodies, (body) => assertResult(parseLinearWebhook(body), ticketEvent)), 200);
});

test('Jira: a mutated fixture or any JSON gives an event of the declared shape or a refusal', () => {
  check(fc.property(anyBody(jira), (body) => assertResult(parseJiraWebhook(body), ticketEvent)), 400);
});

test('Jira: any `webhookEvent` name, prototype names included, gives an event or a refusal', () => {
  const names = ['jira:issue_created', 'jira:issue_updated', 'jira:issue_deleted', 'comment_created'];
  check(fc.property(withField(jira, 'webhookEvent', names), (body) => assertResult(parseJiraWebhook(body), ticketEvent)), 200);
});

test('Jira: any priority or status name, prototype names included, gives an event or a refusal', () => {
  const issue = fc.tuple(fc.constantFrom(...jira.filter((b) => typeof b.issue === 'object')), hostileString, hostileString).map(([body, priority, status]) => {
    const copy = structuredClone(body) as { issue: { fields: Record<string, unknown> } };
    copy.issue.fields.priority = { name: priority };
    copy.issue.fields.status = { name: status, statusCategory: { key: status } };
    return copy;
  });
  check(fc.property(issue, (body) => assertResult(parseJiraWebhook(body), ticketEvent)), 200);
});

const eventName = fc.oneof(
  fc.constantFrom('pull_request', 'check_suite', 'check_run', 'pull_request_review', 'issue_comment', 'pull_request_review_comment', 'ping', 'push', ''),
  fc.constantFrom(...PROTOTYPE_NAMES),
  hostileString,
);

test('GitHub: a mutated fixture or any JSON, under its own or any event name, gives an event or a refusal', () => {
  const delivery = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...github).chain(({ event, body }) => mutated(body).map((b) => [event, b] as const)) },
    { weight: 1, arbitrary: fc.tuple(eventName, fc.oneof(randomJson, hostileValue)) },
  );
  check(fc.property(delivery, ([event, body]) => assertResult(parseGitHubWebhook(event, body), gitHubEvent)), 400);
});

test('GitHub: any X-GitHub-Event or `action` name, prototype names included, gives an event or a refusal', () => {
  const delivery = fc.tuple(eventName, fc.constantFrom(...github), fc.option(fc.oneof(fc.constantFrom('closed', 'completed', 'submitted', 'created'), fc.constantFrom(...PROTOTYPE_NAMES), hostileString)));
  check(
    fc.property(delivery, ([event, { body }, action]) => {
      assertResult(parseGitHubWebhook(event, action === null ? body : { ...body, action }), gitHubEvent);
    }),
    300,
  );
});
