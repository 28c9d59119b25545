import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jiraPriority, linearPriority } from '../../src/domain/ticket-priority.ts';

test('Linear priority numbers', () => {
  assert.deepEqual([0, 1, 2, 3, 4, null, undefined, 7].map(linearPriority), ['none', 'urgent', 'high', 'medium', 'low', 'none', 'none', 'none']);
});

test('Jira priority names, both stock schemes, any case', () => {
  const names = ['Highest', 'High', 'Medium', 'Low', 'Lowest', 'Blocker', 'critical', 'MAJOR', 'Minor', 'Trivial'];
  assert.deepEqual(names.map(jiraPriority), ['urgent', 'high', 'medium', 'low', 'low', 'urgent', 'urgent', 'high', 'low', 'low']);
  assert.deepEqual(['P1', '', null, undefined].map(jiraPriority), ['none', 'none', 'none', 'none']);
});

test('names from a payload that Object.prototype has, and non-index values, read as none', () => {
  assert.deepEqual(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'].map(jiraPriority), ['none', 'none', 'none', 'none', 'none']);
  assert.deepEqual([1.5, -1, Number.NaN, 'length' as unknown as number].map(linearPriority), ['none', 'none', 'none', 'none']);
});
