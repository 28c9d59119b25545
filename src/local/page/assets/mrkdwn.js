// Slack mrkdwn → element tree. Slack escapes a literal `<`, `>` and `&` in message text as
// `&lt;`, `&gt;` and `&amp;`, so a raw `<…>` is always a control token (link, mention, date);
// entities are decoded exactly once, into text nodes. Only http(s) links become links.
import { h, safeUrl } from './tree.js';
import { emojify } from './emoji.js';
import { formatSlackDate } from './slack-date.js';
import { renderCode } from './code.js';

const ENTITY = { lt: '<', gt: '>', amp: '&' };
// Private-use characters stand in for code spans and `<…>` tokens while emphasis is parsed, so a
// `*` or `_` inside a URL or a code span is never read as formatting.
const HOLE = 0xe000;
const HOLE_RE = /[\uE000-\uF8FF]/g;
const MAX_ATOMS = 0xf8ff - HOLE + 1;

export function unescapeEntities(text) {
  return text.replace(/&(lt|gt|amp);/g, (_, name) => ENTITY[name]);
}

function isHttp(url) {
  return /^https?:\/\//i.test(url) && safeUrl(url) !== null;
}

/**
 * One `<…>` token: a node, or (plain, for code) its display text. Broadcasts (`<!channel>`) are
 * shown as inert text: a page notifies nobody.
 */
export function renderToken(inner, ctx, plain = false) {
  const bar = inner.indexOf('|');
  const head = bar === -1 ? inner : inner.slice(0, bar);
  const label = bar === -1 ? undefined : unescapeEntities(inner.slice(bar + 1));
  const span = (cls, text, attrs = {}) => (plain ? text : h('span', { class: cls, ...attrs }, text));
  if (head.startsWith('@')) {
    const id = head.slice(1);
    return span('mention', `@${ctx.userName?.(id) ?? label ?? id}`, { 'data-user-id': id });
  }
  if (head.startsWith('#')) {
    const id = head.slice(1);
    return span('mention channel-mention', `#${ctx.channelName?.(id) ?? label ?? id}`);
  }
  if (head.startsWith('!')) {
    const [kind, ...rest] = head.slice(1).split('^');
    if (kind === 'date') {
      const [ts, format = '', link] = rest;
      const date = new Date(Number(ts) * 1000);
      const valid = ts !== '' && Number.isFinite(date.getTime());
      const text = valid && format ? formatSlackDate(date, format, ctx) : label ?? ts ?? '';
      const url = link === undefined ? null : unescapeEntities(link);
      if (plain) return text;
      return url && isHttp(url)
        ? h('a', { href: url, target: '_blank', rel: 'noopener noreferrer', class: 'date' }, text)
        : h('time', { class: 'date', title: valid ? date.toISOString() : null }, text);
    }
    if (kind === 'here' || kind === 'channel' || kind === 'everyone') return span('mention broadcast', `@${kind}`);
    if (kind === 'subteam') return span('mention', label ?? `@${rest[0] ?? 'group'}`);
    return plain ? label ?? kind : h('span', {}, label ?? kind);
  }
  const url = unescapeEntities(head);
  const text = label ?? url;
  if (plain || !isHttp(url)) return text;
  return h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, text);
}

