import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderMrkdwn, renderTextObject, unescapeEntities } from '../../../src/local/page/assets/mrkdwn.js';
import { findAll, textOf, toHtml } from '../../../src/local/page/assets/tree.js';

const ctx = {
  userName: (id: string) => ({ U0LOCALAPP: 'Avery (approver)', U0BATONBOT: 'Baton' })[id],
  channelName: (id: string) => ({ C0LOCALDEV: 'baton-demo' })[id],
  locale: 'en-US',
  timeZone: 'UTC',
  now: new Date('2026-03-04T12:00:00Z'),
};
const html = (text: string): string => toHtml(renderMrkdwn(text, ctx));
const links = (text: string) => findAll(renderMrkdwn(text, ctx), (n) => n.tag === 'a');

test('bold, italic, strike and code become elements; markers inside words stay text', () => {
  assert.equal(html('*bold* _italic_ ~gone~ `x = 1`'), '<strong>bold</strong> <em>italic</em> <del>gone</del> <code>x = 1</code>');
  assert.equal(html('snake_case_name and 2*3*4'), 'snake_case_name and 2*3*4');
  assert.equal(html('* not bold *'), '* not bold *');
  assert.equal(html('*bold _and italic_*'), '<strong>bold <em>and italic</em></strong>');
});

test('formatting markers inside code spans and link URLs are not formatting', () => {
  assert.equal(html('`*not bold*`'), '<code>*not bold*</code>');
  const [a] = links('<https://example.com/a_b_c*d*|see>');
  assert.equal(a?.attrs.href, 'https://example.com/a_b_c*d*');
  assert.equal(textOf(a!), 'see');
});

test('a code block keeps its text literally and colours a diff line by line', () => {
  const nodes = renderMrkdwn('Diff:\n```\ndiff --git a/x.js b/x.js\n@@ -1 +1 @@\n-if (a &lt; b) *x*\n+if (a &lt;= b)\n```\nDone', ctx);
  const pre = findAll(nodes, (n) => n.tag === 'pre')[0]!;
  assert.match(String(pre.attrs.class), /diff/);
  const lines = findAll(pre, (n) => n.tag === 'span').map((s) => [s.attrs.class, textOf(s)]);
  assert.deepEqual(lines, [
    ['diff-line diff-file', 'diff --git a/x.js b/x.js\n'],
    ['diff-line diff-hunk', '@@ -1 +1 @@\n'],
    ['diff-line diff-del', '-if (a < b) *x*\n'],
    ['diff-line diff-add', '+if (a <= b)\n'],
  ]);
  assert.equal(textOf(nodes), 'Diff:diff --git a/x.js b/x.js\n@@ -1 +1 @@\n-if (a < b) *x*\n+if (a <= b)\nDone');
});

test('a code block that is not a diff is one plain pre', () => {
  const [pre] = findAll(renderMrkdwn('```\nnpm test\n- passes\n```', ctx), (n) => n.tag === 'pre');
  assert.equal(pre?.attrs.class, 'code');
  assert.equal(textOf(pre!), 'npm test\n- passes');
});

test('entities are decoded exactly once, into text', () => {
  assert.equal(unescapeEntities('&amp;lt; &lt;b&gt; &amp;amp;'), '&lt; <b> &amp;');
  const nodes = renderMrkdwn('&lt;script&gt;alert(1)&lt;/script&gt; &amp;lt;b&amp;gt;', ctx);
  assert.equal(textOf(nodes), '<script>alert(1)</script> &lt;b&gt;');
  assert.equal(findAll(nodes, () => true).length, 0, 'only text nodes');
  assert.equal(toHtml(nodes), '&lt;script&gt;alert(1)&lt;/script&gt; &amp;lt;b&amp;gt;');
});

