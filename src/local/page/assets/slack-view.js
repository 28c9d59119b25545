// The Slack side of the page as element trees: messages, threads, ephemerals, modals, confirm
// dialogs and the App Home. Pure (no DOM, no fetch): handlers come in through ctx.
import { h } from './tree.js';
import { renderBlocks, renderMessageBody } from './blocks.js';
import { renderMrkdwn, renderTextObject } from './mrkdwn.js';
import { dateOfTs, formatSlackDate } from './slack-date.js';

/** A message is a thread reply when it names a thread other than itself. */
export function isReply(m) {
  return typeof m.thread_ts === 'string' && m.thread_ts !== '' && m.thread_ts !== m.ts;
}

/** What a channel shows: top-level messages and replies also sent to the channel. */
export function channelMessages(messages, channel) {
  return messages.filter((m) => m.channel === channel && (!isReply(m) || m.reply_broadcast));
}

export function repliesOf(messages, channel, ts) {
  return messages.filter((m) => m.channel === channel && isReply(m) && m.thread_ts === ts);
}

export function ephemeralTs(e) {
  return e.ts ?? e.message_ts ?? '';
}

/** Ephemerals for a channel's main view (no thread) or for one thread. */
export function ephemeralsIn(ephemerals, channel, threadTs) {
  return ephemerals.filter((e) => e.channel === channel && (threadTs ? e.thread_ts === threadTs : !e.thread_ts));
}

const byTs = (a, b) => Number(a.ts) - Number(b.ts);

function hash(text) {
  let n = 0;
  for (const c of text) n = (n * 31 + c.charCodeAt(0)) >>> 0;
  return n;
}

function avatar(name, id) {
  const initials = name.replace(/\(.*\)/, '').trim().split(/\s+/).map((w) => w[0] ?? '').join('').slice(0, 2).toUpperCase() || '?';
  return h('div', { class: `avatar avatar-${hash(id || name) % 8}`, 'aria-hidden': 'true' }, initials);
}

function timeOf(ts, ctx) {
  const date = dateOfTs(ts);
  if (!date) return null;
  return h('time', { class: 'msg-time', datetime: date.toISOString(), title: formatSlackDate(date, '{date_long} {time_secs}', ctx) }, formatSlackDate(date, '{time}', ctx));
}

/** Who wrote a message: a person by id, or the app (bot_id / the bot user). */
export function authorOf(m, ctx) {
  const user = ctx.users?.find((u) => u.id === m.user);
  if (user) return { id: user.id, name: user.real_name || user.name || user.id, isBot: Boolean(user.is_bot) || Boolean(m.bot_id) };
  if (m.bot_id || m.user === ctx.bot?.id) return { id: ctx.bot?.id ?? m.bot_id, name: m.username ?? ctx.bot?.name ?? 'app', isBot: true };
  return { id: m.user ?? '', name: m.username ?? m.user ?? 'unknown', isBot: false };
}

function fileChips(m, ctx) {
  if (!Array.isArray(m.files) || m.files.length === 0) return null;
  return h(
    'div',
    { class: 'msg-files' },
    m.files.map((f) => {
      const record = ctx.fileById?.(f.id) ?? {};
      const name = record.title || f.title || record.name || f.name || f.id;
      return h(
        'a',
        { class: 'file-chip', href: `/files/${encodeURIComponent(f.id)}`, 'data-testid': 'file-link', 'data-file-id': f.id, on: { click: (ev) => { ev?.preventDefault?.(); ctx.onOpenFile?.({ ...f, ...record, id: f.id }); } } },
        h('span', { class: 'file-icon', 'aria-hidden': 'true' }, String(name.split('.').pop() ?? 'file').slice(0, 4).toUpperCase()),
        h('span', { class: 'file-name' }, name),
      );
    }),
  );
}

function attachments(m, ctx) {
  if (!Array.isArray(m.attachments) || m.attachments.length === 0) return null;
  return m.attachments.map((a) =>
    h('div', { class: 'msg-attachment' }, a.pretext ? h('div', { class: 'mrkdwn' }, renderMrkdwn(a.pretext, ctx)) : null, a.title ? h('div', { class: 'att-title' }, a.title) : null, Array.isArray(a.blocks) ? renderBlocks(a.blocks, ctx) : a.text ? h('div', { class: 'mrkdwn' }, renderMrkdwn(a.text, ctx)) : null),
  );
}

