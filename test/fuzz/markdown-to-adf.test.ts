import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { markdownToAdf, type AdfNode } from '../../src/domain/markdown-to-adf.ts';
import { check } from './fuzz-options.ts';
import { shortHostileString } from './hostile.ts';
import { describe } from './result-shapes.ts';

/*
 * Markdown → ADF turns text Baton writes, with ticket text, agent summaries and file names inside it,
 * into the body of a Jira comment. Any text gives a document Jira accepts: known node types, no empty
 * text node (Jira refuses the whole comment for one), `code` combined with `link` only, and links
 * only to web, mail or relative addresses (ticket text is untrusted).
 */

const BLOCKS = new Set(['paragraph', 'heading', 'codeBlock', 'blockquote', 'rule', 'bulletList', 'orderedList', 'listItem']);
const INLINE = new Set(['text', 'hardBreak']);
const SAFE_HREF = /^(https?:|mailto:|\/|#)/i;

/** Walks the document without recursion, so a deep one is checked rather than overflowing here. */
function assertAdf(doc: ReturnType<typeof markdownToAdf>): void {
  assert.equal(doc.type, 'doc');
  assert.equal(doc.version, 1);
  const stack: AdfNode[] = [...doc.content];
  while (stack.length) {
    const node = stack.pop()!;
    assert.ok(BLOCKS.has(node.type) || INLINE.has(node.type), `unknown node ${describe(node)}`);
    if (node.type === 'text') {
      assert.ok(typeof node.text === 'string' && node.text.length > 0, `empty text node ${describe(node)}`);
      const marks = node.marks ?? [];
      for (const mark of marks) {
        assert.ok(['strong', 'em', 'strike', 'code', 'link'].includes(mark.type), describe(mark));
        if (mark.type === 'link') assert.match(mark.attrs?.href ?? '', SAFE_HREF);
      }
      if (marks.some((m) => m.type === 'code')) assert.ok(marks.every((m) => m.type === 'code' || m.type === 'link'), `code with ${describe(marks)}`);
    }
    stack.push(...(node.content ?? []));
  }
}

const token = fc.oneof(
  fc.constantFrom('#', '## ', '> ', '>', '- ', '* ', '+ ', '1. ', '2) ', '```', '~~~', '```js', '---', '***', '___', '`', '``', '*', '**', '***', '_', '__', '~~', '\\', '[', ']', '(', ')', '<', '>', '](', '[x](https://example.com)', '[x](javascript:alert(1))', '<https://a.example>', 'https://a.example/path_(x).', 'mailto:a@b', '  ', '    ', '\t', '\n', '\n\n', '\r\n', '\r', 'word', 'snake_case', ' '),
  shortHostileString,
);
// Strings stay short here: a fence line with a backtick later in it ("```" + 40,000 letters + "`")
// backtracks quadratically in FENCE (about 1 s at 40 kB, 20 s at 200 kB), which a test cannot time.
const markdownish = fc.array(token, { maxLength: 60 }).map((parts) => parts.join(''));

test('markdownToAdf: any text, markdown-like or not, gives a document Jira accepts', () => {
  check(fc.property(fc.oneof(markdownish, fc.string({ unit: 'binary', maxLength: 300 })), (text) => assertAdf(markdownToAdf(text))), 1000);
});

test('markdownToAdf: a link to any other scheme stays text', () => {
  const scheme = fc.stringMatching(/^[a-z][a-z0-9+.-]{0,10}$/).filter((s) => !/^(https?|mailto)$/.test(s));
  check(
    fc.property(scheme, fc.string({ maxLength: 20 }), (s, rest) => {
      const doc = markdownToAdf(`[click](${s}:${rest.replace(/[\s()<>]/g, '')}) <${s}://x> ${s}://y`);
      assertAdf(doc);
    }),
    300,
  );
});

// Fixed depths rather than an integer: shrinking a depth step by step re-parses thousands of levels each time.
test('markdownToAdf: deeply nested quotes, lists and emphasis give a document, not a stack overflow', () => {
  const nested = fc.tuple(fc.constantFrom('> ', '>', '- ', '* ', '1. ', '> - ', '*_', '**', '['), fc.constantFrom(100, 2_000, 5_000)).map(([unit, depth]) => `${unit.repeat(depth)}x`);
  check(fc.property(nested, (text) => assertAdf(markdownToAdf(text))), 40);
});
