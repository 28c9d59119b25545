import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ToolOutput } from '../loop-tool.ts';
import { readText, splitLines, truncateNumbered } from './file-text.ts';

/** A listing past this many entries is cut, with a count, so a huge tree cannot flood the context. */
const MAX_LISTED = 400;

/**
 * The editor's `view`: a file as `cat -n` with an optional 1-based `[start, end]` range (end -1 = to
 * the end), or a directory as the files and directories two levels deep, hidden ones and
 * node_modules left out, as the tool's documentation describes.
 */
export async function viewPath(
  target: { hostPath: string; shown: string },
  viewRange: [number, number] | undefined,
  maxChars: number,
): Promise<ToolOutput> {
  const info = await stat(target.hostPath);
  if (info.isDirectory()) {
    if (viewRange) return { content: 'view_range applies to files only; view the directory without it.', isError: true };
    return { content: await listDirectory(target.hostPath, target.shown) };
  }
  const { lines } = splitLines(await readText(target.hostPath, target.shown));
  if (lines.length === 0) return { content: `${target.shown} is empty.` };

  let start = 1;
  let end = lines.length;
  let note = '';
  if (viewRange) {
    const [from, to] = viewRange;
    if (from < 1 || from > lines.length) {
      return { content: `view_range start ${from} is outside the file: ${target.shown} has ${lines.length} lines (1–${lines.length}).`, isError: true };
    }
    if (to !== -1 && to < from) return { content: `view_range end ${to} is before its start ${from}; use -1 to read to the end.`, isError: true };
    start = from;
    end = to === -1 ? lines.length : Math.min(to, lines.length);
    if (to > lines.length) note = `\n(The file has ${lines.length} lines; shown up to the last.)`;
  }
  const body = truncateNumbered(lines.slice(start - 1, end), start, maxChars);
  return { content: `Here's the result of running \`cat -n\` on ${target.shown}:\n${body}${note}` };
}

async function listDirectory(hostDir: string, shownDir: string): Promise<string> {
  const listed: string[] = [];
  let total = 0;
  const walk = async (hostPath: string, shownPath: string, depth: number): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(hostPath, { withFileTypes: true });
    } catch (error) {
      listed.push(`${shownPath}/ (cannot be listed: ${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      total++;
      // Symlinks are listed, never descended: what they point at is checked only when a path is used.
      const isDir = entry.isDirectory();
      if (listed.length < MAX_LISTED) listed.push(`${shownPath}/${entry.name}${isDir ? '/' : entry.isSymbolicLink() ? '@' : ''}`);
      if (isDir && depth < 2) await walk(join(hostPath, entry.name), `${shownPath}/${entry.name}`, depth + 1);
    }
  };
  await walk(hostDir, shownDir === '/' ? '' : shownDir, 1);
  const more = total > listed.length ? `\n[… ${total - listed.length} more entries left out; view a subdirectory to see them …]` : '';
  const header = `Here's the files and directories up to 2 levels deep in ${shownDir}, excluding hidden items and node_modules:`;
  return `${header}\n${shownDir}/\n${listed.join('\n')}${more}`;
}
