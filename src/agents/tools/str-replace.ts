import type { ToolOutput } from '../loop-tool.ts';
import { closestText } from './closest-text.ts';
import { lineOf, readText, SNIPPET_CONTEXT, snippet, splitLines, writeText } from './file-text.ts';

const LISTED_MATCHES = 20;
const MAX_HINT_LINES = 40;

/**
 * The editor's `str_replace`: replaces `oldStr` only when it occurs exactly once. Otherwise the
 * refusal carries what the model needs to fix its next call: the match count and their lines, or
 * the text that is really there.
 */
export async function strReplace(target: { hostPath: string; shown: string }, oldStr: string, newStr: string): Promise<ToolOutput> {
  if (oldStr === '') return { content: 'old_str is empty; give the exact text to replace.', isError: true };
  if (oldStr === newStr) return { content: 'old_str and new_str are the same; nothing would change.', isError: true };
  const text = await readText(target.hostPath, target.shown);

  let old = oldStr;
  let replacement = newStr;
  let starts = findAll(text, old);
  // A CRLF file and an LF old_str (the model rarely writes \r) still mean the same lines.
  if (starts.length === 0 && text.includes('\r\n') && !oldStr.includes('\r')) {
    const crlf = (s: string) => s.replace(/\r?\n/g, '\r\n');
    const found = findAll(text, crlf(oldStr));
    if (found.length > 0) [starts, old, replacement] = [found, crlf(oldStr), crlf(newStr)];
  }

  if (starts.length === 0) return { content: notFound(text, oldStr, target.shown), isError: true };
  if (starts.length > 1) return { content: tooMany(text, starts, target.shown), isError: true };

  const at = starts[0]!;
  const edited = text.slice(0, at) + replacement + text.slice(at + old.length);
  await writeText(target.hostPath, edited, target.shown);
  const firstLine = lineOf(text, at);
  const lastLine = firstLine + replacement.split('\n').length - 1;
  const shown = snippet(splitLines(edited).lines, firstLine - SNIPPET_CONTEXT, lastLine + SNIPPET_CONTEXT);
  return {
    content: `The file ${target.shown} has been edited. Here's the result of running \`cat -n\` on a snippet of ${target.shown}:\n${shown}\nReview the changes and make sure they are as expected.`,
  };
}

// Overlapping occurrences count: "aa" in "aaa" is ambiguous, so it is refused.
function findAll(text: string, needle: string): number[] {
  const starts: number[] = [];
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + 1)) starts.push(i);
  return starts;
}

function tooMany(text: string, starts: number[], shown: string): string {
  const { lines } = splitLines(text);
  const numbers = [...new Set(starts.map((at) => lineOf(text, at)))];
  const listed = numbers.slice(0, LISTED_MATCHES);
  const more = numbers.length > listed.length ? ` and ${numbers.length - listed.length} more` : '';
  const where = numbers.length === 1 ? `all on line ${numbers[0]}` : `at lines ${listed.join(', ')}${more}`;
  const firstLines = listed.map((n) => snippet(lines, n, n)).join('\n');
  return (
    `No replacement was performed: old_str occurs ${starts.length} times in ${shown}, ${where}. ` +
    `Include enough surrounding lines in old_str to make it unique.\n${firstLines}`
  );
}

function notFound(text: string, oldStr: string, shown: string): string {
  const { lines } = splitLines(text);
  const head = `No replacement was performed: old_str does not appear verbatim in ${shown} (0 matches).`;
  const closest = closestText(lines, oldStr);
  const parts = [head];
  if (closest) {
    const end = Math.min(closest.endLine, closest.startLine + MAX_HINT_LINES - 1);
    parts.push(
      closest.kind === 'whitespace'
        ? `It matches lines ${closest.startLine}–${closest.endLine} if whitespace is ignored; those lines are really:`
        : `The most similar text is at lines ${closest.startLine}–${closest.endLine}:`,
      snippet(lines, closest.startLine, end),
    );
  }
  const firstLine = oldStr.split(/\r?\n/).find((line) => line.trim() !== '')?.trim();
  if (firstLine) {
    const hits = lines.flatMap((line, i) => (line.includes(firstLine) ? [i + 1] : []));
    const outside = hits.filter((n) => !closest || n < closest.startLine || n > closest.endLine);
    if (outside.length > 0) parts.push(`The first line of old_str appears at line${outside.length > 1 ? 's' : ''} ${outside.slice(0, LISTED_MATCHES).join(', ')}.`);
  }
  if (!closest && parts.length === 1) parts.push('Nothing similar was found; view the file to see what it holds now.');
  parts.push('Copy old_str exactly from the file (indentation, tabs and trailing spaces count) and retry.');
  return parts.join('\n');
}
