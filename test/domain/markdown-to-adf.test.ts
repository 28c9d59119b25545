import { test } from 'node:test';
import assert from 'node:assert/strict';
import { markdownToAdf, type AdfNode } from '../../src/domain/markdown-to-adf.ts';

const text = (t: string, ...marks: AdfNode['marks'] & object): AdfNode => ({ type: 'text', text: t, ...(marks.length ? { marks } : {}) });
const link = (href: string) => ({ type: 'link' as const, attrs: { href } });
const para = (...content: AdfNode[]): AdfNode => ({ type: 'paragraph', content });
const body = (markdown: string): AdfNode[] => markdownToAdf(markdown).content;

test('a document is ADF version 1; blank lines separate paragraphs, single newlines are hard breaks', () => {
  assert.deepEqual(markdownToAdf('one\ntwo\n\nthree'), {
    type: 'doc',
    version: 1,
    content: [para(text('one'), { type: 'hardBreak' }, text('two')), para(text('three'))],
  });
  assert.deepEqual(markdownToAdf(''), { type: 'doc', version: 1, content: [] });
  assert.deepEqual(body('a\r\nb'), [para(text('a'), { type: 'hardBreak' }, text('b'))]);
});

test('fenced code keeps its text verbatim and its language', () => {
  assert.deepEqual(body('```ts\nconst a = **not bold**;\n\n  indented\n```'), [
    { type: 'codeBlock', attrs: { language: 'ts' }, content: [text('const a = **not bold**;\n\n  indented')] },
  ]);
  assert.deepEqual(body('~~~\n```\n~~~'), [{ type: 'codeBlock', content: [text('```')] }]);
  assert.deepEqual(body('```\n```'), [{ type: 'codeBlock', content: [] }]);
  // An unclosed fence runs to the end rather than swallowing nothing.
  assert.deepEqual(body('```py\nprint(1)'), [{ type: 'codeBlock', attrs: { language: 'py' }, content: [text('print(1)')] }]);
});

test('inline code, bold, italic and strikethrough become marks', () => {
  assert.deepEqual(body('Run `npm test` with **care**, *now* or __later__, _maybe_ ~~never~~ ***really***'), [
    para(
      text('Run '), text('npm test', { type: 'code' }), text(' with '), text('care', { type: 'strong' }), text(', '),
      text('now', { type: 'em' }), text(' or '), text('later', { type: 'strong' }), text(', '), text('maybe', { type: 'em' }),
      text(' '), text('never', { type: 'strike' }), text(' '), text('really', { type: 'strong' }, { type: 'em' }),
    ),
  ]);
  assert.deepEqual(body('**bold `code` here**'), [
    para(text('bold ', { type: 'strong' }), text('code', { type: 'code' }), text(' here', { type: 'strong' })),
  ]);
});

test('what is not markup stays literal text', () => {
  for (const literal of ['snake_case_name and my__dunder__name', '2 * 3 * 4', 'a ** b', 'unclosed *star', 'price: $5 ~ $6', '#hashtag']) {
    assert.deepEqual(body(literal), [para(text(literal))], literal);
  }
  assert.deepEqual(body('\\*not italic\\* and `` a ` b ``'), [para(text('*not italic* and '), text('a ` b', { type: 'code' }))]);
});

test('links, autolinks and bare URLs become link marks; trailing punctuation stays outside', () => {
  assert.deepEqual(body('See [the **PR**](https://github.com/acme/app/pull/1) and https://ci.example.com/run/9. Also <https://x.dev/a_b>'), [
    para(
      text('See '), text('the ', link('https://github.com/acme/app/pull/1')),
      text('PR', link('https://github.com/acme/app/pull/1'), { type: 'strong' }),
      text(' and '), text('https://ci.example.com/run/9', link('https://ci.example.com/run/9')),
      text('. Also '), text('https://x.dev/a_b', link('https://x.dev/a_b')),
    ),
  ]);
  assert.deepEqual(body('(https://en.wikipedia.org/wiki/Foo_(bar))'), [
    para(text('('), text('https://en.wikipedia.org/wiki/Foo_(bar)', link('https://en.wikipedia.org/wiki/Foo_(bar)')), text(')')),
  ]);
  assert.deepEqual(body('[`code link`](https://a.dev)'), [para(text('code link', link('https://a.dev'), { type: 'code' }))]);
  // Ticket text is untrusted: a script link stays literal text.
  assert.deepEqual(body('[click](javascript:alert(1))'), [para(text('[click](javascript:alert(1))'))]);
});

