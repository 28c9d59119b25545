import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jiraStateCategory, linearStateCategory } from '../../src/domain/ticket-state.ts';

test('Linear state types map onto the four categories', () => {
  const types = ['triage', 'backlog', 'unstarted', 'started', 'completed', 'canceled'];
  assert.deepEqual(types.map(linearStateCategory), ['todo', 'todo', 'todo', 'in_progress', 'done', 'cancelled']);
});

test('Jira categories map by key; closing-without-doing statuses in `done` are cancelled', () => {
  assert.equal(jiraStateCategory('new', 'Backlog'), 'todo');
  assert.equal(jiraStateCategory('indeterminate', 'In Review'), 'in_progress');
  assert.equal(jiraStateCategory('done', 'Done'), 'done');
  assert.equal(jiraStateCategory('done', 'Resolved'), 'done');
  for (const name of ['Cancelled', 'Canceled', "Won't Do", 'Wont Fix', 'Rejected', 'Declined', 'Duplicate']) {
    assert.equal(jiraStateCategory('done', name), 'cancelled', name);
  }
  assert.equal(jiraStateCategory('indeterminate', 'Cancel requested'), 'in_progress', 'only the done category can be cancelled');
  assert.equal(jiraStateCategory(undefined, 'Open'), 'todo');
});
