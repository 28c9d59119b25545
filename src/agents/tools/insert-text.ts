import type { ToolOutput } from '../loop-tool.ts';
import { joinLines, readText, SNIPPET_CONTEXT, snippet, splitLines, writeText } from './file-text.ts';

/** The editor's `insert`: `text` goes after line `insertLine` (0 = the top), in the file's own line endings. */
export async function insertText(target: { hostPath: string; shown: string }, insertLine: number, text: string): Promise<ToolOutput> {
  const file = splitLines(await readText(target.hostPath, target.shown));
  if (insertLine < 0 || insertLine > file.lines.length) {
    return { content: `insert_line ${insertLine} is outside the file: ${target.shown} has ${file.lines.length} lines, so use 0 to ${file.lines.length}.`, isError: true };
  }
  // The text becomes whole lines; one trailing newline in it is the end of its last line, not an extra blank one.
  const added = text.replace(/\r?\n$/, '').split(/\r?\n/);
  const lines = [...file.lines.slice(0, insertLine), ...added, ...file.lines.slice(insertLine)];
  // An empty file gains a final newline; otherwise the file keeps whether it had one.
  await writeText(target.hostPath, joinLines({ lines, eol: file.eol, finalEol: file.finalEol || file.lines.length === 0 }), target.shown);
  const shown = snippet(lines, insertLine + 1 - SNIPPET_CONTEXT, insertLine + added.length + SNIPPET_CONTEXT);
  return {
    content: `The file ${target.shown} has been edited. Here's the result of running \`cat -n\` on a snippet of the edited file:\n${shown}\nReview the changes and make sure they are as expected (correct indentation, no duplicate lines).`,
  };
}