test('hostile text never becomes markup, a broadcast or a script link', () => {
  const hostile = '<script>alert(1)</script> <!channel> <!everyone> <javascript:alert(1)|click me> <JavaScript:alert(1)> <data:text/html,x|d> <vbscript:x|v> <//evil.example|proto> <mailto:a@b.c|mail> "><img src=x onerror=alert(1)>';
  const nodes = renderMrkdwn(hostile, ctx);
  assert.deepEqual(links(hostile), []);
  // The only elements are the two broadcast spans; everything else is text.
  const elements = findAll(nodes, () => true);
  assert.deepEqual(elements.map((n) => [n.tag, Object.keys(n.attrs)]), [['span', ['class']], ['span', ['class']]]);
  assert.doesNotMatch(toHtml(nodes), /<(?!\/?span)/);
  assert.match(textOf(nodes), /@channel @everyone click me JavaScript:alert\(1\) d v proto mail/);
  // A broadcast is shown, never acted on: a span, marked so it reads as one.
  assert.equal(findAll(nodes, (n) => String(n.attrs.class).includes('broadcast')).length, 2);
});

test('links: http(s) only, the label shown, the URL with &amp; decoded', () => {
  const [a] = links('<https://example.com/?a=1&amp;b=2|the &lt;fix&gt;>');
  assert.equal(a?.attrs.href, 'https://example.com/?a=1&b=2');
  assert.equal(textOf(a!), 'the <fix>');
  assert.equal(a?.attrs.rel, 'noopener noreferrer');
  const [bare] = links('<http://127.0.0.1:3000/tickets/DEMO-1>');
  assert.equal(textOf(bare!), 'http://127.0.0.1:3000/tickets/DEMO-1');
});

test('mentions show names; unknown ids show the id; channels show #name', () => {
  const nodes = renderMrkdwn('<@U0LOCALAPP> and <@U0NOBODY> in <#C0LOCALDEV> and <#C0OTHER|general> <!subteam^S1|@oncall>', ctx);
  assert.equal(textOf(nodes), '@Avery (approver) and @U0NOBODY in #baton-demo and #general @oncall');
  const mention = findAll(nodes, (n) => n.attrs['data-user-id'] === 'U0LOCALAPP')[0];
  assert.equal(mention?.attrs.class, 'mention');
});

test('dates are shown in the reader’s timezone with Slack’s tokens; a bad one shows its fallback', () => {
  const ts = Date.UTC(2026, 2, 4, 9, 5) / 1000;
  assert.equal(textOf(renderMrkdwn(`<!date^${ts}^{date_short_pretty} at {time}|09:05 UTC>`, ctx)), 'today at 09:05');
  assert.equal(textOf(renderMrkdwn(`<!date^${ts - 86400}^{date_short_pretty} {time}|x>`, ctx)), 'yesterday 09:05');
  assert.equal(textOf(renderMrkdwn(`<!date^${ts - 5 * 86400}^{date_short} {date_num}|x>`, ctx)), 'Feb 27, 2026 2026-02-27');
  assert.equal(textOf(renderMrkdwn(`<!date^${ts}^{date_long}|x>`, { ...ctx, timeZone: 'Asia/Tokyo' })), 'Wednesday, March 4th, 2026');
  assert.equal(textOf(renderMrkdwn('<!date^oops^{time}|the fallback>', ctx)), 'the fallback');
  assert.deepEqual(links(`<!date^${ts}^{time}^javascript:alert(1)|x>`), []);
});

test('quotes: > and &gt; lines become a blockquote, >>> quotes the rest', () => {
  const nodes = renderMrkdwn('&gt; first\n> second\nafter\n&gt;&gt;&gt; all\nof this', ctx);
  const quotes = findAll(nodes, (n) => n.tag === 'blockquote').map(textOf);
  assert.deepEqual(quotes, ['first\nsecond', 'all\nof this']);
});

test('known emoji codes become emoji; unknown ones and clock times stay as typed', () => {
  assert.equal(textOf(renderMrkdwn(':white_check_mark: done at 14:00:00 :not_an_emoji:', ctx)), '✅ done at 14:00:00 :not_an_emoji:');
});

test('plain_text is shown as written, never parsed', () => {
  assert.equal(toHtml(renderTextObject({ type: 'plain_text', text: '*x* <@U0LOCALAPP> &lt;' }, ctx)), '*x* &lt;@U0LOCALAPP&gt; &amp;lt;');
  assert.deepEqual(renderTextObject(undefined, ctx), []);
});

test('private-use characters in the text cannot forge a token', () => {
  const nodes = renderMrkdwn('\uE000 <https://ok.example|ok> \uE001', ctx);
  assert.equal(textOf(nodes), '\uFFFD ok \uFFFD');
});
