import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseUnifiedDiff, type DiffFile, type DiffLine } from '../../src/domain/parse-unified-diff.ts';
import { check } from './fuzz-options.ts';
import { hostileString } from './hostile.ts';
import { describe } from './result-shapes.ts';

/*
 * The diff Baton reads is the agent's work, and the agent writes what a ticket asked it to: file
 * names and lines are untrusted. Any text gives files of the declared shape; a diff written the way
 * git writes one is read back exactly, whatever the names and lines hold.
 */

function assertShape(files: DiffFile[]): void {
  for (const f of files) {
    assert.equal(typeof f.path, 'string');
    assert.equal(typeof f.oldPath, 'string');
    assert.ok(['added', 'modified', 'deleted', 'renamed'].includes(f.status), describe(f.status));
    assert.equal(typeof f.binary, 'boolean');
    for (const line of [...f.added, ...f.removed]) {
      assert.equal(typeof line.text, 'string');
      assert.ok(Number.isFinite(line.lineNumber), `line number ${line.lineNumber}`);
    }
  }
}

const diffishLine = fc.oneof(
  fc.constantFrom('diff --git a/x b/x', 'diff --git "a/x', 'diff --git ', '--- a/x', '+++ b/x', '--- /dev/null', '+++ "b/\\', 'new file mode 100644', 'deleted file mode 100644',
    'rename from "\\', 'rename to ', 'copy to x', 'Binary files a/x and b/x differ', 'GIT binary patch', '@@ -1 +1 @@', '@@ -0,0 +1,999999999 @@', '@@ -99999999999999999999 +1 @@', '\\ No newline at end of file', '', ' '),
  fc.constantFrom('+', '-', ' ').chain((mark) => hostileString.map((s) => `${mark}${s}`)),
  hostileString,
);

test('parseUnifiedDiff: any text, diff-like or not, gives files of the declared shape', () => {
  const text = fc.oneof(fc.array(diffishLine, { maxLength: 40 }).map((lines) => lines.join('\n')), fc.string({ unit: 'binary', maxLength: 300 }));
  check(fc.property(text, (t) => assertShape(parseUnifiedDiff(t).files)), 1000);
});

// git's C-style quoting (core.quotePath on): names with a quote, a backslash, a control byte or any
// byte over 0x7f are quoted, and those bytes written as escapes or octal.
const NAMED: Record<number, string> = { 7: 'a', 8: 'b', 9: 't', 10: 'n', 11: 'v', 12: 'f', 13: 'r', 34: '"', 92: '\\' };
function quote(name: string): string {
  const bytes = Buffer.from(name, 'utf8');
  if (!bytes.some((b) => b < 0x20 || b === 0x7f || b >= 0x80 || b === 34 || b === 92)) return name;
  let out = '"';
  for (const b of bytes) {
    if (Object.hasOwn(NAMED, b)) out += `\\${NAMED[b]}`;
    else if (b < 0x20 || b >= 0x7f) out += `\\${b.toString(8).padStart(3, '0')}`;
    else out += String.fromCharCode(b);
  }
  return `${out}"`;
}
// git writes `--- a/name with space\t` (for patch(1)); quoted names need no tab.
const marker = (prefix: string, name: string): string => {
  const q = quote(`${prefix}${name}`);
  return q.startsWith('"') || !name.includes(' ') ? q : `${q}\t`;
};

/** A path git could have written: segments of letters, spaces, unicode, quotes and backslashes (no `/` at the ends, no newline). */
const segment = fc.string({ unit: fc.constantFrom('a', 'b', 'Z', '9', ' ', '-', '.', '"', '\\', '\t', 'é', '漢', '😀', '\u0001', 'b/', ' b'), minLength: 1, maxLength: 8 })
  .filter((s) => !s.startsWith('/') && !s.endsWith('/') && s.trim() === s && s !== '.' && s !== '..');
const pathName = fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/'));

// A line's content may itself look like diff headers, hunk headers or the "\ No newline" marker.
const content = fc.oneof(fc.constantFrom('diff --git a/x b/x', '--- a/x', '+++ b/x', '@@ -1 +1 @@', '\\ No newline at end of file', ''), fc.string({ unit: 'binary', maxLength: 30 }).map((s) => s.replace(/\n/g, '')));
const hunkLine = fc.tuple(fc.constantFrom(' ', '+', '-'), content);
const hunk = fc.record({ gap: fc.nat(50), lines: fc.array(hunkLine, { minLength: 1, maxLength: 8 }) }).filter((h) => h.lines.some(([m]) => m !== ' '));

type Kind = 'modified' | 'renamed';
interface FileSpec {
  kind: Kind;
  path: string;
  from: string;
  hunks: { gap: number; lines: [string, string][] }[];
}
const fileSpec: fc.Arbitrary<FileSpec> = fc.record({ kind: fc.constantFrom<Kind>('modified', 'renamed'), path: pathName, from: pathName, hunks: fc.array(hunk, { maxLength: 3 }) }).filter((f) => f.kind === 'modified' ? f.hunks.length > 0 : f.from !== f.path);

/** The diff text and the files it describes. */
function render(specs: FileSpec[]): { text: string; files: DiffFile[] } {
  const out: string[] = [];
  const files: DiffFile[] = [];
  for (const spec of specs) {
    const oldPath = spec.kind === 'renamed' ? spec.from : spec.path;
    out.push(`diff --git ${quote(`a/${oldPath}`)} ${quote(`b/${spec.path}`)}`);
    if (spec.kind === 'renamed') out.push('similarity index 90%', `rename from ${quote(oldPath)}`, `rename to ${quote(spec.path)}`);
    if (spec.hunks.length) out.push('index 1234567..89abcde 100644', `--- ${marker('a/', oldPath)}`, `+++ ${marker('b/', spec.path)}`);
    const added: DiffLine[] = [];
    const removed: DiffLine[] = [];
    let oldLine = 1;
    let newLine = 1;
    for (const h of spec.hunks) {
      oldLine += h.gap;
      newLine += h.gap;
      const oldCount = h.lines.filter(([m]) => m !== '+').length;
      const newCount = h.lines.filter(([m]) => m !== '-').length;
      const range = (start: number, count: number): string => (count === 1 ? `${start}` : `${count === 0 ? start - 1 : start},${count}`);
      out.push(`@@ -${range(oldLine, oldCount)} +${range(newLine, newCount)} @@ function f() {`);
      for (const [mark, text] of h.lines) {
        out.push(`${mark}${text}`);
        if (mark === '+') added.push({ text, lineNumber: newLine++ });
        else if (mark === '-') removed.push({ text, lineNumber: oldLine++ });
        else {
          oldLine++;
          newLine++;
        }
      }
    }
    files.push({ path: spec.path, oldPath, status: spec.kind, binary: false, added, removed });
  }
  return { text: `${out.join('\n')}\n`, files };
}

test('parseUnifiedDiff: a diff written as git writes it is read back exactly (quoted names, header-like lines)', () => {
  check(
    fc.property(fc.array(fileSpec, { minLength: 1, maxLength: 4 }), (specs) => {
      const { text, files } = render(specs);
      assert.deepEqual(parseUnifiedDiff(text).files, files);
    }),
    500,
  );
});
