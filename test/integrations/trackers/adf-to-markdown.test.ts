import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adfToMarkdown } from '../../../src/integrations/trackers/adf-to-markdown.ts';
import { markdownToAdf } from '../../../src/domain/markdown-to-adf.ts';

test('markdown Baton writes survives the trip through ADF', () => {
  const markdown = [
    '## Fix for **OPS-7**',
    'Opened [PR #12](https://github.com/acme/app/pull/12); CI at https://ci.example.com/9.\nSecond *line* with `code` and ~~old~~.',
    '```ts\nconst x = 1;\n\nfix(x);\n```',
    '- one\n- two\n  1. nested\n  2. again\n- three',
    '3. third\n4. fourth',
    '> quoted',
    '---',
  ].join('\n\n');
  assert.equal(adfToMarkdown(markdownToAdf(markdown)), markdown);
});

test('a Jira description as the editor stores it reads as markdown', () => {
  const description = {
    type: 'doc',
    version: 1,
    content: [
      { type: 'paragraph', content: [
        { type: 'mention', attrs: { id: '5b10ac8d82e05b22cc7d4ef5', text: '@Grace Hopper' } },
        { type: 'text', text: ' the deploy fails ' },
        { type: 'emoji', attrs: { shortName: ':fire:', text: '🔥' } },
        { type: 'text', text: ' since ' },
        { type: 'date', attrs: { timestamp: '1714521600000' } },
        { type: 'text', text: ', see ' },
        { type: 'inlineCard', attrs: { url: 'https://acme.atlassian.net/browse/OPS-1' } },
      ] },
      { type: 'panel', attrs: { panelType: 'info' }, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Only on staging.' }] }] },
      { type: 'table', content: [
        { type: 'tableRow', content: [
          { type: 'tableHeader', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'env' }] }] },
          { type: 'tableHeader', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'result' }] }] },
        ] },
        { type: 'tableRow', content: [
          { type: 'tableCell', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'staging' }] }] },
          { type: 'tableCell', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'fails', marks: [{ type: 'strong' }] }] }] },
        ] },
      ] },
      { type: 'mediaSingle', content: [{ type: 'media', attrs: { id: 'abc', type: 'file', collection: '' } }] },
      { type: 'codeBlock', content: [{ type: 'text', text: 'kubectl get pods' }] },
    ],
  };
  assert.equal(
    adfToMarkdown(description),
    [
      '@Grace Hopper the deploy fails 🔥 since 2024-05-01, see https://acme.atlassian.net/browse/OPS-1',
      'Only on staging.',
      '| env | result |\n| staging | **fails** |',
      '[attachment]',
      '```\nkubectl get pods\n```',
    ].join('\n\n'),
  );
});

test('no description, or a plain string, is handled', () => {
  assert.equal(adfToMarkdown(null), '');
  assert.equal(adfToMarkdown(undefined), '');
  assert.equal(adfToMarkdown(' plain text from v2 '), 'plain text from v2');
  assert.equal(adfToMarkdown({ type: 'doc', version: 1, content: [] }), '');
});
