/**
 * Markdown → Atlassian Document Format, the only body Jira Cloud's v3 API accepts for comments.
 * Covers what Baton writes: paragraphs, headings, fenced code (with language), block quotes, rules,
 * bullet and ordered lists (nested by indentation), and inline code, links, bare URLs, bold, italic
 * and strikethrough. Anything else stays literal text, so nothing a person wrote is dropped.
 */

export interface AdfMark {
  type: 'strong' | 'em' | 'strike' | 'code' | 'link';
  attrs?: { href: string };
}

export interface AdfNode {
  type: string;
  attrs?: Record<string, unknown>;
  content?: AdfNode[];
  text?: string;
  marks?: AdfMark[];
}

export interface AdfDoc {
  type: 'doc';
  version: 1;
  content: AdfNode[];
}

export function markdownToAdf(markdown: string): AdfDoc {
  const lines = markdown.replace(/\r\n?/g, '\n').replace(/\t/g, '    ').split('\n');
  return { type: 'doc', version: 1, content: blocks(lines) };
}

// The info word cannot hold whitespace, so where it ends is fixed: no backtracking over a long line.
const FENCE = /^( {0,3})(`{3,}|~{3,})[ \t]*([^\s`]*)(?:\s[^`]*)?$/;
const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const RULE = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const QUOTE = /^ {0,3}> ?(.*)$/;
const ITEM = /^( *)([-*+]|(\d{1,9})[.)])(?:( +)(.*))?$/;

interface Item { indent: number; ordered: boolean; start: number; text: string; contentIndent: number }

function item(line: string): Item | undefined {
  const m = ITEM.exec(line);
  if (!m) return undefined;
  const [, indent = '', marker = '', number, gap, text = ''] = m;
  const spaces = gap && gap.length <= 4 && text ? gap.length : 1;
  return { indent: indent.length, ordered: number !== undefined, start: Number(number ?? 1), text, contentIndent: indent.length + marker.length + spaces };
}

const indentOf = (line: string): number => line.length - line.trimStart().length;

/** Whether `line` opens a block, and so ends a paragraph (an ordered list must start at 1 to do so, as in CommonMark). */
function opensBlock(line: string): boolean {
  const it = item(line);
  return FENCE.test(line) || HEADING.test(line) || RULE.test(line) || QUOTE.test(line) ||
    (it !== undefined && it.indent <= 3 && (!it.ordered || it.start === 1));
}

// Quotes and lists nest by recursion; text nested deeper than any real ticket is kept as plain
// paragraph text, so a hostile body cannot overflow the stack.
const MAX_NESTING = 32;

function blocks(lines: string[], depth = 0): AdfNode[] {
  if (depth > MAX_NESTING) {
    const text = lines.map((line) => line.trim()).filter(Boolean).join('\n');
    return text ? [{ type: 'paragraph', content: inline(text) }] : [];
  }
  const out: AdfNode[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    let m: RegExpExecArray | null;
    if (!line.trim()) {
      i++;
    } else if ((m = FENCE.exec(line))) {
      const [, indent = '', fence = '', language] = m;
      const body: string[] = [];
      const close = new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}[ \\t]*$`);
      for (i++; i < lines.length && !close.test(lines[i]!); i++) body.push(lines[i]!.replace(new RegExp(`^ {0,${indent.length}}`), ''));
      i++; // an unclosed fence runs to the end of the text, as CommonMark says
      const text = body.join('\n');
      out.push({ type: 'codeBlock', ...(language ? { attrs: { language } } : {}), content: text ? [{ type: 'text', text }] : [] });
    } else if ((m = HEADING.exec(line))) {
      out.push({ type: 'heading', attrs: { level: m[1]!.length }, content: inline(m[2] ?? '') });
      i++;
    } else if (RULE.test(line)) {
      out.push({ type: 'rule' });
      i++;
    } else if (QUOTE.test(line)) {
      const quoted: string[] = [];
      for (; i < lines.length && QUOTE.test(lines[i]!); i++) quoted.push(QUOTE.exec(lines[i]!)![1]!);
      out.push({ type: 'blockquote', content: flatten(blocks(quoted, depth + 1)) });
    } else if (item(line) && item(line)!.indent <= 3) {
      i = list(lines, i, out, depth);
    } else {
      const text: string[] = [];
      for (; i < lines.length && lines[i]!.trim() && (text.length === 0 || !opensBlock(lines[i]!)); i++) text.push(lines[i]!.trim());
      out.push({ type: 'paragraph', content: inline(text.join('\n').replace(/( {2,}|\\)\n/g, '\n')) });
    }
  }
  return out;
}

