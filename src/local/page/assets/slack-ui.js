/* global document, window, fetch, location, URL */
// The Slack side in the DOM: the channel (or App Home) in the main column, the thread or file
// panel, modals and confirm dialogs, the composers, and what a button click sends.
import { h, safeUrl } from './tree.js';
import { mount } from './dom.js';
import { postJson } from './api.js';
import { $, app, channelById, renderCtx, toast } from './core.js';
import { encodeComposerText } from './composer-text.js';
import { askConfirm } from './modal-ui.js';
import { looksLikeDiff, renderDiff } from './code.js';
import { channelMessages, ephemeralsIn, renderHome, renderThreadBody, renderTimeline, replyCounts } from './slack-view.js';

const PAGE_PATH = /^\/(?:|tickets(?:\/[^/]+)?\/?|pulls(?:\/[^/]+)?\/?)$/;
const FILE_PREVIEW_BYTES = 512 * 1024;

export function isPagePath(pathname) {
  return PAGE_PATH.test(pathname);
}

/** Re-renders a scrolling list, staying at the bottom when the reader was there. */
function remountScrolled(list, nodes, toBottom = false) {
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  const top = list.scrollTop;
  mount(list, nodes);
  list.scrollTop = toBottom || atBottom ? list.scrollHeight : top;
}

async function send(form, target) {
  const box = form.querySelector('textarea');
  const typed = box.value;
  if (typed.trim() === '' || !app.state) return;
  form.classList.add('sending');
  const body = { user: app.user, channel: target.channel, text: encodeComposerText(typed, app.state), ...(target.thread_ts ? { thread_ts: target.thread_ts } : {}) };
  const res = await postJson('/_/slack/command', body);
  form.classList.remove('sending');
  if (!res.ok) {
    toast(`Not sent: ${res.error ?? 'unknown error'}`);
    return;
  }
  if (box.value === typed) box.value = '';
  app.refresh();
}

function insertMention(form) {
  const box = form.querySelector('textarea');
  const text = `@${app.state?.bot?.name ?? 'Baton'} `;
  const at = box.selectionStart ?? box.value.length;
  const before = box.value.slice(0, at);
  box.value = `${before}${before && !/\s$/.test(before) ? ' ' : ''}${text}${box.value.slice(box.selectionEnd ?? at)}`;
  box.focus();
}

function composer(testid, sendId, placeholder, target) {
  return h(
    'form',
    { class: 'composer', on: { submit: (ev) => { ev.preventDefault(); send(ev.currentTarget, target); } } },
    h('textarea', { 'data-testid': testid, rows: 1, placeholder, 'aria-label': placeholder, on: { keydown: (ev) => { if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); ev.currentTarget.form.requestSubmit(); } } } }),
    h('div', { class: 'composer-tools' }, h('button', { type: 'button', class: 'icon-button', title: 'Mention Baton', 'data-testid': `${testid}-mention`, on: { click: (ev) => insertMention(ev.currentTarget.form) } }, '@'), h('span', { class: 'hint' }, 'Enter to send · Shift+Enter for a new line'), h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': sendId }, 'Send')),
  );
}

/** The main column for a channel: header, message list, composer (kept while typing). */
export function buildChannel() {
  const ch = channelById(app.channel);
  const name = ch?.name ?? app.channel ?? '';
  document.title = `#${name} · Baton (local)`;
  mount($('main'), h('section', { class: 'channel', 'data-testid': 'channel-view', 'data-channel-id': app.channel }, h('header', { class: 'channel-head' }, h('h1', {}, `# ${name}`), h('span', { class: 'muted' }, 'Type /agent help to start')), h('div', { class: 'messages', id: 'message-list', 'data-testid': 'message-list' }), composer('composer', 'composer-send', `Message #${name}`, { channel: app.channel })));
  updateChannel(true);
}

export function updateChannel(toBottom = false) {
  const list = $('message-list');
  const s = app.state;
  if (!list || !s) return;
  const messages = channelMessages(s.messages ?? [], app.channel);
  const ephemerals = ephemeralsIn(s.ephemerals ?? [], app.channel);
  const empty = messages.length === 0 && ephemerals.length === 0;
  const nodes = empty ? [h('div', { class: 'empty intro' }, h('h2', {}, `This is the very beginning of #${channelById(app.channel)?.name ?? ''}`), h('p', {}, 'Try ', h('code', {}, '/agent help'), ' or mention @Baton.'))] : renderTimeline(messages, ephemerals, renderCtx(), { replyCounts: replyCounts(s.messages ?? [], app.channel) });
  remountScrolled(list, nodes, toBottom);
  scrollToHighlight(list);
}

let scrolledTo = null;
/** A permalink's message is brought into view once (later updates keep the reader's place). */
function scrollToHighlight(list) {
  if (!app.highlightTs || scrolledTo === app.highlightTs) return;
  const row = [...list.querySelectorAll('[data-ts]')].find((el) => el.dataset.ts === app.highlightTs);
  if (!row) return;
  scrolledTo = app.highlightTs;
  row.scrollIntoView({ block: 'center' });
}

/** The App Home tab; Baton is told it was opened (once per user and visit), as Slack does. */
export function buildHome() {
  document.title = 'Baton · Home (local)';
  mount($('main'), h('section', { class: 'channel home-tab' }, h('header', { class: 'channel-head' }, h('h1', {}, app.state?.bot?.name ?? 'Baton'), h('nav', { class: 'tabs' }, h('span', { class: 'tab active' }, 'Home'))), h('div', { class: 'messages', id: 'home-body' })));
  updateHome();
}