const TOKEN_RE = /`([^`\n]+)`|<([^<>\n]+)>/g;
// Slack's emphasis: the marker hugs the text, and is not inside a word (snake_case stays).
const EMPHASIS = [
  { tag: 'strong', re: /(?<![\w*])\*([^\s*](?:[^*\n]*?[^\s*])?)\*(?![\w*])/ },
  { tag: 'em', re: /(?<![\w_])_([^\s_](?:[^_\n]*?[^\s_])?)_(?![\w_])/ },
  { tag: 'del', re: /(?<![\w~])~([^\s~](?:[^~\n]*?[^\s~])?)~(?![\w~])/ },
];

function leaf(text, atoms, ctx) {
  const out = [];
  let last = 0;
  for (const m of text.matchAll(HOLE_RE)) {
    if (m.index > last) out.push(emojify(unescapeEntities(text.slice(last, m.index))));
    const atom = atoms[m[0].charCodeAt(0) - HOLE];
    if (atom.code !== undefined) out.push(h('code', {}, codeText(atom.code, ctx)));
    else out.push(renderToken(atom.token, ctx));
    last = m.index + 1;
  }
  if (last < text.length) out.push(emojify(unescapeEntities(text.slice(last))));
  return out;
}

function emphasis(text, atoms, ctx) {
  let best = null;
  for (const e of EMPHASIS) {
    const m = e.re.exec(text);
    if (m && (best === null || m.index < best.m.index)) best = { e, m };
  }
  if (best === null) return leaf(text, atoms, ctx);
  const { e, m } = best;
  return [
    ...leaf(text.slice(0, m.index), atoms, ctx),
    h(e.tag, {}, emphasis(m[1], atoms, ctx)),
    ...emphasis(text.slice(m.index + m[0].length), atoms, ctx),
  ];
}

/** Text inside code: entities decoded, tokens shown as their text, nothing else formatted. */
function codeText(text, ctx) {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(/<([^<>\n]+)>/g)) {
    out += unescapeEntities(text.slice(last, m.index)) + renderToken(m[1], ctx, true);
    last = m.index + m[0].length;
  }
  return out + unescapeEntities(text.slice(last));
}

/** Inline mrkdwn (one paragraph, newlines kept as text for `white-space: pre-wrap`). */
export function renderInline(text, ctx = {}) {
  const atoms = [];
  const holed = text.replace(HOLE_RE, '\uFFFD').replace(TOKEN_RE, (all, code, token) => {
    if (atoms.length >= MAX_ATOMS) return all;
    atoms.push(code !== undefined ? { code } : { token });
    return String.fromCharCode(HOLE + atoms.length - 1);
  });
  return emphasis(holed, atoms, ctx);
}

const QUOTE = /^(?:&gt;|>) ?/;
const QUOTE_ALL = /^(?:&gt;&gt;&gt;|>>>) ?/;

function paragraphs(text, ctx) {
  const out = [];
  const lines = text.split('\n');
  let plain = [];
  const flush = () => {
    if (plain.length) out.push(...renderInline(plain.join('\n'), ctx));
    plain = [];
  };
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i];
    if (QUOTE_ALL.test(line)) {
      flush();
      out.push(h('blockquote', {}, renderInline([line.replace(QUOTE_ALL, ''), ...lines.slice(i + 1)].join('\n'), ctx)));
      return out;
    }
    if (QUOTE.test(line)) {
      flush();
      const quoted = [];
      while (i < lines.length && QUOTE.test(lines[i]) && !QUOTE_ALL.test(lines[i])) quoted.push(lines[i++].replace(QUOTE, ''));
      i -= 1;
      out.push(h('blockquote', {}, renderInline(quoted.join('\n'), ctx)));
      continue;
    }
    plain.push(line);
  }
  flush();
  return out;
}

/**
 * A mrkdwn string as a list of nodes: ``` blocks (diffs coloured), `>` quotes, then inline
 * formatting. ctx: { userName(id), channelName(id), locale, timeZone, now }.
 */
export function renderMrkdwn(text, ctx = {}) {
  const out = [];
  const source = String(text ?? '');
  let last = 0;
  for (const m of source.matchAll(/```([\s\S]*?)```/g)) {
    const before = source.slice(last, m.index).replace(/\n$/, '');
    if (before) out.push(...paragraphs(before, ctx));
    const code = codeText(m[1].replace(/^\n/, '').replace(/\n$/, ''), ctx);
    out.push(renderCode(code));
    last = m.index + m[0].length;
  }
  const rest = last > 0 ? source.slice(last).replace(/^\n/, '') : source;
  if (rest) out.push(...paragraphs(rest, ctx));
  return out;
}

/** A Block Kit text object: mrkdwn rendered, plain_text shown as written (with emoji codes). */
export function renderTextObject(obj, ctx = {}) {
  if (!obj || typeof obj.text !== 'string') return [];
  if (obj.type === 'mrkdwn') return renderMrkdwn(obj.text, ctx);
  return [obj.emoji === false ? obj.text : emojify(obj.text)];
}
