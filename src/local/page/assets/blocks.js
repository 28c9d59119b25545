// Block Kit → element tree: the blocks Baton sends (and the common rest), each unknown block or
// element shown as a labelled placeholder rather than dropped. Buttons carry their click as
// `attrs.on.click`, which dom.js wires and toHtml ignores.
import { h, safeUrl } from './tree.js';
import { renderMrkdwn, renderTextObject } from './mrkdwn.js';
import { emojiFor } from './emoji.js';
import { formatSlackDate } from './slack-date.js';
import { renderCode } from './code.js';

/**
 * ctx: the mrkdwn context plus
 *   onAction(element, block, container) — a button was clicked (confirm is the caller's to show);
 *   container — passed back to onAction (which message or view the button is in);
 *   errors — { [block_id]: message } under input blocks; values — { [block_id]: { [action_id]: string } }.
 */
export function renderBlocks(blocks, ctx = {}) {
  if (!Array.isArray(blocks)) return [];
  return blocks.map((block, i) => renderBlock(block, i, ctx));
}

/**
 * The block_id a block answers to: its own, else `b<index>`, the name the emulator gives a block
 * the app left unnamed (Slack makes one up too).
 */
function blockIdOf(block, index) {
  return typeof block?.block_id === 'string' && block.block_id ? block.block_id : `b${index}`;
}

function renderBlock(block, index, ctx) {
  const id = blockIdOf(block, index);
  const attrs = { class: `bk bk-${block?.type ?? 'unknown'}`, 'data-block-id': id };
  switch (block?.type) {
    case 'header':
      return h('div', attrs, renderTextObject(block.text, ctx));
    case 'section':
      return h(
        'div',
        attrs,
        h('div', { class: 'bk-section-body' }, block.text ? h('div', { class: 'bk-text' }, renderTextObject(block.text, ctx)) : null, Array.isArray(block.fields) ? h('div', { class: 'bk-fields' }, block.fields.map((f) => h('div', { class: 'bk-field' }, renderTextObject(f, ctx)))) : null),
        block.accessory ? h('div', { class: 'bk-accessory' }, renderElement(block.accessory, block, id, ctx)) : null,
      );
    case 'context':
      return h('div', attrs, (block.elements ?? []).map((e) => (e?.type === 'image' ? image(e, 'bk-context-image') : h('span', { class: 'bk-context-text' }, renderTextObject(e, ctx)))));
    case 'divider':
      return h('hr', attrs);
    case 'image':
      return h('figure', attrs, block.title ? h('figcaption', {}, renderTextObject(block.title, ctx)) : null, image(block, 'bk-image-img'));
    case 'actions':
      return h('div', attrs, (block.elements ?? []).map((e) => renderElement(e, block, id, ctx)));
    case 'rich_text':
      return h('div', attrs, (block.elements ?? []).map((e) => richBlock(e, ctx)));
    case 'input':
      return renderInput(block, id, attrs, ctx);
    default:
      return h('div', { ...attrs, class: 'bk bk-unsupported' }, `[${String(block?.type ?? 'unknown')} block]`);
  }
}

function image(el, cls) {
  const src = safeUrl(el.image_url ?? '');
  return src ? h('img', { class: cls, src, alt: el.alt_text ?? '' }) : h('span', { class: `${cls} bk-image-missing` }, el.alt_text ?? 'image');
}

function renderElement(el, block, blockId, ctx) {
  if (el?.type === 'button') return renderButton(el, block, blockId, ctx);
  if (el?.type === 'image') return image(el, 'bk-accessory-image');
  return h('span', { class: 'bk-unsupported' }, `[${String(el?.type ?? 'unknown')}]`);
}

function renderButton(el, block, blockId, ctx) {
  const style = el.style === 'primary' || el.style === 'danger' ? ` bk-button-${el.style}` : '';
  const url = el.url ? safeUrl(el.url) : null;
  return h(
    'button',
    {
      type: 'button',
      class: `bk-button${style}`,
      'data-testid': 'button',
      'data-action-id': el.action_id ?? '',
      'data-block-id': blockId,
      'data-value': el.value ?? null,
      'data-url': url,
      'data-confirm': el.confirm ? 'true' : null,
      on: { click: () => ctx.onAction?.(el, { ...block, block_id: blockId }, ctx.container) },
    },
    renderTextObject(el.text, ctx),
  );
}

