// A tiny DOM-agnostic element tree shared by Node (tests, toHtml) and the browser (dom.js).
// Text is always a plain string child: it is escaped by toHtml and set as a text node by toDom,
// so nothing a message says can ever become markup.

/** @typedef {{ tag: string, attrs: Record<string, unknown>, children: Child[] }} Node */
/** @typedef {Node | string} Child */

const VOID = new Set(['br', 'hr', 'img', 'input']);
const ATTR_NAME = /^[a-z][a-z0-9-]*$/;
const URL_ATTRS = new Set(['href', 'src', 'action', 'formaction', 'poster', 'data']);
// Our views never build these; refusing them keeps a slip from becoming script.
const BANNED_TAGS = new Set(['script', 'style', 'iframe', 'object', 'embed', 'frame', 'frameset', 'base', 'meta', 'link', 'template', 'svg', 'math']);

function flatten(list, out) {
  for (const c of list) {
    if (c === null || c === undefined || c === false || c === true) continue;
    if (Array.isArray(c)) flatten(c, out);
    else out.push(typeof c === 'number' ? String(c) : c);
  }
  return out;
}

/** h('a', { href }, 'label', [more], null) — null/false children are dropped. */
export function h(tag, attrs, ...children) {
  return { tag, attrs: attrs ?? {}, children: flatten(children, []) };
}

/**
 * A URL allowed in href/src: absolute http(s), or a same-origin path. Protocol-relative (`//x`)
 * and backslash forms (`/\x`, which browsers read as `//x`) are refused, as is every other scheme.
 */
export function safeUrl(url) {
  if (typeof url !== 'string') return null;
  if (/^https?:\/\/[^\s\\]+$/i.test(url)) return url;
  if (/^\/(?![/\\])[^\s\\]*$/.test(url)) return url;
  return null;
}

/** The attributes that may reach the page: event-handler and style attributes never do. */
export function allowedAttrs(attrs) {
  const out = [];
  for (const [name, value] of Object.entries(attrs)) {
    if (name === 'on' || !ATTR_NAME.test(name) || name.startsWith('on') || name === 'style' || name === 'srcset') continue;
    if (value === null || value === undefined || value === false) continue;
    if (URL_ATTRS.has(name)) {
      const url = safeUrl(String(value));
      if (url !== null) out.push([name, url]);
      continue;
    }
    out.push([name, value === true ? '' : String(value)]);
  }
  return out;
}

/** The tag to create: a banned or malformed one becomes a span. */
export function safeTag(tag) {
  return ATTR_NAME.test(tag) && !BANNED_TAGS.has(tag) ? tag : 'span';
}

export function escapeHtml(text) {
  return String(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** HTML for a tree (tests, and anything rendered outside a browser). Handlers are left out. */
export function toHtml(node) {
  if (Array.isArray(node)) return node.map(toHtml).join('');
  if (typeof node === 'string') return escapeHtml(node);
  const tag = safeTag(node.tag);
  const attrs = allowedAttrs(node.attrs)
    .map(([n, v]) => (v === '' ? ` ${n}` : ` ${n}="${escapeHtml(v)}"`))
    .join('');
  if (VOID.has(tag)) return `<${tag}${attrs}>`;
  return `<${tag}${attrs}>${node.children.map(toHtml).join('')}</${tag}>`;
}

/** The visible text of a tree, as a browser's textContent would give it. */
export function textOf(node) {
  if (Array.isArray(node)) return node.map(textOf).join('');
  if (typeof node === 'string') return node;
  return node.children.map(textOf).join('');
}

/** Every node (depth first) for which `test` is true: lets tests find buttons and their handlers. */
export function findAll(node, test, out = []) {
  if (Array.isArray(node)) {
    for (const n of node) findAll(n, test, out);
    return out;
  }
  if (typeof node === 'string') return out;
  if (test(node)) out.push(node);
  for (const c of node.children) findAll(c, test, out);
  return out;
}
