import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { runGit } from '../integrations/git/run-git.ts';

// git and what it runs, without the parent's environment (as the workspace manager runs it).
const SEARCH_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Local mode's demo, made on first start: `calc`, a small JavaScript repository with a real bug
 * its tests do not catch yet. `range(start, end)` is documented as inclusive but stops one short
 * (`i < end`); the suite passes because no test covers `range`'s last element. `node --test`
 * needs nothing installed, so it runs in the sandbox offline. The end-to-end tests use the same
 * files (test/support/demo-repo.ts).
 */
export const DEMO_REPO_FILES: Readonly<Record<string, string>> = {
  'package.json': `${JSON.stringify({ name: 'calc', version: '1.0.0', private: true, type: 'module', scripts: { test: 'node --test' } }, null, 2)}\n`,
  'README.md': '# calc\n\nSmall arithmetic helpers.\n',
  'src/calc.js': [
    'export function add(a, b) {',
    '  return a + b;',
    '}',
    '',
    '/** Every integer from start to end, both included: range(1, 3) is [1, 2, 3]. */',
    'export function range(start, end) {',
    '  const out = [];',
    '  for (let i = start; i < end; i++) out.push(i);',
    '  return out;',
    '}',
    '',
    '/** The sum of every integer from start to end, both included. */',
    'export function sumRange(start, end) {',
    '  return range(start, end).reduce(add, 0);',
    '}',
    '',
  ].join('\n'),
  'test/calc.test.js': [
    "import { test } from 'node:test';",
    "import assert from 'node:assert/strict';",
    "import { add, range } from '../src/calc.js';",
    '',
    "test('add adds', () => {",
    '  assert.equal(add(2, 3), 5);',
    '});',
    '',
    "test('range starts at start', () => {",
    '  assert.equal(range(4, 9)[0], 4);',
    '});',
    '',
  ].join('\n'),
};

/** DEMO-1, written the way a user would report the bug. */
export const DEMO_TICKET = {
  title: 'sumRange(1, 4) returns 6 instead of 10',
  description: [
    'The invoice totals are off by one line item.',
    '',
    'The docs say `range` and `sumRange` include both ends, but `sumRange(1, 4)` gives 6. I expected 10 (1 + 2 + 3 + 4).',
    '',
    'Steps: `node -e "import(\'./src/calc.js\').then(m => console.log(m.sumRange(1, 4)))"` prints 6.',
  ].join('\n'),
  labels: ['bug'],
} as const;

/**
 * Creates the demo repository at `path` (a normal repository with `main` checked out, so a person
 * can look at it with their own tools) unless something is there already: a second start, or a
 * repository the person pointed baton.yml at, is never touched. Returns whether it created it.
 */
export async function ensureDemoRepo(path: string): Promise<boolean> {
  if (await stat(path).then(() => true, () => false)) return false;
  await mkdir(path, { recursive: true });
  for (const [file, content] of Object.entries(DEMO_REPO_FILES)) {
    await mkdir(dirname(join(path, file)), { recursive: true });
    await writeFile(join(path, file), content);
  }
  const git = (...args: string[]) => runGit(args, { cwd: path, env: { ...DEMO_GIT_ENV, PATH: SEARCH_PATH, HOME: path } });
  await git('init', '--quiet', '--initial-branch=main');
  await git('add', '--all');
  await git('commit', '--quiet', '-m', 'calc: add, range, sumRange');
  return true;
}

// The demo's first commit is Baton's own, whatever the person's git identity (or lack of one).
const DEMO_GIT_ENV = {
  GIT_AUTHOR_NAME: 'Baton demo', GIT_AUTHOR_EMAIL: 'demo@baton.invalid',
  GIT_COMMITTER_NAME: 'Baton demo', GIT_COMMITTER_EMAIL: 'demo@baton.invalid',
  GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null',
};
