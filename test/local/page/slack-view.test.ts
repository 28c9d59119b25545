import { test } from 'node:test';
import assert from 'node:assert/strict';
import { channelMessages, renderConfirm, renderEphemeral, renderHome, renderModal, renderThreadBody, renderTimeline, replyCounts } from '../../../src/local/page/assets/slack-view.js';
import { encodeComposerText } from '../../../src/local/page/assets/composer-text.js';
import { findAll, textOf, type Node } from '../../../src/local/page/assets/tree.js';
import { rejectReasonModal } from '../../../src/bot/views/reject-reason-modal.ts';
import { HEAD } from '../../bot/views/gate-view-fixtures.ts';

const users = [
  { id: 'U0LOCALREQ', name: 'riley', real_name: 'Riley (requester)', is_bot: false },
  { id: 'U0LOCALAPP', name: 'avery', real_name: 'Avery (approver)', is_bot: false },
  { id: 'U0BATONBOT', name: 'baton', real_name: 'Baton', is_bot: true },
];
const bot = { id: 'U0BATONBOT', name: 'Baton' };
const ctx = { users, bot, userName: (id: string) => users.find((u) => u.id === id)?.real_name, locale: 'en-US', timeZone: 'UTC', now: new Date('2026-03-04T12:00:00Z') };
const ts = (minute: number): string => `${Date.UTC(2026, 2, 4, 9, minute) / 1000}.000100`;
const byTestId = (nodes: Node | Node[], id: string): Node[] => findAll(nodes, (n) => n.attrs['data-testid'] === id);
const plain = (text: string) => ({ type: 'plain_text', text });

