import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changedTestFiles, checkDiffGates } from '../../src/domain/diff-gates.ts';
import { globMatcher } from '../../src/domain/glob-match.ts';
import type { DiffFile, DiffFileStatus, ParsedDiff } from '../../src/domain/parse-unified-diff.ts';
import { policySchema } from '../../src/policy.ts';

const policy = policySchema.parse({}).outcome_gates;

function file(path: string, change: { status?: DiffFileStatus; oldPath?: string; added?: string[]; removed?: string[] } = {}): DiffFile {
  return {
    path,
    oldPath: change.oldPath ?? path,
    status: change.status ?? 'modified',
    binary: false,
    added: (change.added ?? []).map((text, i) => ({ text, lineNumber: i + 1 })),
    removed: (change.removed ?? []).map((text, i) => ({ text, lineNumber: i + 1 })),
  };
}

const fix = file('src/add.js', { added: ['  return a + b;'], removed: ['  return a - b;'] });
const newTest = file('test/add.test.js', { status: 'added', added: ["test('adds', () => assert.equal(add(1, 2), 3));"] });
const gatesOf = (files: DiffFile[], labels: string[] = []) => checkDiffGates({ files }, { policy, ticketLabels: labels }).map((f) => f.gate);

test('globs: ** spans segments (none included), * and ? stay within one', () => {
  const cases: [string, string, boolean][] = [
    ['**/*.test.*', 'add.test.js', true],
    ['**/*.test.*', 'src/deep/add.test.ts', true],
    ['test/**', 'test/a/b.js', true],
    ['test/**', 'src/test/a.js', false],
    ['**/migrations/**', 'db/migrations/0001.sql', true],
    ['migrations/**', 'db/migrations/0001.sql', false],
    ['.github/workflows/**', '.github/workflows/ci.yml', true],
    ['Jenkinsfile', 'Jenkinsfile', true],
    ['Jenkinsfile', 'ci/Jenkinsfile', false],
    ['**/Dockerfile', 'Dockerfile', true],
    ['**/Dockerfile.*', 'app/Dockerfile.dev', true],
    ['*.tf', 'infra/main.tf', false],
    ['**/test_*.py', 'pkg/test_x.py', true],
    ['file?.txt', 'file1.txt', true],
    ['file?.txt', 'file/.txt', false],
    ['a.b', 'axb', false],
    ['**/docker-compose*.yml', 'docker-compose.prod.yml', true],
  ];
  for (const [glob, path, expected] of cases) assert.equal(globMatcher([glob])(path), expected, `${glob} vs ${path}`);
});

test('a clean fix with a new test passes every gate', () => {
  assert.deepEqual(gatesOf([fix, newTest]), []);
});

test('each gate on its own', () => {
  const cases: { name: string; files: DiffFile[]; labels?: string[]; gates: string[] }[] = [
    { name: 'empty diff', files: [], gates: ['no_change'] },
    { name: 'no test touched', files: [fix], gates: ['no_test'] },
    { name: 'test deleted', files: [fix, newTest, file('test/old.test.js', { status: 'deleted', removed: ['// nothing'] })], gates: ['test_deleted'] },
    {
      name: 'test renamed out of the test paths',
      files: [fix, newTest, file('src/old-checks.js', { status: 'renamed', oldPath: 'test/old.test.js' })],
      gates: ['test_deleted'],
    },
    { name: 'test renamed within the test paths', files: [fix, newTest, file('test/b.test.js', { status: 'renamed', oldPath: 'test/a.test.js' })], gates: [] },
    { name: 'too many files', files: [newTest, ...Array.from({ length: 20 }, (_, i) => file(`src/f${i}.js`, { added: ['x'] }))], gates: ['diff_too_large'] },
    { name: 'too many lines', files: [newTest, file('src/big.js', { added: Array.from({ length: 600 }, () => 'x') })], gates: ['diff_too_large'] },
    { name: 'workflow touched', files: [fix, newTest, file('.github/workflows/ci.yml', { added: ['x'] })], gates: ['sensitive_path'] },
    { name: 'workflow touched with the label', files: [fix, newTest, file('.github/workflows/ci.yml', { added: ['x'] })], labels: ['Baton-Sensitive-OK'], gates: [] },
    { name: 'lockfile moved away', files: [fix, newTest, file('old.lock', { status: 'renamed', oldPath: 'package-lock.json' })], gates: ['sensitive_path'] },
  ];
  for (const c of cases) assert.deepEqual(gatesOf(c.files, c.labels), c.gates, c.name);
});

