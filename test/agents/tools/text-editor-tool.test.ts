import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { textEditorTool } from '../../../src/agents/tools/text-editor-tool.ts';
import { call, toolWorld } from './tool-fixtures.ts';

const CALC = ['export function add(a, b) {', '  return a - b;', '}', '', 'export function sub(a, b) {', '  return a - b;', '}', ''].join('\n');

test('the definition is the text editor the models are trained on, and view shows numbered lines', async (t) => {
  const world = await toolWorld({ 'src/calc.js': CALC });
  t.after(world.cleanup);
  const editor = textEditorTool({ worktree: world.worktree, maxCharacters: 10_000 });
  assert.deepEqual(editor.definition, { type: 'text_editor_20250728', name: 'str_replace_based_edit_tool', max_characters: 10_000 });
  assert.equal(editor.readOnly, false);

  const whole = await call(editor, { command: 'view', path: '/repo/src/calc.js' });
  assert.equal(whole.isError, undefined);
  assert.equal(
    whole.content,
    "Here's the result of running `cat -n` on /repo/src/calc.js:\n" +
      '     1\texport function add(a, b) {\n     2\t  return a - b;\n     3\t}\n     4\t\n' +
      '     5\texport function sub(a, b) {\n     6\t  return a - b;\n     7\t}',
  );

  const range = await call(editor, { command: 'view', path: 'src/calc.js', view_range: [5, 6] });
  assert.match(range.content, /\n {5}5\texport function sub\(a, b\) \{\n {5}6\t {2}return a - b;$/);
  const toEnd = await call(editor, { command: 'view', path: 'src/calc.js', view_range: [6, -1] });
  assert.match(toEnd.content, /\n {5}6\t {2}return a - b;\n {5}7\t\}$/);
  const past = await call(editor, { command: 'view', path: 'src/calc.js', view_range: [9, 12] });
  assert.equal(past.isError, true);
  assert.match(past.content, /has 7 lines/);
});

test('view of a directory lists two levels, without hidden entries or node_modules', async (t) => {
  const world = await toolWorld({
    'src/lib/deep/deeper.js': '1\n',
    'src/lib/top.js': '1\n',
    '.env.example': 'X=1\n',
    'node_modules/left-pad/index.js': '1\n',
  });
  t.after(world.cleanup);
  const editor = textEditorTool({ worktree: world.worktree });
  const root = await call(editor, { command: 'view', path: '/repo' });
  const lines = root.content.split('\n').slice(1);
  assert.deepEqual(lines, ['/repo/', '/repo/README.md', '/repo/src/', '/repo/src/index.js', '/repo/src/lib/']);
  const src = await call(editor, { command: 'view', path: 'src' });
  assert.ok(src.content.includes('/repo/src/lib/top.js'));
  assert.ok(src.content.includes('/repo/src/lib/deep/'));
  assert.ok(!src.content.includes('deeper.js'));
});

