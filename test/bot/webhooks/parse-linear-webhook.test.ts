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

test('other entities are ignored with a reason', () => {
  assert.deepEqual(parseLinearWebhook(fixture('linear-comment-create.json')), { ok: false, reason: 'ignored: Linear Comment create events are not ticket changes' });
});

test('an Issue remove (deleted, moved to the trash) is a deleted event, so the ticket’s run can end', () => {
  const parsed = parseLinearWebhook(fixture('linear-issue-remove.json'));
  assert.ok(parsed.ok, JSON.stringify(parsed));
  assert.deepEqual([parsed.value.kind, parsed.value.source, parsed.value.ticketKey, parsed.value.team], ['deleted', 'linear', 'ENG-123', 'ENG']);
  const bare = parseLinearWebhook({ action: 'remove', type: 'Issue', data: { identifier: 'ENG-9' } });
  assert.ok(bare.ok, JSON.stringify(bare));
  assert.deepEqual([bare.value.kind, bare.value.ticketKey, bare.value.team], ['deleted', 'ENG-9', 'ENG']);
});

test('malformed payloads say what is missing', () => {
  assert.match((parseLinearWebhook('nope') as { reason: string }).reason, /^not a Linear webhook payload \(\(root\): /);
  const noState = fixture('linear-issue-create.json');
  delete (noState.data as Record<string, unknown>).state;
  const parsed = parseLinearWebhook(noState);
  assert.equal(parsed.ok, false);
  assert.match((parsed as { reason: string }).reason, /^Linear Issue payload is not usable \(data\.state: /);
});