test('sizes and paths are named in the reasons', () => {
  const big = checkDiffGates({ files: [newTest, file('src/big.js', { added: Array.from({ length: 700 }, () => 'x') })] }, { policy, ticketLabels: [] });
  assert.match(big[0]!.reason, /2 files and 701 lines .* 20 files and 600 lines/);
  const ci = checkDiffGates({ files: [fix, newTest, file('.github/workflows/ci.yml', { added: ['x'] })] }, { policy, ticketLabels: [] });
  assert.match(ci[0]!.reason, /\.github\/workflows\/ci\.yml.*"baton-sensitive-ok"/);
});

// Each case edits an existing test file: removed lines, added lines, and whether it weakens the tests.
const ASSERTION_CASES: [string, string[], string[], boolean][] = [
  ['assertion removed', ['  assert.strictEqual(add(1, 2), 3);'], [], true],
  ['strictEqual to equal', ['  assert.strictEqual(add(1, 2), 3);'], ['  assert.equal(add(1, 2), 3);'], true],
  ['strictEqual to ok', ['  assert.strictEqual(add(1, 2), 3);'], ['  assert.ok(add(1, 2));'], true],
  ['deepStrictEqual to deepEqual', ['assert.deepStrictEqual(x, { a: 1 });'], ['assert.deepEqual(x, { a: 1 });'], true],
  ['toEqual to toBeDefined', ['expect(sum).toEqual(3);'], ['expect(sum).toBeDefined();'], true],
  ['toBe to toBeTruthy', ['expect(sum).toBe(3);'], ['expect(sum).toBeTruthy();'], true],
  ['toBe to not.toBe', ['expect(sum).toBe(3);'], ['expect(sum).not.toBe(4);'], true],
  ['toThrow(message) to toThrow()', ["expect(() => f()).toThrow('bad input');"], ['expect(() => f()).toThrow();'], true],
  ['exact to always true', ['expect(sum).toBe(3);'], ['expect(true).toBe(true);'], true],
  ['expect with its matcher dropped', ['expect(sum).toBe(3);'], ['expect(sum);'], true],
  ['ava t.is to t.truthy', ['t.is(add(1, 2), 3);'], ['t.truthy(add(1, 2));'], true],
  ['ava t.deepEqual removed', ['t.deepEqual(result, [1, 2]);'], [], true],
  ['chai equal to exist', ['expect(x).to.equal(3);'], ['expect(x).to.exist;'], true],
  ['should removed', ['x.should.equal(3);'], [], true],
  ['pytest assert == to bare assert', ['    assert add(1, 2) == 3'], ['    assert add(1, 2)'], true],
  ['unittest assertEqual to assertIsNotNone', ['        self.assertEqual(add(1, 2), 3)'], ['        self.assertIsNotNone(add(1, 2))'], true],
  ['Go t.Errorf removed', ['\t\tt.Errorf("add(1, 2) = %d", got)'], [], true],
  ['Rust assert_eq! to assert!', ['    assert_eq!(add(1, 2), 3);'], ['    assert!(add(1, 2) > 0);'], true],
  ['a matcher continuing expect removed', ['expect(sum)', '  .toBe(3);'], ['expect(sum);'], true],
  ['test body turned into skip', ["test('adds', () => {"], ["test.skip('adds', () => {"], true],
  ['it.only added', ["it('adds', () => {"], ["it.only('adds', () => {"], true],
  ['node:test skip option', ["test('adds', () => {"], ["test('adds', { skip: true }, () => {"], true],
  ['xit', ["it('adds', () => {"], ["xit('adds', () => {"], true],
  ['test.todo', ["test('adds', () => {"], ["test.todo('adds');"], true],
  ['pytest skip marker', ['def test_add():'], ['@pytest.mark.skip', 'def test_add():'], true],
  ['Go t.Skip', ['func TestAdd(t *testing.T) {'], ['func TestAdd(t *testing.T) {', '\tt.Skip("later")'], true],
  ['assertion commented out', ['  assert.strictEqual(add(1, 2), 3);'], ['  // assert.strictEqual(add(1, 2), 3);'], true],
  ['assertion reindented', ['  assert.strictEqual(add(1, 2), 3);'], ['    assert.strictEqual(add(1,  2), 3);'], false],
  ['expected value changed, same strength', ['expect(add(1, 2)).toBe(4);'], ['expect(add(1, 2)).toBe(3);'], false],
  ['equal made strict', ['assert.equal(add(1, 2), 3);'], ['assert.strictEqual(add(1, 2), 3);'], false],
  ['truthiness made exact', ['expect(x).toBeTruthy();'], ['expect(x).toBe(3);'], false],
  ['assert.ok of an equality stays exact', ['assert.strictEqual(a, b);'], ['assert.ok(a === b);'], false],
  ['assertions added only', [], ['expect(add(2, 2)).toBe(4);'], false],
  ['skip removed', ["test.skip('adds', () => {"], ["test('adds', () => {"], false],
  ['non-assertion line removed', ['  const x = 1;'], [], false],
  ['commented assertion removed', ['  // expect(x).toBe(1);'], [], false],
];

