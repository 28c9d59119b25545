/**
 * Atlassian Document Format (Jira descriptions and comments) → markdown, the form Ticket carries
 * to agents and people. Unknown nodes keep their text; media, which has none, becomes a placeholder
 * so a reader knows something was attached.
 */

interface Node {
  type?: string;
  text?: string;
  attrs?: Record<string, unknown>;
  marks?: { type?: string; attrs?: Record<string, unknown> }[];
  content?: Node[];
}

export function adfToMarkdown(doc: unknown): string {
  if (typeof doc === 'string') return doc.trim(); // Jira's v2 representation and some webhooks send plain text.
  if (!doc || typeof doc !== 'object') return '';
  return blocks(nodes(doc as Node)).trim();
}

const nodes = (node: Node): Node[] => (Array.isArray(node.content) ? node.content : []);
const attr = (node: Node, key: string): string => {
  const value = node.attrs?.[key];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
};

function blocks(children: Node[]): string {
  return children.map(block).filter((text) => text !== '').join('\n\n');
}

function block(node: Node): string {
  switch (node.type) {
    case 'paragraph':
      return inline(nodes(node));
    case 'heading':
      return `${'#'.repeat(Number(attr(node, 'level')) || 1)} ${inline(nodes(node))}`;
    case 'codeBlock': {
      const code = nodes(node).map((n) => n.text ?? '').join('');
      const fence = code.includes('```') ? '~~~' : '```';
      return `${fence}${attr(node, 'language')}\n${code}\n${fence}`;
    }
    case 'blockquote':
      return blocks(nodes(node)).split('\n').map((line) => (line ? `> ${line}` : '>')).join('\n');
    case 'bulletList':
    case 'orderedList':
      return list(node);
    case 'rule':
      return '---';
    case 'table':
      return nodes(node).map((row) => `| ${nodes(row).map((cell) => blocks(nodes(cell)).replace(/\n+/g, ' ')).join(' | ')} |`).join('\n');
    case 'mediaSingle':
    case 'mediaGroup':
    case 'media':
      return '[attachment]';
    case 'text':
    case 'hardBreak':
    case 'mention':
    case 'emoji':
    case 'inlineCard':
      return inline([node]);
    default:
      // panel, expand, layoutSection, …: containers whose children are ordinary blocks.
      return blocks(nodes(node));
  }
}

function list(node: Node): string {
  let number = Number(attr(node, 'order')) || 1;
  return nodes(node)
    .map((item) => {
      const marker = node.type === 'orderedList' ? `${number++}. ` : '- ';
      const body = nodes(item).map(block).filter(Boolean).join('\n');
      return marker + body.split('\n').join(`\n${' '.repeat(marker.length)}`);
    })
    .join('\n');
}

function inline(children: Node[]): string {
  return children.map(span).join('');
}

function span(node: Node): string {
  switch (node.type) {
    case 'text':
      return marked(node.text ?? '', node.marks ?? []);
    case 'hardBreak':
      return '\n';
    case 'mention':
      return attr(node, 'text') || '@someone';
    case 'emoji':
      return attr(node, 'text') || attr(node, 'shortName');
    case 'inlineCard':
      return attr(node, 'url');
    case 'date': {
      const at = Number(attr(node, 'timestamp'));
      return Number.isFinite(at) && at > 0 ? new Date(at).toISOString().slice(0, 10) : '';
    }
    case 'status':
      return attr(node, 'text');
    default:
      return inline(nodes(node));
  }
}

function marked(text: string, marks: NonNullable<Node['marks']>): string {
  const has = (type: string) => marks.some((m) => m.type === type);
  let out = has('code') ? `\`${text}\`` : text;
  if (has('strike')) out = `~~${out}~~`;
  if (has('em')) out = `*${out}*`;
  if (has('strong')) out = `**${out}**`;
  const href = marks.find((m) => m.type === 'link')?.attrs?.href;
  if (typeof href === 'string') out = href === text ? href : `[${out}](${href})`;
  return out;
}
