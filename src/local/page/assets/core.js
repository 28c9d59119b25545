/* global document, setTimeout */
// What the page's browser modules share: the one app object (current state, user, route, open
// panel and modal), the rendering context the pure views need, and toasts.
import { h } from './tree.js';
import { toDom } from './dom.js';

export const app = {
  /** The last /_/slack/state answer, and its content without the version (to skip no-op renders). */
  state: null,
  stateKey: '',
  user: null,
  route: { name: 'slack' },
  channel: null,
  /** { kind: 'thread', channel, ts } | { kind: 'file', file } | null */
  panel: null,
  modal: { key: '', viewId: null, errors: {}, formError: null },
  homeOpenedFor: null,
  /** A message a permalink pointed at: highlighted, and scrolled to once. */
  highlightTs: null,
  confirmCancel: null,
  // Set by app.js: refetch the state, and route to a page path.
  refresh: () => {},
  navigate: () => {},
  // Set by slack-ui.js: what buttons, reply links and file links do.
  handlers: {},
};

export const $ = (id) => document.getElementById(id);

export function userById(id) {
  return app.state?.users?.find((u) => u.id === id);
}

export function channelById(id) {
  return app.state?.channels?.find((c) => c.id === id);
}

export function displayName(id) {
  const u = userById(id);
  if (u) return u.real_name || u.name || u.id;
  return id && id === app.state?.bot?.id ? app.state.bot.name : undefined;
}

/** The context the pure renderers take (see blocks.js and slack-view.js). */
export function renderCtx() {
  const s = app.state;
  return {
    users: s?.users ?? [],
    bot: s?.bot,
    userName: displayName,
    channelName: (id) => channelById(id)?.name,
    fileById: (id) => s?.files?.find((f) => f.id === id),
    highlightTs: app.highlightTs,
    ...app.handlers,
  };
}

export function toast(text, kind = 'error') {
  const el = toDom(h('div', { class: `toast toast-${kind}`, 'data-testid': 'toast', 'data-kind': kind, role: kind === 'error' ? 'alert' : 'status' }, text));
  $('toasts').append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 10_000 : 4000);
}