test('a long file is cut to head and tail whole lines, naming the range left out', async (t) => {
  const long = Array.from({ length: 3000 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
  const world = await toolWorld({ 'big.txt': long });
  t.after(world.cleanup);
  const out = await call(textEditorTool({ worktree: world.worktree, maxCharacters: 2000 }), { command: 'view', path: 'big.txt' });
  assert.ok(out.content.length < 2300, `${out.content.length} characters`);
  assert.match(out.content, /^ {5}1\tline 1$/m);
  assert.match(out.content, /^ {2}3000\tline 3000$/m);
  const marker = /\[… lines (\d+)–(\d+) left out \(\d+ characters\); view them with view_range \[\1, \2\] …\]/.exec(out.content);
  assert.ok(marker, out.content);
  assert.ok(!out.content.includes(`\tline ${marker[1]}\n`));
});

test('create writes the file and its parent directories, and says when it replaced one', async (t) => {
  const world = await toolWorld();
  t.after(world.cleanup);
  const editor = textEditorTool({ worktree: world.worktree });
  const made = await call(editor, { command: 'create', path: '/repo/test/deep/new.test.js', file_text: 'a\nb\n' });
  assert.equal(made.content, 'File created successfully at: /repo/test/deep/new.test.js (2 lines).');
  assert.equal(await readFile(join(world.worktree, 'test/deep/new.test.js'), 'utf8'), 'a\nb\n');
  const again = await call(editor, { command: 'create', path: 'test/deep/new.test.js', file_text: 'c\n' });
  assert.match(again.content, /already existed and has been overwritten/);
  assert.equal(await readFile(join(world.worktree, 'test/deep/new.test.js'), 'utf8'), 'c\n');
  const onDir = await call(editor, { command: 'create', path: 'src', file_text: 'x' });
  assert.equal(onDir.isError, true);
  assert.match(onDir.content, /is a directory/);
});

test('str_replace edits a unique match and shows the edited lines', async (t) => {
  const world = await toolWorld({ 'src/calc.js': CALC });
  t.after(world.cleanup);
  const editor = textEditorTool({ worktree: world.worktree });
  const out = await call(editor, {
    command: 'str_replace',
    path: 'src/calc.js',
    old_str: 'export function add(a, b) {\n  return a - b;',
    new_str: 'export function add(a, b) {\n  return a + b;',
  });
  assert.equal(out.isError, undefined, out.content);
  assert.match(out.content, /^The file \/repo\/src\/calc\.js has been edited\./);
  assert.match(out.content, /\n {5}2\t {2}return a \+ b;\n/);
  assert.equal(await readFile(join(world.worktree, 'src/calc.js'), 'utf8'), CALC.replace('a - b', 'a + b'));
});

test('str_replace with two matches is refused with the count and both line numbers', async (t) => {
  const world = await toolWorld({ 'src/calc.js': CALC });
  t.after(world.cleanup);
  const out = await call(textEditorTool({ worktree: world.worktree }), { command: 'str_replace', path: 'src/calc.js', old_str: '  return a - b;', new_str: '  return a + b;' });
  assert.equal(out.isError, true);
  assert.match(out.content, /occurs 2 times in \/repo\/src\/calc\.js, at lines 2, 6\./);
  assert.match(out.content, /\n {5}2\t {2}return a - b;\n {5}6\t {2}return a - b;$/);
  assert.equal(await readFile(join(world.worktree, 'src/calc.js'), 'utf8'), CALC);
});

test('str_replace with no match is refused with the lines it most likely meant', async (t) => {
  const world = await toolWorld({ 'src/calc.js': CALC, 'src/tabs.js': 'function f() {\n\tif (x) {\n\t\treturn 1;\n\t}\n}\n' });
  t.after(world.cleanup);
  const editor = textEditorTool({ worktree: world.worktree });

  const spaces = await call(editor, { command: 'str_replace', path: 'src/tabs.js', old_str: '  if (x) {\n    return 1;', new_str: '  if (y) {\n    return 2;' });
  assert.equal(spaces.isError, true);
  assert.match(spaces.content, /0 matches/);
  assert.match(spaces.content, /It matches lines 2–3 if whitespace is ignored; those lines are really:\n {5}2\t\tif \(x\) \{\n {5}3\t\t\treturn 1;/);

  const typo = await call(editor, { command: 'str_replace', path: 'src/calc.js', old_str: 'export function subtract(a, b) {\n  return a - b;\n}', new_str: '' });
  assert.equal(typo.isError, true);
  assert.match(typo.content, /The most similar text is at lines 5–7:\n {5}5\texport function sub\(a, b\) \{/);

  const nothing = await call(editor, { command: 'str_replace', path: 'src/calc.js', old_str: 'zzzz qqqq', new_str: '' });
  assert.match(nothing.content, /Nothing similar was found/);
  assert.equal(await readFile(join(world.worktree, 'src/calc.js'), 'utf8'), CALC);
});

test('str_replace keeps a CRLF file CRLF when old_str uses plain newlines', async (t) => {
  const world = await toolWorld();
  t.after(world.cleanup);
  await writeFile(join(world.worktree, 'win.txt'), 'one\r\ntwo\r\nthree\r\n');
  const out = await call(textEditorTool({ worktree: world.worktree }), { command: 'str_replace', path: 'win.txt', old_str: 'one\ntwo', new_str: 'one\n2' });
  assert.equal(out.isError, undefined, out.content);
  assert.equal(await readFile(join(world.worktree, 'win.txt'), 'utf8'), 'one\r\n2\r\nthree\r\n');
});

test('insert puts text after a line, 0 being the top, and refuses a line past the end', async (t) => {
  const world = await toolWorld({ 'list.txt': 'a\nb\nc\n' });
  t.after(world.cleanup);
  const editor = textEditorTool({ worktree: world.worktree });
  const top = await call(editor, { command: 'insert', path: 'list.txt', insert_line: 0, insert_text: 'first\n' });
  assert.equal(top.isError, undefined, top.content);
  assert.match(top.content, /\n {5}1\tfirst\n {5}2\ta\n/);
  await call(editor, { command: 'insert', path: 'list.txt', insert_line: 2, insert_text: 'x\ny' });
  // Older tool versions send the text as new_str; it is accepted too.
  await call(editor, { command: 'insert', path: '/repo/list.txt', insert_line: 6, new_str: 'last' });
  assert.equal(await readFile(join(world.worktree, 'list.txt'), 'utf8'), 'first\na\nx\ny\nb\nc\nlast\n');
  const past = await call(editor, { command: 'insert', path: 'list.txt', insert_line: 99, insert_text: 'z' });
  assert.equal(past.isError, true);
  assert.match(past.content, /has 7 lines, so use 0 to 7/);
});

test('bad input and missing files answer is_error with a reason instead of throwing', async (t) => {
  const world = await toolWorld();
  t.after(world.cleanup);
  await mkdir(join(world.worktree, 'empty'));
  await writeFile(join(world.worktree, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]));
  const editor = textEditorTool({ worktree: world.worktree });
  const cases: [unknown, RegExp][] = [
    [{ path: 'README.md' }, /Invalid input: command/],
    [{ command: 'view' }, /^Give `path`/],
    [{ command: 'view', path: 'nope.txt' }, /The path \/repo\/nope\.txt does not exist/],
    [{ command: 'str_replace', path: 'README.md' }, /needs `old_str`/],
    [{ command: 'str_replace', path: 'empty', old_str: 'x', new_str: 'y' }, /is a directory/],
    [{ command: 'create', path: 'x.txt' }, /needs `file_text`/],
    [{ command: 'insert', path: 'README.md', insert_text: 'x' }, /needs `insert_line`/],
    [{ command: 'undo_edit', path: 'README.md' }, /not part of this version/],
    [{ command: 'delete', path: 'README.md' }, /Unknown command `delete`/],
    [{ command: 'create', path: 'README.md/inner.txt', file_text: 'x' }, /is a file, not a directory/],
    [{ command: 'view', path: 'logo.png' }, /looks binary/],
    [{ command: 'view', path: 'README.md', view_range: [1] }, /Invalid input: view_range/],
  ];
  for (const [input, reason] of cases) {
    const out = await call(editor, input);
    assert.equal(out.isError, true, JSON.stringify(input));
    assert.match(out.content, reason);
  }
});
