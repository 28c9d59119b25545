import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderBlocks, renderMessageBody } from '../../../src/local/page/assets/blocks.js';
import { findAll, textOf, toHtml, type Node } from '../../../src/local/page/assets/tree.js';
import { reviewCardMessage } from '../../../src/bot/views/review-card-message.ts';
import { rejectReasonModal } from '../../../src/bot/views/reject-reason-modal.ts';
import { helpMessage } from '../../../src/bot/views/help-message.ts';
import { ACTIONS } from '../../../src/bot/views/action-ids.ts';
import { card, HEAD, HOSTILE } from '../../bot/views/gate-view-fixtures.ts';

const ctx = { userName: (id: string) => ({ U1: 'Riley' })[id], locale: 'en-US', timeZone: 'UTC', now: new Date('2026-03-04T12:00:00Z') };
const byTestId = (nodes: Node | Node[], id: string): Node[] => findAll(nodes, (n) => n.attrs['data-testid'] === id);
const plain = (text: string) => ({ type: 'plain_text', text });

test('header, section with fields and accessory, context, divider and image', () => {
  const nodes = renderBlocks(
    [
      { type: 'header', text: plain('Run DEMO-1') },
      { type: 'section', block_id: 's1', text: { type: 'mrkdwn', text: '*Status*' }, fields: [{ type: 'mrkdwn', text: '*Repo*\nlocal/calc' }, plain('Branch')], accessory: { type: 'button', action_id: 'open', text: plain('Open') } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: '_by_ <@U1>' }, { type: 'image', image_url: '/files/F1', alt_text: 'icon' }] },
      { type: 'divider' },
      { type: 'image', image_url: 'javascript:alert(1)', alt_text: 'chart', title: plain('Chart') },
    ],
    ctx,
  );
  assert.deepEqual(nodes.map((n) => n.attrs.class), ['bk bk-header', 'bk bk-section', 'bk bk-context', 'bk bk-divider', 'bk bk-image']);
  assert.equal(textOf(nodes[0]!), 'Run DEMO-1');
  assert.equal(findAll(nodes[1]!, (n) => n.attrs.class === 'bk-field').length, 2);
  assert.equal(byTestId(nodes[1]!, 'button')[0]?.attrs['data-action-id'], 'open');
  assert.equal(textOf(nodes[2]!), 'by @Riley');
  assert.equal(findAll(nodes[2]!, (n) => n.tag === 'img')[0]?.attrs.src, '/files/F1');
  // An image with a script URL is shown as its alt text, never loaded.
  assert.equal(findAll(nodes[4]!, (n) => n.tag === 'img').length, 0);
  assert.match(textOf(nodes[4]!), /chart/);
});

test('buttons carry their ids and style; a click reports element, block and container', () => {
  const clicks: unknown[] = [];
  const container = { type: 'message', channel: 'C1', message_ts: '1.1', ephemeral: false };
  const [block] = renderBlocks(
    [{ type: 'actions', block_id: 'gate', elements: [
      { type: 'button', action_id: 'approve', value: 'v1', style: 'primary', text: plain('Approve'), confirm: { title: plain('Sure?'), text: plain('Really'), confirm: plain('Yes'), deny: plain('No') } },
      { type: 'button', action_id: 'reject', value: 'v2', style: 'danger', text: plain('Reject') },
      { type: 'button', action_id: 'plain', text: plain('More') },
      { type: 'static_select', action_id: 'pick' },
    ] }],
    { ...ctx, container, onAction: (el, b, c) => clicks.push([el.action_id, b.block_id, c]) },
  );
  const buttons = byTestId(block!, 'button');
  assert.deepEqual(buttons.map((b) => [b.attrs['data-action-id'], b.attrs['data-block-id'], b.attrs.class, b.attrs['data-confirm'] ?? null]), [
    ['approve', 'gate', 'bk-button bk-button-primary', 'true'],
    ['reject', 'gate', 'bk-button bk-button-danger', null],
    ['plain', 'gate', 'bk-button', null],
  ]);
  buttons[0]!.attrs.on!.click!();
  buttons[1]!.attrs.on!.click!();
  assert.deepEqual(clicks, [['approve', 'gate', container], ['reject', 'gate', container]]);
  assert.match(textOf(block!), /\[static_select\]/);
});

