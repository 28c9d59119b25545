import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJiraWebhook } from '../../../src/bot/webhooks/parse-jira-webhook.ts';
import { fixture } from './load-fixture.ts';

test('a created issue: all its labels count as added', () => {
  assert.deepEqual(parseJiraWebhook(fixture('jira-issue-created.json')), {
    ok: true,
    value: {
      kind: 'created',
      source: 'jira',
      ticketKey: 'OPS-7',
      team: 'OPS',
      labelsAdded: ['baton', 'infra'],
      descriptionChanged: false,
      labels: ['baton', 'infra'],
      state: { name: 'To Do', category: 'todo' },
      priority: 'high',
    },
  });
});

test('labels added and description edited, from the changelog', () => {
  const parsed = parseJiraWebhook(fixture('jira-issue-labelled.json'));
  assert.ok(parsed.ok);
  assert.deepEqual(
    [parsed.value.kind, parsed.value.labelsAdded, parsed.value.labels, parsed.value.stateChangedTo, parsed.value.descriptionChanged],
    ['updated', ['baton', 'urgent-ish'], ['baton', 'infra', 'urgent-ish'], undefined, true],
  );
});

test('a transition reports the new status and its category', () => {
  assert.deepEqual(parseJiraWebhook(fixture('jira-issue-transitioned.json')), {
    ok: true,
    value: {
      kind: 'updated',
      source: 'jira',
      ticketKey: 'OPS-7',
      team: 'OPS',
      labelsAdded: [],
      stateChangedTo: { name: 'In Progress', category: 'in_progress' },
      descriptionChanged: false,
      labels: ['baton', 'infra'],
      state: { name: 'In Progress', category: 'in_progress' },
      priority: 'urgent',
    },
  });
});

test('other events are ignored with a reason; malformed payloads say what is wrong', () => {
  assert.deepEqual(parseJiraWebhook(fixture('jira-comment-created.json')), { ok: false, reason: 'ignored: Jira comment_created events are not ticket changes' });
  assert.deepEqual(parseJiraWebhook({ webhookEvent: 'jira:issue_deleted' }), { ok: false, reason: 'not a usable Jira jira:issue_deleted webhook (no issue.key)' });
  assert.deepEqual(parseJiraWebhook(null), { ok: false, reason: 'not a Jira webhook payload (no webhookEvent)' });
  assert.deepEqual(parseJiraWebhook({ webhookEvent: 'jira:issue_updated' }), { ok: false, reason: 'Jira jira:issue_updated payload has no issue' });
  const broken = fixture('jira-issue-created.json');
  delete ((broken.issue as { fields: Record<string, unknown> }).fields).status;
  assert.match((parseJiraWebhook(broken) as { reason: string }).reason, /^not a usable Jira issue webhook \(issue\.fields\.status: /);
});

test('jira:issue_deleted is a deleted event, so the ticket’s run can end', () => {
  assert.deepEqual(parseJiraWebhook(fixture('jira-issue-deleted.json')), {
    ok: true,
    value: {
      kind: 'deleted',
      source: 'jira',
      ticketKey: 'OPS-7',
      team: 'OPS',
      labelsAdded: [],
      descriptionChanged: false,
      labels: ['baton', 'infra'],
      state: { name: 'To Do', category: 'todo' },
      priority: 'high',
    },
  });
  // Only the key is needed: a deletion with an abridged issue still ends the run.
  const bare = parseJiraWebhook({ webhookEvent: 'jira:issue_deleted', issue: { key: 'OPS-9' } });
  assert.ok(bare.ok);
  assert.deepEqual([bare.value.kind, bare.value.ticketKey, bare.value.team], ['deleted', 'OPS-9', 'OPS']);
});
