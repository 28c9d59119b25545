import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLinearWebhook } from '../../../src/bot/webhooks/parse-linear-webhook.ts';
import { fixture } from './load-fixture.ts';

test('a created issue: all its labels count as added', () => {
  assert.deepEqual(parseLinearWebhook(fixture('linear-issue-create.json')), {
    ok: true,
    value: {
      kind: 'created',
      source: 'linear',
      ticketKey: 'ENG-123',
      team: 'ENG',
      labelsAdded: ['baton', 'Bug'],
      descriptionChanged: false,
      labels: ['baton', 'Bug'],
      state: { name: 'Todo', category: 'todo' },
      priority: 'high',
    },
  });
});

test('a label added: only the label missing from updatedFrom.labelIds is new', () => {
  const parsed = parseLinearWebhook(fixture('linear-issue-labelled.json'));
  assert.ok(parsed.ok);
  assert.deepEqual([parsed.value.kind, parsed.value.labelsAdded, parsed.value.stateChangedTo, parsed.value.descriptionChanged], ['updated', ['baton'], undefined, false]);
});

test('a state change and an edited description are both reported', () => {
  assert.deepEqual(parseLinearWebhook(fixture('linear-issue-started.json')), {
    ok: true,
    value: {
      kind: 'updated',
      source: 'linear',
      ticketKey: 'ENG-123',
      team: 'ENG',
      labelsAdded: [],
      stateChangedTo: { name: 'In Progress', category: 'in_progress' },
      descriptionChanged: true,
      labels: ['baton', 'Bug'],
      state: { name: 'In Progress', category: 'in_progress' },
      priority: 'urgent',
    },
  });
});

test('other entities and removals are ignored with a reason', () => {
  assert.deepEqual(parseLinearWebhook(fixture('linear-comment-create.json')), { ok: false, reason: 'ignored: Linear Comment create events are not ticket changes' });
  assert.deepEqual(parseLinearWebhook({ ...fixture('linear-issue-create.json'), action: 'remove' }), { ok: false, reason: 'ignored: Linear Issue remove events need no action' });
});

test('malformed payloads say what is missing', () => {
  assert.match((parseLinearWebhook('nope') as { reason: string }).reason, /^not a Linear webhook payload \(\(root\): /);
  const noState = fixture('linear-issue-create.json');
  delete (noState.data as Record<string, unknown>).state;
  const parsed = parseLinearWebhook(noState);
  assert.equal(parsed.ok, false);
  assert.match((parsed as { reason: string }).reason, /^Linear Issue payload is not usable \(data\.state: /);
});
