import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderTicket, renderTicketList } from '../../../src/local/page/assets/tickets-view.js';
import { renderFileDiffs, renderPull, renderPullList } from '../../../src/local/page/assets/pulls-view.js';
import { findAll, textOf, toHtml, type Node } from '../../../src/local/page/assets/tree.js';

const ctx = { locale: 'en-US', timeZone: 'UTC', now: new Date('2026-03-04T12:00:00Z') };
const byTestId = (nodes: Node | Node[], id: string): Node[] => findAll(nodes, (n) => n.attrs['data-testid'] === id);
const at = '2026-03-04T09:30:00Z';

test('the ticket list links each ticket, shows its state and labels, and offers a New ticket form', () => {
  const created: unknown[] = [];
  const node = renderTicketList([{ key: 'DEMO-1', team: 'DEMO', title: 'Sum is off <b>', state: 'Todo', labels: ['bug'], updated_at: at }], { ...ctx, onCreateTicket: (ev: unknown) => created.push(ev) });
  const [row] = byTestId(node, 'ticket-row');
  assert.equal(row?.attrs['data-key'], 'DEMO-1');
  assert.deepEqual(findAll(row!, (n) => n.tag === 'a').map((a) => a.attrs.href), ['/tickets/DEMO-1', '/tickets/DEMO-1']);
  assert.match(textOf(row!), /DEMO-1Sum is off <b>TodobugToday 09:30/i);
  assert.match(toHtml(node), /Sum is off &lt;b&gt;/);
  const [form] = byTestId(node, 'new-ticket-form');
  assert.equal(byTestId(form!, 'new-ticket-team')[0]?.attrs.value, 'DEMO', 'the team defaults to one seen');
  form!.attrs.on!.submit!('event');
  assert.deepEqual(created, ['event']);
});

test('a ticket page shows title, state, description, comments and history, with forms to comment and move it', () => {
  const calls: unknown[] = [];
  const node = renderTicket(
    {
      ticket: { key: 'DEMO-1', team: 'DEMO', title: 'Sum is off', description: 'sumRange(1, 3) gives 5\n<script>x</script>', state: 'In Progress', labels: ['bug'], priority: 2, created_at: at, updated_at: at },
      comments: [{ id: 'c1', author: 'Baton', body: 'Working on it: <http://evil|x>', created_at: at }],
      history: [{ at, from: 'Todo', to: 'In Progress' }],
    },
    { ...ctx, onAddComment: (_ev: unknown, key: string) => calls.push(['comment', key]), onMoveTicket: (_ev: unknown, key: string) => calls.push(['move', key]) },
  );
  assert.equal(node.attrs['data-key'], 'DEMO-1');
  assert.equal(textOf(byTestId(node, 'ticket-title')[0]!), 'Sum is off');
  assert.equal(byTestId(node, 'ticket-state')[0]?.attrs['data-state'], 'In Progress');
  assert.equal(textOf(byTestId(node, 'ticket-description')[0]!), 'sumRange(1, 3) gives 5\n<script>x</script>');
  assert.equal(findAll(node, (n) => n.tag === 'script').length, 0);
  assert.match(textOf(byTestId(node, 'ticket-comment')[0]!), /Baton.*Working on it: <http:\/\/evil\|x>/);
  assert.match(textOf(byTestId(node, 'ticket-history-item')[0]!), /Todo → In Progress/);
  assert.equal(byTestId(node, 'ticket-state-input')[0]?.attrs.value, 'In Progress');
  byTestId(node, 'ticket-comment-form')[0]!.attrs.on!.submit!('e');
  byTestId(node, 'ticket-state-form')[0]!.attrs.on!.submit!('e');
  assert.deepEqual(calls, [['comment', 'DEMO-1'], ['move', 'DEMO-1']]);
});

const diff = 'diff --git a/src/sum.js b/src/sum.js\nindex 1..2 100644\n--- a/src/sum.js\n+++ b/src/sum.js\n@@ -1,3 +1,3 @@\n function sumRange(a, b) {\n-  for (let i = a; i <= b + 1; i++) s += i;\n+  for (let i = a; i <= b; i++) s += i;\ndiff --git a/test/sum.test.js b/test/sum.test.js\n--- /dev/null\n+++ b/test/sum.test.js\n@@ -0,0 +1 @@\n+test("sum", () => {});\n';

test('a pull request page shows state, branches, checks and the diff per file, coloured', () => {
  const node = renderPull(
    {
      pull: { id: 'p1', repo: 'local/calc', number: 1, title: 'Fix sumRange', body: 'Fixes DEMO-1', state: 'merged', head_ref: 'baton/DEMO-1-sum', head_sha: 'abcdef0123', base_ref: 'main', base_sha: '0123456789', merge_sha: 'fedcba9876', merged_by: 'Avery (approver)', url: 'http://127.0.0.1/pulls/p1', created_at: at },
      diff,
      checks: [{ name: 'baton/tests', conclusion: 'success', summary: 'base_with_new_tests failed, change passed' }],
      comments: [{ author: 'Baton', body: 'Approved by Avery', created_at: at }],
    },
    ctx,
  );
  assert.equal(byTestId(node, 'pull-state')[0]?.attrs['data-state'], 'merged');
  assert.match(textOf(node), /baton\/DEMO-1-sum \(abcdef0\) → main \(0123456\)/);
  assert.match(textOf(byTestId(node, 'pull-merged')[0]!), /Merged by Avery \(approver\) as fedcba9/);
  assert.equal(byTestId(node, 'pull-check')[0]?.attrs['data-conclusion'], 'success');
  const files = byTestId(node, 'pull-diff-file');
  assert.deepEqual(files.map((f) => f.attrs['data-path']), ['src/sum.js', 'test/sum.test.js']);
  assert.deepEqual(findAll(files[0]!, (n) => /diff-(add|del)/.test(String(n.attrs.class))).map((n) => n.attrs.class), ['diff-line diff-del', 'diff-line diff-add']);
  assert.equal(byTestId(node, 'pull-comment').length, 1);
});

test('the pull list links each pull request; an empty diff says so', () => {
  const node = renderPullList([{ id: 7, repo: 'local/calc', number: 3, title: 'Fix', state: 'open', head_ref: 'baton/x', base_ref: 'main' }]);
  assert.deepEqual(findAll(byTestId(node, 'pull-row')[0]!, (n) => n.tag === 'a').map((a) => a.attrs.href), ['/pulls/7', '/pulls/7']);
  assert.match(textOf(renderFileDiffs('')), /No changes/);
});