function list(lines: string[], start: number, out: AdfNode[], depth: number): number {
  const first = item(lines[start]!)!;
  const items: AdfNode[] = [];
  let i = start;
  for (let it = item(lines[i]!); it && it.ordered === first.ordered && it.indent <= first.indent + 3; it = i < lines.length ? item(lines[i]!) : undefined) {
    const body = [it.text];
    for (i++; i < lines.length; i++) {
      const line = lines[i]!;
      const nested = item(line);
      if (!line.trim()) {
        let j = i;
        while (j < lines.length && !lines[j]!.trim()) j++;
        if (j === lines.length || indentOf(lines[j]!) < it.contentIndent) break;
        body.push('');
      } else if (indentOf(line) >= it.contentIndent || (nested && nested.indent > it.indent)) {
        body.push(line.slice(Math.min(indentOf(line), it.contentIndent)));
      } else if (!nested && !opensBlock(line) && body.at(-1)?.trim()) {
        body.push(line.trim()); // a lazy continuation of the item's paragraph
      } else break;
    }
    items.push({ type: 'listItem', content: listItemContent(blocks(body, depth + 1)) });
    let j = i;
    while (j < lines.length && !lines[j]!.trim()) j++;
    if (j < lines.length && item(lines[j]!)?.ordered === first.ordered) i = j;
  }
  if (first.ordered) out.push({ type: 'orderedList', ...(first.start !== 1 ? { attrs: { order: first.start } } : {}), content: items });
  else out.push({ type: 'bulletList', content: items });
  return i;
}

/** ADF allows only paragraphs, lists and code inside quotes and list items: headings become paragraphs. */
function flatten(nodes: AdfNode[]): AdfNode[] {
  return nodes.flatMap((n): AdfNode[] => {
    if (n.type === 'heading') return [{ type: 'paragraph', content: n.content ?? [] }];
    if (n.type === 'blockquote') return n.content ?? [];
    return n.type === 'rule' ? [] : [n];
  });
}

function listItemContent(nodes: AdfNode[]): AdfNode[] {
  const content = flatten(nodes);
  // A list item must open with a paragraph or code block ("- " alone, or "- - x").
  return content[0]?.type === 'paragraph' || content[0]?.type === 'codeBlock' ? content : [{ type: 'paragraph', content: [] }, ...content];
}