/** One message; in a channel a thread root gets its "N replies" link. */
export function renderMessage(m, ctx, opts = {}) {
  const author = authorOf(m, ctx);
  const replies = opts.replyCount ?? m.reply_count ?? 0;
  const container = { type: 'message', channel: m.channel, message_ts: m.ts, ephemeral: false };
  const bodyCtx = { ...ctx, container };
  return h(
    'div',
    { class: `message${opts.highlight ? ' message-highlight' : ''}`, 'data-testid': 'message', 'data-ts': m.ts, 'data-user': author.id, 'data-thread-ts': m.thread_ts ?? null },
    avatar(author.name, author.id),
    h(
      'div',
      { class: 'msg-main' },
      h('div', { class: 'msg-head' }, h('span', { class: 'msg-author', 'data-testid': 'message-author' }, author.name), author.isBot ? h('span', { class: 'app-badge' }, 'APP') : null, timeOf(m.ts, ctx), m.edited ? h('span', { class: 'msg-edited', 'data-testid': 'message-edited' }, '(edited)') : null),
      h('div', { class: 'msg-body', 'data-testid': 'message-body' }, renderMessageBody(m, bodyCtx), attachments(m, bodyCtx), fileChips(m, ctx)),
      !opts.inThread && replies > 0
        ? h('button', { type: 'button', class: 'replies-link', 'data-testid': 'replies-link', 'data-ts': m.ts, on: { click: () => ctx.onOpenThread?.(m.channel, m.ts) } }, `${replies} ${replies === 1 ? 'reply' : 'replies'}`)
        : null,
      opts.inThread && isReply(m) && m.reply_broadcast ? h('div', { class: 'msg-note' }, 'Also sent to the channel') : null,
    ),
  );
}

/** An ephemeral: only the current user gets these from the state, and the page says so. */
export function renderEphemeral(e, ctx) {
  const ts = ephemeralTs(e);
  const container = { type: 'message', channel: e.channel, message_ts: ts, ephemeral: true };
  const author = { id: ctx.bot?.id ?? '', name: ctx.bot?.name ?? 'app' };
  return h(
    'div',
    { class: 'message ephemeral', 'data-testid': 'ephemeral', 'data-ts': ts, 'data-thread-ts': e.thread_ts ?? null },
    avatar(author.name, author.id),
    h(
      'div',
      { class: 'msg-main' },
      h('div', { class: 'msg-head' }, h('span', { class: 'msg-author' }, author.name), h('span', { class: 'app-badge' }, 'APP'), timeOf(ts, ctx)),
      h('div', { class: 'msg-body' }, renderMessageBody(e, { ...ctx, container })),
      h('div', { class: 'ephemeral-note' }, 'Only visible to you'),
    ),
  );
}

function dayLabel(ts, ctx) {
  const date = dateOfTs(ts);
  return date ? formatSlackDate(date, '{date_long_pretty}', ctx) : '';
}

/** Messages and ephemerals in ts order, with a divider where the day changes. */
export function renderTimeline(messages, ephemerals, ctx, opts = {}) {
  const items = [...messages.map((m) => ({ ts: m.ts, m })), ...ephemerals.map((e) => ({ ts: ephemeralTs(e), e }))].sort(byTs);
  const out = [];
  let day = '';
  for (const item of items) {
    const label = dayLabel(item.ts, ctx);
    if (label !== day && !opts.noDays) {
      day = label;
      out.push(h('div', { class: 'day-divider' }, h('span', {}, label)));
    }
    if (item.m) {
      const count = opts.replyCounts?.get(item.m.ts);
      out.push(renderMessage(item.m, ctx, { ...opts, replyCount: count, highlight: item.m.ts === (opts.highlightTs ?? ctx.highlightTs) }));
    } else out.push(renderEphemeral(item.e, ctx));
  }
  return out;
}

/** Reply counts per thread root, from the replies themselves (what the state holds). */
export function replyCounts(messages, channel) {
  const counts = new Map();
  for (const m of messages) if (m.channel === channel && isReply(m)) counts.set(m.thread_ts, (counts.get(m.thread_ts) ?? 0) + 1);
  return counts;
}

