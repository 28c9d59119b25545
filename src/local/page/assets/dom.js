// The thin browser layer: a tree from tree.js becomes DOM through createElement, setAttribute
// and text nodes only (no HTML is ever parsed), with handlers from `attrs.on`.
import { allowedAttrs, safeTag } from './tree.js';

export function toDom(node, doc = globalThis.document) {
  if (typeof node === 'string') return doc.createTextNode(node);
  const el = doc.createElement(safeTag(node.tag));
  for (const [name, value] of allowedAttrs(node.attrs)) el.setAttribute(name, value);
  // A textarea's or input's current value is a property, not only the initial attribute.
  if (node.tag === 'input' && node.attrs.value !== undefined) el.value = String(node.attrs.value ?? '');
  const on = node.attrs.on;
  if (on && typeof on === 'object') {
    for (const [type, fn] of Object.entries(on)) if (typeof fn === 'function') el.addEventListener(type, fn);
  }
  for (const child of node.children) el.appendChild(toDom(child, doc));
  return el;
}

/** Replaces a container's children with the rendered nodes. */
export function mount(container, nodes) {
  const doc = container.ownerDocument;
  // Views return nested lists with nulls for what is not shown, as h() children may be.
  const list = [nodes].flat(Infinity).filter((n) => n !== null && n !== undefined && n !== false);
  container.replaceChildren(...list.map((n) => toDom(n, doc)));
}
