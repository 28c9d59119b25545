// Code blocks, with unified diffs coloured line by line.
import { h } from './tree.js';

const HEADER = /^(diff --git |index |\+\+\+ |--- |new file mode|deleted file mode|similarity index|rename (from|to) )/;

/** A diff: it has a file or hunk header, or every line is a diff line (a chunk cut mid-hunk). */
export function looksLikeDiff(text) {
  const lines = text.split('\n').filter((l) => l !== '');
  if (lines.some((l) => l.startsWith('@@') || l.startsWith('diff --git '))) return true;
  return lines.length >= 2 && lines.some((l) => /^[+-]/.test(l)) && lines.every((l) => /^[ +\-\\]/.test(l));
}

function diffLineClass(line) {
  if (HEADER.test(line)) return 'diff-file';
  if (line.startsWith('@@')) return 'diff-hunk';
  if (line.startsWith('+')) return 'diff-add';
  if (line.startsWith('-')) return 'diff-del';
  return 'diff-ctx';
}

/** A diff as a <pre>, one span per line with its class. */
export function renderDiff(text, attrs = {}) {
  const lines = text.replace(/\n$/, '').split('\n');
  return h('pre', { class: 'code diff', ...attrs }, lines.map((l) => h('span', { class: `diff-line ${diffLineClass(l)}` }, `${l}\n`)));
}

/** A code block; a diff is coloured. */
export function renderCode(text) {
  return looksLikeDiff(text) ? renderDiff(text) : h('pre', { class: 'code' }, text);
}
