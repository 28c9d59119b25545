// Local tracker pages as element trees: the list with a "New ticket" form, and one ticket with
// its comments, history and the forms to comment and to move it. Handlers come in through ctx.
import { h } from './tree.js';
import { when } from './when.js';

// Suggestions only: a local team may use any state names.
const COMMON_STATES = ['Todo', 'In Progress', 'In Review', 'Done', 'Canceled'];

export function ticketPath(key) {
  return `/tickets/${encodeURIComponent(key)}`;
}

// Same-origin page links are routed in place by app.js's one click listener.
function link(path, text) {
  return h('a', { href: path }, text);
}

function stateBadge(state, testid) {
  const slug = String(state ?? '').toLowerCase().replace(/[^a-z]+/g, '-');
  return h('span', { class: `badge state state-${slug}`, 'data-testid': testid, 'data-state': state ?? '' }, String(state ?? 'unknown'));
}

function labels(list) {
  if (!Array.isArray(list) || list.length === 0) return null;
  return h('span', { class: 'labels' }, list.map((l) => h('span', { class: 'badge label', 'data-testid': 'ticket-label' }, String(l))));
}

function field(label, control) {
  return h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), control);
}

export function renderNewTicketForm(teams, ctx) {
  const team = teams[0] ?? 'DEMO';
  return h(
    'form',
    { class: 'card form new-ticket', 'data-testid': 'new-ticket-form', on: { submit: (ev) => ctx.onCreateTicket?.(ev) } },
    h('h2', {}, 'New ticket'),
    h('datalist', { id: 'teams' }, teams.map((t) => h('option', { value: t }))),
    h('div', { class: 'row' }, field('Team', h('input', { name: 'team', value: team, list: 'teams', required: true, pattern: '[A-Za-z][A-Za-z0-9]*', 'data-testid': 'new-ticket-team' })), field('Labels', h('input', { name: 'labels', placeholder: 'bug, backend', 'data-testid': 'new-ticket-labels' }))),
    field('Title', h('input', { name: 'title', required: true, placeholder: 'What is wrong?', 'data-testid': 'new-ticket-title' })),
    field('Description', h('textarea', { name: 'body', rows: 5, placeholder: 'Steps to reproduce, what you expected, what happened', 'data-testid': 'new-ticket-body' })),
    h('div', { class: 'form-foot' }, h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'new-ticket-submit' }, 'Create ticket')),
  );
}

export function renderTicketList(tickets, ctx) {
  const teams = [...new Set(tickets.map((t) => t.team).filter(Boolean))];
  return h(
    'div',
    { class: 'page tickets', 'data-testid': 'tickets-list' },
    h('h1', {}, 'Tickets'),
    tickets.length === 0
      ? h('p', { class: 'empty' }, 'No tickets yet.')
      : h(
          'table',
          { class: 'table' },
          h('thead', {}, h('tr', {}, h('th', {}, 'Key'), h('th', {}, 'Title'), h('th', {}, 'State'), h('th', {}, 'Labels'), h('th', {}, 'Updated'))),
          h('tbody', {}, tickets.map((t) => h('tr', { 'data-testid': 'ticket-row', 'data-key': t.key }, h('td', { class: 'mono' }, link(ticketPath(t.key), t.key)), h('td', {}, link(ticketPath(t.key), t.title ?? '')), h('td', {}, stateBadge(t.state, 'ticket-row-state')), h('td', {}, labels(t.labels)), h('td', {}, when(t.updated_at, ctx))))),
        ),
    renderNewTicketForm(teams, ctx),
  );
}

export function renderTicket(data, ctx) {
  const t = data.ticket;
  const comments = Array.isArray(data.comments) ? data.comments : [];
  const history = Array.isArray(data.history) ? data.history : [];
  const states = [...new Set([...COMMON_STATES, t.state, ...history.flatMap((x) => [x.from, x.to])].filter(Boolean))];
  return h(
    'div',
    { class: 'page ticket', 'data-testid': 'ticket', 'data-key': t.key },
    h('div', { class: 'crumbs' }, link('/tickets', 'Tickets'), ' / ', h('span', { class: 'mono' }, t.key)),
    h('h1', { 'data-testid': 'ticket-title' }, t.title ?? ''),
    h('div', { class: 'meta' }, stateBadge(t.state, 'ticket-state'), labels(t.labels), t.priority !== undefined && t.priority !== null ? h('span', { class: 'badge' }, `Priority ${t.priority}`) : null, h('span', { class: 'muted' }, 'Created ', when(t.created_at, ctx)), h('span', { class: 'muted' }, 'Updated ', when(t.updated_at, ctx))),
    h('section', { class: 'card' }, h('h2', {}, 'Description'), t.description ? h('div', { class: 'prose', 'data-testid': 'ticket-description' }, t.description) : h('p', { class: 'empty' }, 'No description.')),
    h(
      'section',
      { class: 'card' },
      h('h2', {}, `Comments (${comments.length})`),
      comments.length === 0 ? h('p', { class: 'empty' }, 'No comments yet.') : null,
      comments.map((c) => h('div', { class: 'comment', 'data-testid': 'ticket-comment', 'data-comment-id': c.id ?? null }, h('div', { class: 'comment-head' }, h('strong', {}, String(c.author ?? 'someone')), ' ', h('span', { class: 'muted' }, when(c.created_at, ctx))), h('div', { class: 'prose' }, String(c.body ?? '')))),
      h('form', { class: 'form', 'data-testid': 'ticket-comment-form', on: { submit: (ev) => ctx.onAddComment?.(ev, t.key) } }, h('textarea', { name: 'body', rows: 3, required: true, placeholder: 'Add a comment', 'data-testid': 'ticket-comment-input' }), h('div', { class: 'form-foot' }, h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'ticket-comment-submit' }, 'Comment'))),
    ),
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'State'),
      h('form', { class: 'form inline', 'data-testid': 'ticket-state-form', on: { submit: (ev) => ctx.onMoveTicket?.(ev, t.key) } }, h('datalist', { id: 'states' }, states.map((s) => h('option', { value: s }))), h('input', { name: 'state', list: 'states', required: true, value: t.state ?? '', 'data-testid': 'ticket-state-input' }), h('button', { type: 'submit', class: 'btn', 'data-testid': 'ticket-state-submit' }, 'Move')),
      history.length === 0 ? h('p', { class: 'empty' }, 'No state changes yet.') : h('ol', { class: 'history' }, history.map((x) => h('li', { 'data-testid': 'ticket-history-item' }, when(x.at, ctx), ' ', h('span', {}, String(x.from ?? '—')), ' → ', h('strong', {}, String(x.to ?? ''))))),
    ),
  );
}