function renderInput(block, id, attrs, ctx) {
  const el = block.element ?? {};
  const actionId = el.action_id ?? 'input';
  const label = h('label', { class: 'bk-label', for: `in-${id}` }, renderTextObject(block.label, ctx), block.optional ? h('span', { class: 'bk-optional' }, ' (optional)') : null);
  const error = ctx.errors?.[id];
  let field;
  if (el.type === 'plain_text_input') {
    const value = ctx.values?.[id]?.[actionId] ?? el.initial_value ?? '';
    const common = {
      id: `in-${id}`,
      name: `${id}/${actionId}`,
      class: 'bk-field-input',
      'data-testid': 'modal-input',
      'data-block-id': id,
      'data-action-id': actionId,
      placeholder: el.placeholder?.text ?? null,
      maxlength: el.max_length ?? null,
      minlength: el.min_length ?? null,
      required: !block.optional,
      'aria-invalid': error ? 'true' : null,
    };
    field = el.multiline ? h('textarea', { ...common, rows: 4 }, value) : h('input', { ...common, type: 'text', value });
  } else {
    field = h('span', { class: 'bk-unsupported' }, `[${String(el.type ?? 'unknown')} input]`);
  }
  return h(
    'div',
    attrs,
    label,
    field,
    block.hint ? h('div', { class: 'bk-hint' }, renderTextObject(block.hint, ctx)) : null,
    error ? h('div', { class: 'bk-error', 'data-testid': 'modal-error', 'data-block-id': id, role: 'alert' }, String(error)) : null,
  );
}

function richBlock(el, ctx) {
  switch (el?.type) {
    case 'rich_text_section':
      return h('div', { class: 'rt-section' }, richInline(el.elements, ctx));
    case 'rich_text_list': {
      const tag = el.style === 'ordered' ? 'ol' : 'ul';
      const indent = Math.max(0, Math.min(8, Number(el.indent) || 0));
      return h(tag, { class: `rt-list rt-indent-${indent}`, start: tag === 'ol' && el.offset ? Number(el.offset) + 1 : null }, (el.elements ?? []).map((item) => h('li', {}, richInline(item?.elements, ctx))));
    }
    case 'rich_text_preformatted':
      return renderCode(plainInline(el.elements, ctx));
    case 'rich_text_quote':
      return h('blockquote', { class: 'rt-quote' }, richInline(el.elements, ctx));
    default:
      return h('span', { class: 'bk-unsupported' }, `[${String(el?.type ?? 'unknown')}]`);
  }
}

function styled(node, style) {
  let out = node;
  if (style?.code) out = h('code', {}, out);
  if (style?.strike) out = h('del', {}, out);
  if (style?.italic) out = h('em', {}, out);
  if (style?.bold) out = h('strong', {}, out);
  return out;
}

function emojiText(el) {
  if (typeof el.unicode === 'string' && /^[0-9a-f]+(-[0-9a-f]+)*$/i.test(el.unicode)) {
    return String.fromCodePoint(...el.unicode.split('-').map((c) => parseInt(c, 16)));
  }
  return emojiFor(el.name) ?? `:${el.name}:`;
}

/** Rich text is literal (no entities, no mrkdwn): each element becomes a text node or a link. */
function richInlineOne(el, ctx) {
  switch (el?.type) {
    case 'text':
      return styled(String(el.text ?? ''), el.style);
    case 'link': {
      const url = typeof el.url === 'string' && /^https?:\/\//i.test(el.url) ? safeUrl(el.url) : null;
      const text = String(el.text ?? el.url ?? '');
      return styled(url ? h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, text) : text, el.style);
    }
    case 'user':
      return styled(h('span', { class: 'mention', 'data-user-id': el.user_id }, `@${ctx.userName?.(el.user_id) ?? el.user_id}`), el.style);
    case 'usergroup':
      return h('span', { class: 'mention' }, `@${el.usergroup_id}`);
    case 'channel':
      return h('span', { class: 'mention channel-mention' }, `#${ctx.channelName?.(el.channel_id) ?? el.channel_id}`);
    case 'broadcast':
      return h('span', { class: 'mention broadcast' }, `@${el.range}`);
    case 'emoji':
      return emojiText(el);
    case 'date': {
      const date = new Date(Number(el.timestamp) * 1000);
      return h('time', { class: 'date' }, Number.isFinite(date.getTime()) ? formatSlackDate(date, String(el.format ?? '{date_short} {time}'), ctx) : String(el.fallback ?? ''));
    }
    case 'color':
      return String(el.value ?? '');
    default:
      return '';
  }
}

function richInline(elements, ctx) {
  return Array.isArray(elements) ? elements.map((e) => richInlineOne(e, ctx)) : [];
}

function plainInline(elements, ctx) {
  if (!Array.isArray(elements)) return '';
  return elements
    .map((e) => {
      const node = richInlineOne(e, ctx);
      return typeof node === 'string' ? node : flatText(node);
    })
    .join('');
}

function flatText(node) {
  return typeof node === 'string' ? node : node.children.map(flatText).join('');
}

/** What a message shows: its blocks when it has any (Slack's text is then only the fallback). */
export function renderMessageBody(message, ctx = {}) {
  if (Array.isArray(message.blocks) && message.blocks.length > 0) return renderBlocks(message.blocks, ctx);
  return h('div', { class: 'mrkdwn' }, renderMrkdwn(message.text ?? '', ctx));
}