/** The thread panel's list: the root, a replies divider, the replies and the thread's ephemerals. */
export function renderThreadBody(state, channel, rootTs, ctx) {
  const root = state.messages.find((m) => m.channel === channel && m.ts === rootTs);
  const replies = repliesOf(state.messages, channel, rootTs);
  const eph = ephemeralsIn(state.ephemerals ?? [], channel, rootTs);
  // The assistant thread status (assistant.threads.setStatus): "Baton is thinking…" while set.
  const status = (state.thread_statuses ?? []).find((s) => s.channel === channel && s.thread_ts === rootTs && s.status);
  return [
    root ? renderMessage(root, ctx, { inThread: true }) : h('div', { class: 'empty' }, 'This message is no longer there.'),
    h('div', { class: 'thread-divider' }, h('span', {}, `${replies.length} ${replies.length === 1 ? 'reply' : 'replies'}`)),
    renderTimeline(replies, eph, ctx, { inThread: true, noDays: true }),
    status ? h('div', { class: 'thread-status', 'data-testid': 'thread-status' }, `${ctx.bot?.name ?? 'The app'} ${status.status}`) : null,
  ];
}

function plainText(obj, fallback) {
  return obj && typeof obj.text === 'string' ? obj.text : fallback;
}

/**
 * A modal: title, blocks (inputs keep what was typed: ctx.values), errors under their inputs,
 * Close and (when the view has one) Submit. Handlers: onSubmit(view), onClose(view).
 */
export function renderModal(view, ctx, handlers) {
  const container = { type: 'view', view_id: view.id };
  const hasInputs = Array.isArray(view.blocks) && view.blocks.some((b) => b?.type === 'input');
  return h(
    'div',
    { class: 'backdrop', 'data-testid': 'modal-backdrop' },
    h(
      'form',
      { class: 'modal', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'modal-title', 'data-testid': 'modal', 'data-view-id': view.id, 'data-callback-id': view.callback_id ?? null, novalidate: true, on: { submit: (ev) => { ev?.preventDefault?.(); handlers.onSubmit?.(view); } } },
      h('div', { class: 'modal-head' }, h('h2', { id: 'modal-title' }, renderTextObject(view.title, ctx)), h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Close', 'data-testid': 'modal-x', on: { click: () => handlers.onClose?.(view) } }, '✕')),
      h('div', { class: 'modal-body' }, renderBlocks(view.blocks, { ...ctx, container })),
      ctx.formError ? h('div', { class: 'bk-error', 'data-testid': 'modal-error', role: 'alert' }, ctx.formError) : null,
      h(
        'div',
        { class: 'modal-foot' },
        h('button', { type: 'button', class: 'btn', 'data-testid': 'modal-close', on: { click: () => handlers.onClose?.(view) } }, plainText(view.close, 'Cancel')),
        view.submit || hasInputs ? h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'modal-submit', disabled: ctx.busy ? true : null }, plainText(view.submit, 'Submit')) : null,
      ),
    ),
  );
}

/** A button's `confirm` object as a dialog; nothing is sent until OK. */
export function renderConfirm(confirm, ctx, handlers) {
  const danger = confirm.style === 'danger';
  return h(
    'div',
    { class: 'backdrop confirm-backdrop' },
    h(
      'div',
      { class: 'modal confirm', role: 'alertdialog', 'aria-modal': 'true', 'data-testid': 'confirm-dialog' },
      h('div', { class: 'modal-head' }, h('h2', {}, renderTextObject(confirm.title ?? { type: 'plain_text', text: 'Are you sure?' }, ctx))),
      h('div', { class: 'modal-body' }, h('div', { class: 'mrkdwn' }, renderTextObject(confirm.text, ctx))),
      h(
        'div',
        { class: 'modal-foot' },
        h('button', { type: 'button', class: 'btn', 'data-testid': 'confirm-cancel', on: { click: () => handlers.onCancel?.() } }, plainText(confirm.deny, 'Cancel')),
        h('button', { type: 'button', class: `btn ${danger ? 'btn-danger' : 'btn-primary'}`, 'data-testid': 'confirm-ok', on: { click: () => handlers.onOk?.() } }, plainText(confirm.confirm, 'Yes')),
      ),
    ),
  );
}

/** The App Home tab: the view Baton published for this user, or a note that there is none yet. */
export function renderHome(home, ctx) {
  const view = home?.view;
  if (!view || !Array.isArray(view.blocks)) {
    return h('div', { class: 'home', 'data-testid': 'home-view', 'data-empty': 'true' }, h('p', { class: 'empty' }, 'Baton has not published a Home tab for you yet.'));
  }
  return h('div', { class: 'home', 'data-testid': 'home-view', 'data-view-id': view.id ?? null }, renderBlocks(view.blocks, { ...ctx, container: { type: 'home', view_id: view.id } }));
}
