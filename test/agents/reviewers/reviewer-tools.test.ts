import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FakeAnthropic } from '../../fakes/fake-anthropic.ts';
import { DEMO_FIX } from '../../support/demo-repo.ts';
import { INVOICE_FILE, reviewWorld } from './review-fixture.ts';
import { answer, BLAST_RADIUS_REPORT, lastToolResults, REPORTS, reviewersHandler, type ReviewerStep } from './review-script.ts';

// The reviewers' tools against a real linked worktree in the real bubblewrap sandbox.
const fake = new FakeAnthropic();
before(() => fake.start());
beforeEach(() => fake.reset());
after(() => fake.stop());

const tools = (calls: { name: string; input: unknown }[]): ReviewerStep => () => ({
  content: [{ type: 'text', text: 'Reading first.' }, ...calls.map((call) => ({ type: 'tool_use' as const, ...call }))],
});

test('blast radius finds a caller of the changed code by searching the worktree in the sandbox', async (t) => {
  const world = await reviewWorld(t, fake);
  const seen: { text: string; isError: boolean }[] = [];
  fake.handle(reviewersHandler({
    blast_radius: [
      tools([{ name: 'search', input: { pattern: '\\bsumRange\\(', path: '/repo/src', glob: '*.js' } }]),
      (request) => {
        const [result] = lastToolResults(request);
        seen.push(result!);
        // What a model does with the result: each match outside the definition is a caller.
        const callers = result!.text.split('\n').flatMap((line) => {
          const match = /^\/repo\/([^:]+):\d+:(.*)$/.exec(line);
          return match && !match[2]!.includes('function sumRange') ? [{ path: match[1]!, symbol: 'sumRange' }] : [];
        });
        return answer({ ...BLAST_RADIUS_REPORT, level: 'medium', callers });
      },
    ],
  }));

  const results = await world.run();

  assert.ok(!seen[0]!.isError, seen[0]!.text);
  assert.match(seen[0]!.text, /^\/repo\/src\/invoice\.js:5: {2}return sumRange\(first, last\);$/m, 'grep ran on the worktree, in the sandbox, as /repo');
  assert.match(seen[0]!.text, /^\/repo\/src\/calc\.js:\d+:export function sumRange\(start, end\) \{$/m);
  const blast = results[1]!;
  assert.ok(blast.reviewer === 'blast_radius' && blast.status === 'answered', blast.status === 'abstained' ? blast.reason : '');
  assert.deepEqual(blast.report.callers, [{ path: INVOICE_FILE.path, symbol: 'sumRange' }]);
});

test('search: no match, a bad pattern and a path outside the repository are answers, not failures of the review', async (t) => {
  const world = await reviewWorld(t, fake);
  const seen: { text: string; isError: boolean }[] = [];
  fake.handle(reviewersHandler({
    security: [
      tools([
        { name: 'search', input: { pattern: 'AKIA[0-9A-Z]{16}' } },
        { name: 'search', input: { pattern: 'eval(' } },
        { name: 'search', input: { pattern: 'root', path: '/repo/../../etc' } },
        { name: 'search', input: { pattern: "'; touch /repo/pwned; echo '" } },
      ]),
      (request) => {
        seen.push(...lastToolResults(request));
        return answer(REPORTS.security);
      },
    ],
  }));

  const results = await world.run();

  assert.equal(results[0]!.status, 'answered');
  assert.deepEqual(seen[0], { text: 'No matches for /AKIA[0-9A-Z]{16}/ in /repo.', isError: false });
  assert.ok(seen[1]!.isError);
  assert.match(seen[1]!.text, /^grep failed \(exit 2\): .*(Unmatched|parenthes)/i);
  assert.ok(seen[2]!.isError);
  assert.match(seen[2]!.text, /^Refused: .*climbs out of the repository/);
  assert.deepEqual(seen[3], { text: "No matches for /'; touch /repo/pwned; echo '/ in /repo.", isError: false }, 'the pattern is one quoted word, never shell');
  await assert.rejects(access(join(world.worktree, 'pwned')));
});

test('the editor views but refuses every write command with "read-only", and the worktree is left as it was', async (t) => {
  const world = await reviewWorld(t, fake);
  const calcPath = join(world.worktree, DEMO_FIX.path);
  const before = await readFile(calcPath, 'utf8');
  const seen: { text: string; isError: boolean }[] = [];
  fake.handle(reviewersHandler({
    action_plan: [
      tools([
        { name: 'str_replace_based_edit_tool', input: { command: 'create', path: '/repo/pwned.txt', file_text: 'owned' } },
        { name: 'str_replace_based_edit_tool', input: { command: 'str_replace', path: '/repo/src/calc.js', old_str: DEMO_FIX.newStr, new_str: DEMO_FIX.oldStr } },
        { name: 'str_replace_based_edit_tool', input: { command: 'insert', path: '/repo/src/calc.js', insert_line: 0, insert_text: '// hi\n' } },
        { name: 'str_replace_based_edit_tool', input: { command: 'view', path: '/repo/src/calc.js' } },
      ]),
      (request) => {
        seen.push(...lastToolResults(request));
        return answer(REPORTS.action_plan);
      },
    ],
  }));

  const results = await world.run();

  assert.equal(results[2]!.status, 'answered');
  for (const refused of seen.slice(0, 3)) {
    assert.ok(refused.isError);
    assert.match(refused.text, /^read-only: `(create|str_replace|insert)` is refused/);
  }
  assert.ok(!seen[3]!.isError);
  assert.match(seen[3]!.text, /Here's the result of running `cat -n` on \/repo\/src\/calc\.js:[\s\S]*i <= end/);
  await assert.rejects(access(join(world.worktree, 'pwned.txt')), 'nothing was created');
  assert.equal(await readFile(calcPath, 'utf8'), before, 'nothing was edited');
});
