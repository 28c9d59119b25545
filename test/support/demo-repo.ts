import { join } from 'node:path';
import type { Ticket } from '../../src/domain/ticket.ts';
import { createRemote, type Remote } from '../integrations/git/git-fixtures.ts';
import { DEMO_REPO_FILES } from '../../src/local/demo-content.ts';

/**
 * `calc`: a small real JavaScript repository with a real bug, for the coder's tests and the
 * end-to-end flows. `range(start, end)` is documented as inclusive but stops one short
 * (`i < end`); the suite passes on main because no test covers `range`'s last element.
 * `node --test` needs nothing installed, so the repository's tests run in the sandbox offline.
 */

export const DEMO_TEST_COMMAND = 'npm test';

// The same repository local mode's demo starts from (src/local/demo-content.ts).
export const DEMO_FILES: Record<string, string> = DEMO_REPO_FILES;

/** The edit that fixes the bug (for str_replace_based_edit_tool's str_replace). */
export const DEMO_FIX = {
  path: 'src/calc.js',
  oldStr: 'for (let i = start; i < end; i++)',
  newStr: 'for (let i = start; i <= end; i++)',
} as const;

/** A new test file that fails on main and passes with DEMO_FIX. */
export const DEMO_NEW_TEST = {
  path: 'test/range.test.js',
  content: [
    "import { test } from 'node:test';",
    "import assert from 'node:assert/strict';",
    "import { range, sumRange } from '../src/calc.js';",
    '',
    "test('range includes its end', () => {",
    '  assert.deepEqual(range(1, 3), [1, 2, 3]);',
    '});',
    '',
    "test('sumRange adds both ends', () => {",
    '  assert.equal(sumRange(1, 4), 10);',
    '});',
    '',
  ].join('\n'),
} as const;

export function demoTicket(overrides: Partial<Ticket> = {}): Ticket {
  return {
    key: 'ENG-42',
    title: 'sumRange(1, 4) returns 6 instead of 10',
    description: 'The docs say `range` and `sumRange` include both ends, but `sumRange(1, 4)` gives 6. Expected 10 (1+2+3+4).',
    url: 'https://linear.app/acme/issue/ENG-42',
    labels: ['bug'],
    priority: 'medium',
    team: 'ENG',
    state: { name: 'Todo', category: 'todo' },
    reporter: { name: 'Ada', id: 'user-ada' },
    comments: [{ author: 'Grace', body: 'Seen in the invoice totals too.', createdAt: '2026-11-02T10:00:00.000Z' }],
    ...overrides,
  };
}

export interface DemoRepo {
  remote: Remote;
  /** The base commit on main. */
  baseSha: string;
}

/** A bare remote (`<root>/remotes/calc.git`) whose main holds DEMO_FILES, plus `extra` files. */
export async function createDemoRepo(root: string, extra: Record<string, string> = {}): Promise<DemoRepo> {
  const remote = await createRemote(join(root), 'calc');
  const baseSha = await remote.commit('main', { ...DEMO_FILES, ...extra }, 'calc: add, range, sumRange');
  return { remote, baseSha };
}