const ESCAPABLE = /[!-/:-@[-`{-~]/;
const LINK = /^\[((?:[^[\]\\]|\\.|\[[^\]]*\])*)\]\(\s*<?([^\s<>()]*(?:\([^\s()]*\)[^\s<>()]*)*)>?(?:\s+"[^"]*")?\s*\)/;
const AUTOLINK = /^<(https?:\/\/[^\s<>]+)>/;
const BARE_URL = /^https?:\/\/[^\s<>]+/;
// Ticket text is untrusted and ends up in what Baton writes: only web, mail and relative links become links.
const SAFE_HREF = /^(https?:|mailto:|\/|#)/i;

function inline(text: string, marks: AdfMark[] = []): AdfNode[] {
  const out: AdfNode[] = [];
  let plain = '';
  const flush = (): void => {
    if (plain) push(out, { type: 'text', text: plain, ...(marks.length ? { marks } : {}) });
    plain = '';
  };
  const linked = (href: string): AdfMark[] => [...marks, { type: 'link', attrs: { href } }];
  const inLink = marks.some((m) => m.type === 'link');
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    const rest = text.slice(i);
    let m: RegExpExecArray | null;
    let e: [string, string, string] | null;
    if (c === '\\' && ESCAPABLE.test(text[i + 1] ?? '')) {
      plain += text[i + 1];
      i += 2;
    } else if (c === '\n') {
      flush();
      out.push({ type: 'hardBreak' });
      i++;
    } else if (c === '`') {
      const run = /^`+/.exec(rest)![0];
      const end = codeSpanEnd(text, i, run);
      if (end < 0) {
        plain += run;
        i += run.length;
        continue;
      }
      flush();
      let code = text.slice(i + run.length, end).replace(/\n/g, ' ');
      if (/^ .*[^ ].* $/.test(code)) code = code.slice(1, -1);
      // ADF lets `code` combine with `link` only.
      if (code) push(out, { type: 'text', text: code, marks: [...marks.filter((k) => k.type === 'link'), { type: 'code' }] });
      i = end + run.length;
    } else if (!inLink && (m = LINK.exec(rest)) && SAFE_HREF.test(m[2]!)) {
      flush();
      out.push(...inline(m[1] || m[2]!, linked(m[2]!)));
      i += m[0].length;
    } else if (!inLink && ((m = AUTOLINK.exec(rest)) || ((m = BARE_URL.exec(rest)) && !/[\w/]/.test(text[i - 1] ?? '')))) {
      const href = m[1] ?? trimUrl(m[0]);
      flush();
      push(out, { type: 'text', text: href, marks: linked(href) });
      i += m[1] ? m[0].length : href.length;
    } else if ((e = emphasis(text, i))) {
      flush();
      const [whole, delim, inner] = e;
      const added: AdfMark[] = delim === '~~' ? [{ type: 'strike' }] : delim.length === 3 ? [{ type: 'strong' }, { type: 'em' }] : [{ type: delim.length === 2 ? 'strong' : 'em' }];
      out.push(...inline(inner, [...marks, ...added]));
      i += whole.length;
    } else {
      plain += c;
      i++;
    }
  }
  flush();
  return out;
}

/** Appends a node, merging neighbouring text with identical marks (ADF rejects empty text nodes). */
function push(out: AdfNode[], node: AdfNode): void {
  const last = out.at(-1);
  if (node.type === 'text' && last?.type === 'text' && JSON.stringify(last.marks) === JSON.stringify(node.marks)) last.text += node.text!;
  else out.push(node);
}

function codeSpanEnd(text: string, from: number, run: string): number {
  for (let j = text.indexOf(run, from + run.length); j >= 0; j = text.indexOf(run, j + 1)) {
    if (text[j - 1] !== '`' && text[j + run.length] !== '`') return j;
  }
  return -1;
}

/** Trailing punctuation ends a sentence, not the URL; a `)` stays only when it closes one opened inside. */
function trimUrl(url: string): string {
  let end = url.length;
  for (;;) {
    const last = url[end - 1]!;
    const unbalanced = last === ')' && (url.slice(0, end).match(/\(/g)?.length ?? 0) < (url.slice(0, end).match(/\)/g)?.length ?? 0);
    if (!/[.,;:!?'"*_]/.test(last) && !unbalanced) return url.slice(0, end);
    end--;
  }
}

/**
 * `***x***`, `**x**`, `__x__`, `*x*`, `_x_` or `~~x~~` opening at `i`: [whole, delimiter, inner].
 * Flanking is simplified from CommonMark: no space just inside the delimiters, and `_` never
 * emphasises inside a word (snake_case stays as written).
 */
function emphasis(text: string, i: number): [string, string, string] | null {
  const c = text[i];
  if (c !== '*' && c !== '_' && c !== '~') return null;
  const run = /^([*_~])\1*/.exec(text.slice(i))![0];
  if (c === '_' && /\w/.test(text[i - 1] ?? '')) return null;
  const sizes = c === '~' ? (run.length >= 2 ? [2] : []) : [Math.min(run.length, 3), 2, 1].filter((n, k, all) => n <= run.length && all.indexOf(n) === k);
  for (const size of sizes) {
    const delim = c.repeat(size);
    const from = i + size;
    if (!text[from] || /\s/.test(text[from]!)) continue;
    for (let j = from + 1; j <= text.length - size; j++) {
      if (text[j] === '\\') { j++; continue; }
      if (text[j] === '`') { const r = /^`+/.exec(text.slice(j))![0]; const e = codeSpanEnd(text, j, r); if (e > 0) j = e + r.length - 1; continue; }
      if (!text.startsWith(delim, j) || /\s/.test(text[j - 1]!)) continue;
      const after = text[j + size] ?? '';
      if (after === c) { if (size === 1) j += /^([*_~])\1*/.exec(text.slice(j))![0].length - 1; continue; }
      if (c === '_' && /\w/.test(after)) continue;
      return [text.slice(i, j + size), delim, text.slice(from, j)];
    }
  }
  return null;
}
