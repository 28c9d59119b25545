/* global document, window, localStorage, EventSource, location, URL, URLSearchParams, setTimeout */
/**
 * Baton local mode: the page (a Slack emulator's client, the local tracker and code host).
 * Plain ES modules, no build step; every untrusted string reaches the DOM as a text node.
 *
 * Stable hooks for browser tests (data-testid, with the data attributes they carry):
 *   sidebar · channel-link [data-channel-id, data-active] · nav-home · nav-tickets · nav-pulls
 *   user-switcher (a <select>; its value is the acting user's id) · live-status [data-state:
 *     connecting | live | reconnecting]
 *   channel-view [data-channel-id] · message-list · message [data-ts, data-user, data-thread-ts]
 *     · message-author · message-body · message-edited · replies-link [data-ts]
 *   ephemeral [data-ts, data-thread-ts] (it says "Only visible to you")
 *   button [data-action-id, data-block-id, data-value, data-confirm] (every Block Kit button)
 *   confirm-dialog · confirm-ok · confirm-cancel
 *   composer (the channel's textarea) · composer-send · composer-mention
 *   thread-panel [data-channel-id, data-thread-ts] · thread-composer · thread-send · thread-close
 *   file-link [data-file-id] · file-panel [data-file-id] · file-content · file-raw · file-close
 *   modal [data-view-id, data-callback-id] · modal-input [data-block-id, data-action-id]
 *     · modal-error [data-block-id] · modal-submit · modal-close · modal-x
 *   home-view [data-view-id, or data-empty]
 *   tickets-list · ticket-row [data-key] · ticket-row-state · new-ticket-form · new-ticket-team
 *     · new-ticket-title · new-ticket-body · new-ticket-labels · new-ticket-submit
 *   ticket [data-key] · ticket-title · ticket-state [data-state] · ticket-label
 *     · ticket-description · ticket-comment · ticket-comment-form · ticket-comment-input
 *     · ticket-comment-submit · ticket-state-form · ticket-state-input · ticket-state-submit
 *     · ticket-history-item
 *   pulls-list · pull-row [data-id] · pull [data-id] · pull-title · pull-state [data-state]
 *     · pull-merged · pull-body · pull-check [data-conclusion] · pull-diff
 *     · pull-diff-file [data-path] · pull-comment
 *   toast [data-kind: error | info] · page-error
 * Routes: / (?channel=<id>[&ts=<message, highlighted>][&thread_ts=<root, opened>], or ?view=home),
 *   /tickets, /tickets/<KEY>, /pulls, /pulls/<id>.
 */
import { h } from './tree.js';
import { mount } from './dom.js';
import { getJson } from './api.js';
import { $, app, toast } from './core.js';
import { buildChannel, buildHome, buildPanel, closePanel, isPagePath, slackHandlers, updateChannel, updateHome, updateThread } from './slack-ui.js';
import { closeModal, topView, updateModal } from './modal-ui.js';
import { forgetPage, isDataPage, loadPage } from './pages-ui.js';

const USER_KEY = 'baton.local.user';
// The requester LOCAL-MODE.md creates: asked for before the first state names the users.
const FIRST_GUESS = 'U0LOCALREQ';

function parseRoute() {
  const path = location.pathname.replace(/\/+$/, '') || '/';
  const q = new URLSearchParams(location.search);
  const decode = (s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s; // a malformed %-escape: use it as written
    }
  };
  let m;
  if (path === '/tickets') return { name: 'tickets' };
  if ((m = /^\/tickets\/([^/]+)$/.exec(path))) return { name: 'ticket', key: decode(m[1]) };
  if (path === '/pulls') return { name: 'pulls' };
  if ((m = /^\/pulls\/([^/]+)$/.exec(path))) return { name: 'pull', id: decode(m[1]) };
  if (q.get('view') === 'home') return { name: 'home' };
  // The emulator's permalinks: ?channel=C…&ts=<message>[&thread_ts=<root>].
  return { name: 'slack', channel: q.get('channel'), thread: q.get('thread_ts'), ts: q.get('ts') };
}

function firstChannel() {
  return app.state?.channels?.[0]?.id ?? null;
}

/** Builds the main column for the current route (and the panel a URL asks for). */
function showRoute() {
  const route = parseRoute();
  app.route = route;
  shown = Boolean(app.state) || isDataPage(route);
  if (route.name !== 'home') app.homeOpenedFor = null;
  if (!isDataPage(route)) forgetPage();
  if (route.name === 'slack') {
    const channel = route.channel ?? app.channel ?? firstChannel();
    if (channel !== app.channel && app.panel?.kind === 'thread') app.panel = null;
    app.channel = channel;
    if (route.thread && channel) app.panel = { kind: 'thread', channel, ts: route.thread };
    app.highlightTs = route.ts;
    if (app.state) buildChannel();
  } else if (route.name === 'home') {
    if (app.state) buildHome();
  } else {
    // A thread or file belongs to the Slack side; the tracker and PR pages take the whole width.
    app.panel = null;
    mount($('main'), h('div', { class: 'page' }, h('p', { class: 'muted' }, 'Loading…')));
    loadPage();
  }
  buildPanel();
  renderSidebar();
}