const root = { type: 'message', channel: 'C1', ts: ts(0), user: 'U0LOCALREQ', text: '/agent fix DEMO-1' };
const card = { type: 'message', channel: 'C1', ts: ts(1), user: 'U0BATONBOT', bot_id: 'B0BATONBOT', text: 'DEMO-1', reply_count: 2, edited: { user: 'U0BATONBOT', ts: ts(3) }, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*DEMO-1* running' } }] };
const reply1 = { type: 'message', channel: 'C1', ts: ts(2), thread_ts: ts(1), user: 'U0BATONBOT', bot_id: 'B0BATONBOT', text: 'status', files: [{ id: 'F1', name: 'DEMO-1.diff' }] };
const reply2 = { type: 'message', channel: 'C1', ts: ts(4), thread_ts: ts(1), user: 'U0LOCALAPP', text: 'looks good', reply_broadcast: true };
const other = { type: 'message', channel: 'C2', ts: ts(5), user: 'U0LOCALREQ', text: 'elsewhere' };
const messages = [root, card, reply1, reply2, other];

test('a channel shows its top-level messages and broadcast replies, each with author, time and edits', () => {
  const shown = channelMessages(messages, 'C1');
  assert.deepEqual(shown.map((m) => m.ts), [ts(0), ts(1), ts(4)]);
  const nodes = renderTimeline(shown, [], ctx, { replyCounts: replyCounts(messages, 'C1') });
  const rows = byTestId(nodes, 'message');
  assert.deepEqual(rows.map((r) => [r.attrs['data-ts'], r.attrs['data-user']]), [[ts(0), 'U0LOCALREQ'], [ts(1), 'U0BATONBOT'], [ts(4), 'U0LOCALAPP']]);
  assert.deepEqual(byTestId(nodes, 'message-author').map(textOf), ['Riley (requester)', 'Baton', 'Avery (approver)']);
  assert.match(textOf(rows[1]!), /BatonAPP09:01\(edited\)DEMO-1 running/);
  assert.equal(findAll(nodes, (n) => n.attrs.class === 'day-divider').map(textOf).join(), 'today');
});

test('"N replies" opens the thread; the thread shows root, replies and a file link that opens the file', () => {
  const opened: unknown[] = [];
  const nodes = renderTimeline(channelMessages(messages, 'C1'), [], { ...ctx, onOpenThread: (c, t) => opened.push(['thread', c, t]), onOpenFile: (f) => opened.push(['file', f.id]) }, { replyCounts: replyCounts(messages, 'C1') });
  const [link] = byTestId(nodes, 'replies-link');
  assert.equal(textOf(link!), '2 replies');
  link!.attrs.on!.click!();
  const state = { messages, ephemerals: [{ channel: 'C1', ts: ts(6), user: 'U0LOCALAPP', text: 'only you', thread_ts: ts(1) }], thread_statuses: [{ channel: 'C1', thread_ts: ts(1), status: 'is thinking…' }] };
  const thread = renderThreadBody(state, 'C1', ts(1), { ...ctx, onOpenFile: (f) => opened.push(['file', f.id]) });
  assert.equal(textOf(byTestId(thread as Node[], 'thread-status')[0]!), 'Baton is thinking…');
  const rows = byTestId(thread as Node[], 'message');
  assert.deepEqual(rows.map((r) => r.attrs['data-ts']), [ts(1), ts(2), ts(4)]);
  assert.equal(byTestId(thread as Node[], 'replies-link').length, 0, 'no replies link inside the thread');
  assert.equal(byTestId(thread as Node[], 'ephemeral').length, 1);
  const [file] = byTestId(thread as Node[], 'file-link');
  assert.deepEqual([file?.attrs.href, file?.attrs['data-file-id'], textOf(file!)], ['/files/F1', 'F1', 'DIFFDEMO-1.diff']);
  let prevented = false;
  file!.attrs.on!.click!({ preventDefault: () => { prevented = true; } });
  assert.ok(prevented);
  assert.deepEqual(opened, [['thread', 'C1', ts(1)], ['file', 'F1']]);
});

test('an ephemeral says it is only visible to you, and its buttons name it as ephemeral', () => {
  const clicks: unknown[] = [];
  const e = { channel: 'C1', ts: ts(7), user: 'U0LOCALREQ', text: 'refused', blocks: [{ type: 'actions', block_id: 'b', elements: [{ type: 'button', action_id: 'retry', text: plain('Retry') }] }] };
  const node = renderEphemeral(e, { ...ctx, onAction: (_el, _b, c) => clicks.push(c) });
  assert.equal(node.attrs['data-testid'], 'ephemeral');
  assert.match(textOf(node), /Only visible to you/);
  byTestId(node, 'button')[0]!.attrs.on!.click!();
  assert.deepEqual(clicks, [{ type: 'message', channel: 'C1', message_ts: ts(7), ephemeral: true }]);
  // Ephemerals sit in the timeline by time, among the messages.
  const nodes = renderTimeline([root, card], [e], ctx, { noDays: true });
  assert.deepEqual(nodes.map((n) => n.attrs['data-testid']), ['message', 'message', 'ephemeral']);
});

test('a modal: title, blocks, errors under inputs, Submit and Cancel from the view', () => {
  const view = { ...rejectReasonModal({ value: { runId: 'r1', gate: 'merge', headSha: HEAD }, ticketKey: 'DEMO-1' }), id: 'V1' };
  const calls: string[] = [];
  const node = renderModal(view, { ...ctx, errors: { reason: 'Say more' }, values: { reason: { reason: 'typed' } } }, { onSubmit: (v) => calls.push(`submit ${(v as { id: string }).id}`), onClose: () => calls.push('close') });
  const [modal] = byTestId(node, 'modal');
  assert.deepEqual([modal?.attrs['data-view-id'], modal?.attrs['data-callback-id']], ['V1', view.callback_id]);
  assert.match(textOf(node), /^Reject DEMO-1/);
  assert.equal(textOf(byTestId(node, 'modal-input')[0]!), 'typed');
  assert.equal(textOf(byTestId(node, 'modal-error')[0]!), 'Say more');
  assert.equal(textOf(byTestId(node, 'modal-submit')[0]!), 'Reject');
  assert.equal(textOf(byTestId(node, 'modal-close')[0]!), 'Cancel');
  modal!.attrs.on!.submit!({ preventDefault: () => undefined });
  byTestId(node, 'modal-close')[0]!.attrs.on!.click!();
  assert.deepEqual(calls, ['submit V1', 'close']);
  // A view with no submit and no inputs offers Close only.
  const info = renderModal({ id: 'V2', title: plain('Info'), blocks: [{ type: 'section', text: plain('Hi') }] }, ctx, {});
  assert.equal(byTestId(info, 'modal-submit').length, 0);
});

test('a confirm dialog shows the button’s confirm texts and answers OK or Cancel', () => {
  const answers: boolean[] = [];
  const node = renderConfirm({ title: plain('Approve with a veto?'), text: { type: 'mrkdwn', text: '*security* vetoed' }, confirm: plain('Approve anyway'), deny: plain('Go back'), style: 'danger' }, ctx, { onOk: () => answers.push(true), onCancel: () => answers.push(false) });
  assert.match(textOf(byTestId(node, 'confirm-dialog')[0]!), /Approve with a veto\?security vetoedGo backApprove anyway/);
  assert.match(String(byTestId(node, 'confirm-ok')[0]!.attrs.class), /btn-danger/);
  byTestId(node, 'confirm-cancel')[0]!.attrs.on!.click!();
  byTestId(node, 'confirm-ok')[0]!.attrs.on!.click!();
  assert.deepEqual(answers, [false, true]);
});

test('the App Home shows the published view, or says there is none', () => {
  const home = renderHome({ view: { id: 'VH', type: 'home', blocks: [{ type: 'header', text: plain('Your runs') }] } }, ctx);
  assert.deepEqual([home.attrs['data-testid'], home.attrs['data-view-id'], textOf(home)], ['home-view', 'VH', 'Your runs']);
  assert.equal(renderHome(null, ctx).attrs['data-empty'], 'true');
});

test('the composer escapes what is typed and turns @Baton and known @names into mentions', () => {
  const state = { bot, users };
  assert.equal(encodeComposerText('  @Baton fix <this> & that  ', state), '<@U0BATONBOT> fix &lt;this&gt; &amp; that');
  assert.equal(encodeComposerText('/agent fix DEMO-1', state), '/agent fix DEMO-1');
  assert.equal(encodeComposerText('ask @avery or @Riley, not @nobody or me@baton', state), 'ask <@U0LOCALAPP> or <@U0LOCALREQ>, not @nobody or me@baton');
  assert.equal(encodeComposerText('<!channel> <@U0BATONBOT>', state), '&lt;!channel&gt; &lt;@U0BATONBOT&gt;');
});