test('headings carry their level; rules and quotes are blocks', () => {
  assert.deepEqual(body('# Title\n### Sub *it* ###\n\n---\n> quoted\n> **line**'), [
    { type: 'heading', attrs: { level: 1 }, content: [text('Title')] },
    { type: 'heading', attrs: { level: 3 }, content: [text('Sub '), text('it', { type: 'em' })] },
    { type: 'rule' },
    { type: 'blockquote', content: [para(text('quoted'), { type: 'hardBreak' }, text('line', { type: 'strong' }))] },
  ]);
});

test('bullet and ordered lists, nested by indentation, with code inside items', () => {
  const item = (...content: AdfNode[]): AdfNode => ({ type: 'listItem', content });
  assert.deepEqual(body('Steps:\n- one\n- two\n  - nested `x`\n\n  ```sh\n  make\n  ```\n* three'), [
    para(text('Steps:')),
    {
      type: 'bulletList',
      content: [
        item(para(text('one'))),
        item(
          para(text('two')),
          { type: 'bulletList', content: [item(para(text('nested '), text('x', { type: 'code' })))] },
          { type: 'codeBlock', attrs: { language: 'sh' }, content: [text('make')] },
        ),
        item(para(text('three'))),
      ],
    },
  ]);
  assert.deepEqual(body('1. first\n2. second\n   wrapped\n\n3. third'), [
    { type: 'orderedList', content: [item(para(text('first'))), item(para(text('second'), { type: 'hardBreak' }, text('wrapped'))), item(para(text('third')))] },
  ]);
  assert.deepEqual(body('3) from three\n4) four'), [
    { type: 'orderedList', attrs: { order: 3 }, content: [item(para(text('from three'))), item(para(text('four')))] },
  ]);
  // ADF list items cannot hold headings or start with a list.
  assert.deepEqual(body('- # big\n-\n- - inner'), [
    {
      type: 'bulletList',
      content: [
        item(para(text('big'))),
        item(para()),
        item(para(), { type: 'bulletList', content: [item(para(text('inner')))] }),
      ],
    },
  ]);
});

test('a list interrupts a paragraph; a number in running text does not', () => {
  assert.deepEqual(body('Fixed in\n- a\n\nIn 2024. we shipped'), [
    para(text('Fixed in')),
    { type: 'bulletList', content: [{ type: 'listItem', content: [para(text('a'))] }] },
    para(text('In 2024. we shipped')),
  ]);
  assert.deepEqual(body('released\n2024. was good'), [para(text('released'), { type: 'hardBreak' }, text('2024. was good'))]);
});

test('no node is an empty text node', () => {
  const walk = (nodes: AdfNode[]): void => nodes.forEach((n) => {
    if (n.type === 'text') assert.ok(n.text, JSON.stringify(n));
    walk(n.content ?? []);
  });
  walk(body('** **\n`` ``\n[](https://a.dev)\n- \n#\n> \n***'));
});

test('a fence line keeps its info word as the language, whatever follows it', () => {
  const fenced = markdownToAdf('```ts extra words\ncode\n```');
  assert.deepEqual(fenced.content[0], { type: 'codeBlock', attrs: { language: 'ts' }, content: [{ type: 'text', text: 'code' }] });
});

test('nesting deeper than 32 levels is kept as text instead of recursing', () => {
  const doc = markdownToAdf(`${'> '.repeat(5_000)}x`);
  assert.equal(doc.type, 'doc');
  assert.ok(JSON.stringify(doc).includes('x'));
});
