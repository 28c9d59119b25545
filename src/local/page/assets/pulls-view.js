// Local code host pages as element trees: the list of pull requests and one pull request with
// its diff (coloured, per file), Baton's checks and the comments.
import { h } from './tree.js';
import { renderDiff } from './code.js';
import { when } from './when.js';

export function pullPath(id) {
  return `/pulls/${encodeURIComponent(id)}`;
}

// Same-origin page links are routed in place by app.js's one click listener.
function link(path, text) {
  return h('a', { href: path }, text);
}

function stateBadge(state) {
  return h('span', { class: `badge pr-state pr-${String(state ?? '').replace(/[^a-z]/g, '')}`, 'data-testid': 'pull-state', 'data-state': state ?? '' }, String(state ?? 'unknown'));
}

const short = (sha) => (typeof sha === 'string' ? sha.slice(0, 7) : '');

export function renderPullList(pulls) {
  return h(
    'div',
    { class: 'page pulls', 'data-testid': 'pulls-list' },
    h('h1', {}, 'Pull requests'),
    pulls.length === 0
      ? h('p', { class: 'empty' }, 'No pull requests yet. Baton opens one when a run has a proven fix.')
      : h(
          'table',
          { class: 'table' },
          h('thead', {}, h('tr', {}, h('th', {}, 'Pull request'), h('th', {}, 'Title'), h('th', {}, 'State'), h('th', {}, 'Branch'))),
          h('tbody', {}, pulls.map((p) => h('tr', { 'data-testid': 'pull-row', 'data-id': String(p.id) }, h('td', { class: 'mono' }, link(pullPath(p.id), `${p.repo}#${p.number}`)), h('td', {}, link(pullPath(p.id), p.title ?? '')), h('td', {}, stateBadge(p.state)), h('td', { class: 'mono' }, `${p.head_ref} → ${p.base_ref}`)))),
        ),
  );
}

/** A unified diff split per file, each with its path as a heading. */
export function renderFileDiffs(diff) {
  const text = String(diff ?? '');
  if (text.trim() === '') return [h('p', { class: 'empty' }, 'No changes.')];
  const files = text.split(/^(?=diff --git )/m).filter((f) => f.trim() !== '');
  return files.map((f) => {
    const head = /^diff --git a\/(.+?) b\/(.+)$/m.exec(f);
    return h('div', { class: 'diff-file-block', 'data-testid': 'pull-diff-file', 'data-path': head?.[2] ?? null }, head ? h('div', { class: 'diff-file-name mono' }, head[2]) : null, renderDiff(f));
  });
}

function check(c) {
  const conclusion = String(c.conclusion ?? 'pending');
  // Plain symbols, not emoji: they show with any font.
  const icon = conclusion === 'success' ? '✓' : conclusion === 'failure' || conclusion === 'timed_out' ? '✗' : '•';
  return h('div', { class: `check check-${conclusion.replace(/[^a-z_]/g, '')}`, 'data-testid': 'pull-check', 'data-conclusion': conclusion }, h('div', { class: 'check-head' }, h('span', { class: 'check-icon', 'aria-hidden': 'true' }, icon), ' ', h('strong', {}, String(c.name ?? 'check')), ' ', h('span', { class: 'muted' }, conclusion)), c.summary ? h('div', { class: 'prose check-summary' }, String(c.summary)) : null);
}

function comment(c, ctx) {
  const author = c.author ?? c.user?.login ?? c.user ?? 'someone';
  return h('div', { class: 'comment', 'data-testid': 'pull-comment' }, h('div', { class: 'comment-head' }, h('strong', {}, String(author)), ' ', h('span', { class: 'muted' }, when(c.created_at, ctx))), h('div', { class: 'prose' }, String(c.body ?? '')));
}

export function renderPull(data, ctx) {
  const p = data.pull;
  const checks = Array.isArray(data.checks) ? data.checks : [];
  const comments = Array.isArray(data.comments) ? data.comments : [];
  return h(
    'div',
    { class: 'page pull', 'data-testid': 'pull', 'data-id': String(p.id) },
    h('div', { class: 'crumbs' }, link('/pulls', 'Pull requests'), ' / ', h('span', { class: 'mono' }, `${p.repo}#${p.number}`)),
    h('h1', { 'data-testid': 'pull-title' }, p.title ?? '', ' ', h('span', { class: 'muted' }, `#${p.number}`)),
    h(
      'div',
      { class: 'meta' },
      stateBadge(p.state),
      h('span', { class: 'mono' }, h('span', { class: 'branch' }, p.head_ref), ` (${short(p.head_sha)}) → `, h('span', { class: 'branch' }, p.base_ref), p.base_sha ? ` (${short(p.base_sha)})` : ''),
      p.state === 'merged' ? h('span', { 'data-testid': 'pull-merged' }, 'Merged', p.merged_by ? ` by ${p.merged_by}` : '', p.merge_sha ? ` as ${short(p.merge_sha)}` : '') : null,
      h('span', { class: 'muted' }, 'Opened ', when(p.created_at, ctx)),
    ),
    p.body ? h('section', { class: 'card' }, h('div', { class: 'prose', 'data-testid': 'pull-body' }, p.body)) : null,
    h('section', { class: 'card' }, h('h2', {}, `Checks (${checks.length})`), checks.length === 0 ? h('p', { class: 'empty' }, 'No checks reported.') : checks.map(check)),
    h('section', { class: 'card' }, h('h2', {}, 'Files changed'), h('div', { 'data-testid': 'pull-diff' }, renderFileDiffs(data.diff))),
    h('section', { class: 'card' }, h('h2', {}, `Comments (${comments.length})`), comments.length === 0 ? h('p', { class: 'empty' }, 'No comments.') : comments.map((c) => comment(c, ctx))),
  );
}