export function updateHome() {
  const body = $('home-body');
  if (!body || !app.state) return;
  mount(body, renderHome(app.state.home, renderCtx()));
  if (app.homeOpenedFor !== app.user) {
    app.homeOpenedFor = app.user;
    postJson('/_/slack/home_opened', { user: app.user }).then((res) => (res.ok ? app.refresh() : toast(`Home: ${res.error}`)));
  }
}

export function openThread(channel, ts) {
  app.panel = { kind: 'thread', channel, ts };
  if (app.route.name === 'slack') window.history.replaceState(null, '', `/?channel=${encodeURIComponent(channel)}&thread_ts=${encodeURIComponent(ts)}`);
  buildPanel();
}

export function closePanel() {
  const wasThread = app.panel?.kind === 'thread';
  app.panel = null;
  if (wasThread && app.route.name === 'slack') window.history.replaceState(null, '', `/?channel=${encodeURIComponent(app.channel)}`);
  buildPanel();
}

function panelHead(title, sub, closeId) {
  return h('header', { class: 'panel-head' }, h('h2', {}, title), sub ? h('span', { class: 'muted' }, sub) : null, h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Close', 'data-testid': closeId, on: { click: closePanel } }, '✕'));
}

export function buildPanel() {
  const aside = $('panel');
  const p = app.panel;
  document.body.classList.toggle('with-panel', Boolean(p));
  aside.hidden = !p;
  for (const k of ['testid', 'threadTs', 'channelId', 'fileId']) delete aside.dataset[k];
  if (!p) return aside.replaceChildren();
  if (p.kind === 'thread') {
    Object.assign(aside.dataset, { testid: 'thread-panel', threadTs: p.ts, channelId: p.channel });
    mount(aside, [panelHead('Thread', `# ${channelById(p.channel)?.name ?? ''}`, 'thread-close'), h('div', { class: 'panel-body', id: 'thread-list' }), composer('thread-composer', 'thread-send', 'Reply…', { channel: p.channel, thread_ts: p.ts })]);
    updateThread(true);
    return;
  }
  Object.assign(aside.dataset, { testid: 'file-panel', fileId: p.file.id });
  const raw = `/files/${encodeURIComponent(p.file.id)}`;
  mount(aside, [panelHead(p.file.title || p.file.name || 'File', p.file.name, 'file-close'), h('div', { class: 'panel-body file-body', id: 'file-body' }, h('p', { class: 'muted' }, 'Loading…')), h('div', { class: 'panel-foot' }, h('a', { href: raw, target: '_blank', rel: 'noopener', 'data-testid': 'file-raw' }, 'Open raw'))]);
  loadFile(p.file, raw);
}

async function loadFile(file, raw) {
  let node;
  try {
    const res = await fetch(raw);
    const type = res.headers.get('content-type') ?? '';
    if (!res.ok) node = h('p', { class: 'bk-error' }, `Could not load the file: HTTP ${res.status}`);
    else if (type.startsWith('image/')) node = h('img', { src: raw, alt: file.name ?? '', 'data-testid': 'file-content' });
    else {
      const text = await res.text();
      const shown = text.length > FILE_PREVIEW_BYTES ? `${text.slice(0, FILE_PREVIEW_BYTES)}\n… (cut: open raw for the rest)` : text;
      const diff = /\.(diff|patch)$/i.test(file.name ?? '') || file.filetype === 'diff' || looksLikeDiff(shown);
      node = diff ? renderDiff(shown, { 'data-testid': 'file-content' }) : h('pre', { class: 'code', 'data-testid': 'file-content' }, shown);
    }
  } catch (err) {
    node = h('p', { class: 'bk-error' }, `Could not load the file: ${err?.message ?? err}`);
  }
  const body = $('file-body');
  if (body && app.panel?.kind === 'file' && app.panel.file.id === file.id) mount(body, node);
}

export function updateThread(toBottom = false) {
  const list = $('thread-list');
  const p = app.panel;
  if (!list || p?.kind !== 'thread' || !app.state) return;
  remountScrolled(list, renderThreadBody(app.state, p.channel, p.ts, renderCtx()), toBottom);
  scrollToHighlight(list);
}

export function openFile(file) {
  app.panel = { kind: 'file', file };
  buildPanel();
}

/** A button: its confirm dialog first, then the interaction (and a URL button's link). */
async function onAction(el, block, container) {
  if (el.confirm && !(await askConfirm(el.confirm))) return;
  const url = el.url ? safeUrl(el.url) : null;
  if (url) {
    const target = new URL(url, location.href);
    if (target.origin === location.origin && isPagePath(target.pathname)) app.navigate(target.pathname + target.search);
    else window.open(url, '_blank', 'noopener');
  }
  const base = { user: app.user, action_id: el.action_id, block_id: block.block_id, ...(el.value !== undefined ? { value: el.value } : {}) };
  // The page API takes message buttons; a button in a modal or on the Home tab names its view.
  const body = container?.type === 'message' ? { ...base, channel: container.channel, message_ts: container.message_ts, ephemeral: Boolean(container.ephemeral) } : { ...base, view_id: container?.view_id, container: container?.type };
  const res = await postJson('/_/slack/action', body);
  if (!res.ok) toast(`${el.text?.text ?? el.action_id}: ${res.error ?? 'failed'}`);
  app.refresh();
}

/** What buttons, reply links and file links do (app.js puts them in app.handlers). */
export const slackHandlers = { onAction, onOpenThread: openThread, onOpenFile: openFile };