/** Escape backs out of the innermost thing open: a confirm, a modal, then the side panel. */
function onEscape() {
  if (app.confirmCancel) return app.confirmCancel();
  const view = topView();
  if (view) return closeModal(view);
  if (app.panel) closePanel();
}

function navigate(path, { replace = false } = {}) {
  if (replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  showRoute();
  $('main').scrollTop = 0;
}

function renderSidebar() {
  const s = app.state;
  const list = $('channel-list');
  const active = (on) => (on ? 'active' : null);
  mount(list, (s?.channels ?? []).map((c) => h('li', {}, h('a', { href: `/?channel=${encodeURIComponent(c.id)}`, class: active(app.route.name === 'slack' && c.id === app.channel), 'data-testid': 'channel-link', 'data-channel-id': c.id, 'data-active': app.route.name === 'slack' && c.id === app.channel ? 'true' : null }, h('span', { class: 'hash' }, '#'), c.name))));
  for (const [id, on] of [['nav-home', app.route.name === 'home'], ['nav-tickets', app.route.name.startsWith('ticket')], ['nav-pulls', app.route.name.startsWith('pull')]]) $(id).classList.toggle('active', on);
  if (s?.team) $('workspace').textContent = s.team.name;
}

let usersKey = '';
function renderUserSwitcher() {
  const people = (app.state?.users ?? []).filter((u) => !u.is_bot);
  const key = JSON.stringify(people);
  const select = $('user-switcher');
  if (key !== usersKey) {
    mount(select, people.map((u) => h('option', { value: u.id }, u.real_name || u.name || u.id)));
    usersKey = key;
  }
  select.value = app.user;
}

/** The acting user: the remembered one if still a person here, else the first person. */
function settleUser() {
  const people = (app.state?.users ?? []).filter((u) => !u.is_bot);
  if (people.some((u) => u.id === app.user)) return false;
  app.user = people[0]?.id ?? app.user;
  return true;
}

// Whether the main column has been built for the route (it waits for the first state).
let shown = false;

function applyState(s) {
  if (app.state && typeof s.version === 'number' && s.version < app.state.version) return;
  const key = JSON.stringify({ ...s, version: 0 });
  const changed = key !== app.stateKey;
  app.state = s;
  app.stateKey = key;
  if (settleUser()) return app.refresh();
  if (!changed) return;
  renderUserSwitcher();
  if (!app.channel || !s.channels?.some((c) => c.id === app.channel)) app.channel = firstChannel();
  renderSidebar();
  if (!shown) return showRoute();
  if (app.route.name === 'slack') {
    if ($('message-list')) updateChannel();
    else buildChannel();
  }
  if (app.route.name === 'home') {
    if ($('home-body')) updateHome();
    else buildHome();
  }
  updateThread();
  updateModal();
}

let fetching = false;
let again = false;
async function refresh() {
  if (fetching) {
    again = true;
    return;
  }
  fetching = true;
  try {
    do {
      again = false;
      const res = await getJson(`/_/slack/state?user=${encodeURIComponent(app.user ?? FIRST_GUESS)}`);
      if (res.ok) applyState(res);
      else if (app.user !== FIRST_GUESS && !app.state) {
        // The remembered user may be from another workspace: start again from the default.
        app.user = FIRST_GUESS;
        again = true;
      }
      else toast(`Could not load the workspace: ${res.error ?? 'unknown error'}`);
    } while (again);
  } finally {
    fetching = false;
  }
}

function setLive(state) {
  const el = $('live-status');
  el.dataset.state = state;
  el.title = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…' }[state];
}

function connect() {
  const events = new EventSource('/_/slack/events');
  setLive('connecting');
  events.addEventListener('open', () => {
    setLive('live');
    refresh(); // catch up on what happened while disconnected
  });
  events.addEventListener('change', () => {
    refresh();
    if (isDataPage(app.route)) loadPage();
  });
  events.addEventListener('error', () => {
    setLive('reconnecting');
    // EventSource retries by itself unless the server refused the stream outright.
    if (events.readyState === EventSource.CLOSED) setTimeout(connect, 3000);
  });
}

function start() {
  app.user = localStorage.getItem(USER_KEY) || FIRST_GUESS;
  app.refresh = refresh;
  app.navigate = navigate;
  app.handlers = slackHandlers;
  $('user-switcher').addEventListener('change', (ev) => {
    app.user = ev.currentTarget.value;
    localStorage.setItem(USER_KEY, app.user);
    app.homeOpenedFor = null;
    app.modal = { key: '', viewId: null, errors: {}, formError: null };
    refresh();
  });
  document.addEventListener('click', (ev) => {
    if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    const a = ev.target.closest?.('a[href]');
    if (!a) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || !isPagePath(url.pathname)) return;
    ev.preventDefault();
    navigate(url.pathname + url.search);
  });
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') onEscape();
  });
  window.addEventListener('popstate', showRoute);
  app.route = parseRoute();
  if (isDataPage(app.route)) showRoute();
  refresh();
  connect();
}

start();