test('assertion weakening, case by case', () => {
  for (const [name, removed, added, weakens] of ASSERTION_CASES) {
    const edited = file('test/add.test.js', { removed, added: [...added, '// a test file edit'] });
    const gates = gatesOf([fix, edited]);
    assert.deepEqual(gates, weakens ? ['assertion_weakened'] : [], name);
  }
});

test('a test moved between files keeps its assertions', () => {
  const assertion = '  assert.strictEqual(add(1, 2), 3);';
  const from = file('test/a.test.js', { removed: ["test('adds', () => {", assertion, '});'] });
  const to = file('test/b.test.js', { status: 'added', added: ["test('adds', () => {", assertion, '});'] });
  assert.deepEqual(gatesOf([fix, from, to]), []);
});

test('the weakening reason names the file, the line and both assertions', () => {
  const edited = file('test/add.test.js', { removed: ['assert.strictEqual(add(1, 2), 3);'], added: ['assert.ok(add(1, 2));'] });
  const [failure] = checkDiffGates({ files: [fix, edited] }, { policy, ticketLabels: [] });
  assert.equal(failure!.gate, 'assertion_weakened');
  assert.match(failure!.reason, /test\/add\.test\.js:1 `assert\.strictEqual\(add\(1, 2\), 3\);` became the weaker `assert\.ok\(add\(1, 2\)\);`/);
});

test('changedTestFiles lists added and edited tests, not deletions or pure renames', () => {
  const diff: ParsedDiff = {
    files: [
      fix,
      newTest,
      file('test/edited.test.js', { added: ['x'] }),
      file('test/gone.test.js', { status: 'deleted' }),
      file('test/renamed.test.js', { status: 'renamed', oldPath: 'test/was.test.js' }),
      file('test/moved-in.test.js', { status: 'renamed', oldPath: 'src/checks.js' }),
    ],
  };
  assert.deepEqual(changedTestFiles(diff, policy.test_paths), ['test/add.test.js', 'test/edited.test.js', 'test/moved-in.test.js']);
});