test('rich text: sections with styles, links (http only), mentions, emoji, lists, preformatted diffs and quotes', () => {
  const [block] = renderBlocks(
    [{ type: 'rich_text', elements: [
      { type: 'rich_text_section', elements: [
        { type: 'text', text: 'Fixed ', style: { bold: true } },
        { type: 'link', url: 'https://example.com', text: 'ok' },
        { type: 'text', text: ' ' },
        { type: 'link', url: 'javascript:alert(1)', text: 'bad' },
        { type: 'text', text: ' <b>&amp;' },
        { type: 'user', user_id: 'U1' },
        { type: 'emoji', name: 'tada', unicode: '1f389' },
        { type: 'emoji', name: 'rocket' },
        { type: 'broadcast', range: 'here' },
      ] },
      { type: 'rich_text_list', style: 'ordered', indent: 1, elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'one' }] }, { type: 'rich_text_section', elements: [{ type: 'text', text: 'two' }] }] },
      { type: 'rich_text_preformatted', elements: [{ type: 'text', text: '@@ -1 +1 @@\n-a\n+b' }] },
      { type: 'rich_text_quote', elements: [{ type: 'text', text: 'quoted' }] },
    ] }],
    ctx,
  );
  assert.deepEqual(findAll(block!, (n) => n.tag === 'a').map((a) => a.attrs.href), ['https://example.com']);
  assert.equal(findAll(block!, (n) => n.tag === 'strong').map(textOf).join(), 'Fixed ');
  assert.match(textOf(block!), /Fixed ok bad <b>&amp;@Riley🎉🚀@here/);
  const list = findAll(block!, (n) => n.tag === 'ol')[0]!;
  assert.deepEqual(list.children.map(textOf), ['one', 'two']);
  assert.match(String(list.attrs.class), /rt-indent-1/);
  assert.deepEqual(findAll(block!, (n) => String(n.attrs.class).includes('diff-')).map((n) => n.attrs.class), ['diff-line diff-hunk', 'diff-line diff-del', 'diff-line diff-add']);
  assert.equal(textOf(findAll(block!, (n) => n.tag === 'blockquote')[0]!), 'quoted');
});

test('input blocks: single and multiline, what was typed kept, errors under their input', () => {
  const blocks = [
    { type: 'input', block_id: 'title', label: plain('Title'), element: { type: 'plain_text_input', action_id: 't', initial_value: 'start' } },
    { type: 'input', block_id: 'why', optional: true, label: plain('Why?'), hint: plain('Be kind'), element: { type: 'plain_text_input', action_id: 'w', multiline: true, max_length: 100, placeholder: plain('Say why') } },
  ];
  const fresh = renderBlocks(blocks, ctx);
  const [title, why] = byTestId(fresh, 'modal-input');
  assert.deepEqual([title?.tag, title?.attrs.value, title?.attrs.required, title?.attrs.name], ['input', 'start', true, 'title/t']);
  assert.deepEqual([why?.tag, why?.attrs.required, why?.attrs.maxlength, why?.attrs.placeholder], ['textarea', false, 100, 'Say why']);
  assert.match(textOf(fresh), /Why\? \(optional\)Be kind/);
  const again = renderBlocks(blocks, { ...ctx, values: { why: { w: 'typed <b>' } }, errors: { why: 'Too rude' } });
  assert.equal(textOf(byTestId(again, 'modal-input')[1]!), 'typed <b>');
  const errors = byTestId(again, 'modal-error');
  assert.deepEqual(errors.map((e) => [e.attrs['data-block-id'], textOf(e)]), [['why', 'Too rude']]);
  assert.match(toHtml(again), /typed &lt;b&gt;/);
});

test('unknown blocks are shown as placeholders, and a message without blocks shows its text', () => {
  const unknown = renderBlocks([{ type: 'video' }, null], ctx);
  assert.equal(textOf(unknown), '[video block][unknown block]');
  // Unnamed blocks get the emulator's names for them, so a click names the block it found.
  assert.deepEqual(unknown.map((n) => n.attrs['data-block-id']), ['b0', 'b1']);
  assert.equal(textOf(renderMessageBody({ text: 'hi *there*' }, ctx)), 'hi there');
  assert.equal(textOf(renderMessageBody({ text: 'fallback', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'blocks win' } }] }, ctx)), 'blocks win');
});

test('Baton’s review card renders with its Approve and Reject buttons, the diff coloured, and hostile text inert', () => {
  const msg = reviewCardMessage(card({ run: { ...card().run, ticketTitle: HOSTILE } }));
  const nodes = renderBlocks(msg.blocks, ctx);
  const buttons = byTestId(nodes, 'button');
  assert.deepEqual(buttons.map((b) => [b.attrs['data-action-id'], textOf(b)]), [[ACTIONS.gateApprove, 'Approve'], [ACTIONS.gateReject, 'Reject']]);
  assert.match(String(buttons[0]!.attrs.class), /primary/);
  assert.match(String(buttons[1]!.attrs.class), /danger/);
  assert.ok(findAll(nodes, (n) => n.attrs.class === 'diff-line diff-add').length >= 1);
  const hrefs = findAll(nodes, (n) => n.tag === 'a').map((a) => a.attrs.href);
  assert.ok(hrefs.every((h) => typeof h === 'string' && !h.includes('evil')), String(hrefs));
  assert.equal(findAll(nodes, (n) => String(n.attrs.class).includes('broadcast')).length, 0);
  assert.match(textOf(nodes), /<!channel> @\u200Bhere/);
  assert.match(textOf(nodes), new RegExp(HEAD.slice(0, 7)));
});

test('Baton’s reject-reason modal renders its required multiline input', () => {
  const view = rejectReasonModal({ value: { runId: 'r1', gate: 'merge', headSha: HEAD }, ticketKey: 'DEMO-1' });
  const [input] = byTestId(renderBlocks(view.blocks, ctx), 'modal-input');
  assert.deepEqual([input?.tag, input?.attrs['data-block-id'], input?.attrs['data-action-id'], input?.attrs.required], ['textarea', 'reason', 'reason', true]);
});

test('Baton’s help card renders without unsupported blocks', () => {
  const nodes = renderBlocks(helpMessage().blocks, ctx);
  assert.equal(findAll(nodes, (n) => String(n.attrs.class).includes('bk-unsupported')).length, 0);
  assert.match(textOf(nodes), /\/agent/);
});
