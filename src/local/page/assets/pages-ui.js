/* global document */
// The local tracker and code host pages in the main column: fetched on entry and on every live
// change, re-rendered without losing what is being typed.
import { h } from './tree.js';
import { mount } from './dom.js';
import { getJson, postJson } from './api.js';
import { $, app, displayName, renderCtx, toast } from './core.js';
import { formFields, keepTyping } from './forms.js';
import { renderTicket, renderTicketList, ticketPath } from './tickets-view.js';
import { renderPull, renderPullList } from './pulls-view.js';

let loads = 0;
// The page on screen: what is typed is kept across a reload of the same page only.
let shown = '';

async function createTicket(ev) {
  ev.preventDefault();
  const form = ev.currentTarget;
  const f = formFields(form);
  const labels = (f.labels ?? '').split(',').map((l) => l.trim()).filter(Boolean);
  const res = await postJson('/_/tickets', { team: f.team?.trim(), title: f.title?.trim(), ...(f.body ? { body: f.body } : {}), ...(labels.length ? { labels } : {}) });
  if (!res.ok) return toast(`Ticket not created: ${res.error ?? 'failed'}`);
  form.reset();
  app.navigate(ticketPath(res.ticket.key));
}

async function addComment(ev, key) {
  ev.preventDefault();
  const form = ev.currentTarget;
  const { body } = formFields(form);
  const res = await postJson(`/_/tickets/${encodeURIComponent(key)}/comments`, { author: displayName(app.user) ?? app.user ?? 'someone', body });
  if (!res.ok) return toast(`Comment not added: ${res.error ?? 'failed'}`);
  form.reset();
  loadPage();
}

async function moveTicket(ev, key) {
  ev.preventDefault();
  const form = ev.currentTarget;
  const { state } = formFields(form);
  const res = await postJson(`/_/tickets/${encodeURIComponent(key)}/state`, { state: state?.trim() });
  if (!res.ok) return toast(`Not moved: ${res.error ?? 'failed'}`);
  form.reset();
  loadPage();
}

const PAGES = {
  tickets: { title: () => 'Tickets', url: () => '/_/tickets', render: (res, ctx) => renderTicketList(res.tickets ?? [], ctx) },
  ticket: { title: (r) => r.key, url: (r) => `/_/tickets/${encodeURIComponent(r.key)}`, render: (res, ctx) => renderTicket(res, ctx) },
  pulls: { title: () => 'Pull requests', url: () => '/_/pulls', render: (res, ctx) => renderPullList(res.pulls ?? [], ctx) },
  pull: { title: (r) => `Pull request ${r.id}`, url: (r) => `/_/pulls/${encodeURIComponent(r.id)}`, render: (res, ctx) => renderPull(res, ctx) },
};

/** Leaving the data pages: the next visit renders fresh. */
export function forgetPage() {
  shown = '';
}

export function isDataPage(route) {
  return Object.hasOwn(PAGES, route.name);
}

/** Fetches and renders the current tracker or code host page; a newer load wins. */
export async function loadPage() {
  const route = app.route;
  const page = PAGES[route.name];
  if (!page) return;
  const seq = ++loads;
  document.title = `${page.title(route)} · Baton (local)`;
  const res = await getJson(page.url(route));
  if (seq !== loads || app.route !== route) return;
  const main = $('main');
  if (!res.ok) {
    shown = '';
    mount(main, h('div', { class: 'page', 'data-testid': 'page-error' }, h('h1', {}, page.title(route)), h('p', { class: 'bk-error' }, `Could not load: ${res.error ?? 'unknown error'}`)));
    return;
  }
  const ctx = { ...renderCtx(), onCreateTicket: createTicket, onAddComment: addComment, onMoveTicket: moveTicket };
  const key = page.url(route);
  const render = () => mount(main, page.render(res, ctx));
  if (shown === key) keepTyping(main, render);
  else render();
  shown = key;
}
