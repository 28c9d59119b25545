import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

/** Larger files are refused by the editor: bash (`sed -n`, `grep -n`) reads them in pieces. */
export const MAX_EDITABLE_BYTES = 4 * 1024 * 1024;

export class FileTextError extends Error {
  constructor(
    readonly code: 'not_a_file' | 'too_large' | 'binary' | 'hard_linked',
    message: string,
  ) {
    super(message);
    this.name = 'FileTextError';
  }
}

// O_NONBLOCK: opening a FIFO (mkfifo in the sandbox) would otherwise wait for a writer, holding one
// of libuv's few threads for good; on a regular file it changes nothing.
const OPEN_FLAGS = constants.O_NOFOLLOW | constants.O_NONBLOCK;

/**
 * Only a regular file with no other name: the editor runs on the host as Baton, and another hard
 * link could be anywhere on the worktree's filesystem (the sandbox cannot make one across its
 * mounts, and git never makes one, so this is the second line, not the first).
 */
function assertPlainFile(stat: { isDirectory(): boolean; isFile(): boolean; nlink: number }, shown: string): void {
  if (stat.isDirectory()) throw new FileTextError('not_a_file', `${shown} is a directory, not a file`);
  if (!stat.isFile()) throw new FileTextError('not_a_file', `${shown} is not a regular file`);
  if (stat.nlink > 1) throw new FileTextError('hard_linked', `${shown} has another hard link; the editor does not touch such files (use bash inside the sandbox)`);
}

/**
 * Reads a text file without following a symlink at the last component: resolveRepoPath checked
 * the path, and O_NOFOLLOW keeps a link swapped in since from being read through.
 */
export async function readText(hostPath: string, shown: string): Promise<string> {
  const handle = await open(hostPath, constants.O_RDONLY | OPEN_FLAGS);
  try {
    const stat = await handle.stat();
    assertPlainFile(stat, shown);
    if (stat.size > MAX_EDITABLE_BYTES) {
      throw new FileTextError('too_large', `${shown} is ${stat.size} bytes, more than the editor handles (${MAX_EDITABLE_BYTES}); read it in pieces with bash (sed -n, grep -n)`);
    }
    const bytes = await handle.readFile();
    if (bytes.subarray(0, 8192).includes(0)) throw new FileTextError('binary', `${shown} looks binary (it contains NUL bytes); the editor only handles text`);
    return bytes.toString('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * Writes (creating or replacing the content) without following a symlink at the last component, and
 * only into a plain file: what it opened is checked before it is truncated. An existing file keeps its mode.
 */
export async function writeText(hostPath: string, text: string, shown: string): Promise<void> {
  const handle = await open(hostPath, constants.O_WRONLY | constants.O_CREAT | OPEN_FLAGS, 0o644);
  try {
    assertPlainFile(await handle.stat(), shown);
    await handle.truncate(0);
    await handle.writeFile(text, 'utf8');
  } finally {
    await handle.close();
  }
}

/** A file's lines, its line ending, and whether it ends with one: enough to edit by line and write it back the same way. */
export interface TextLines {
  lines: string[];
  eol: '\n' | '\r\n';
  finalEol: boolean;
}

export function splitLines(text: string): TextLines {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const finalEol = text.endsWith(eol);
  const body = finalEol ? text.slice(0, -eol.length) : text;
  return { lines: body === '' && !finalEol ? [] : body.split(eol), eol, finalEol };
}

export function joinLines({ lines, eol, finalEol }: TextLines): string {
  return lines.join(eol) + (finalEol && lines.length > 0 ? eol : '');
}

/** `cat -n` style, as the text editor tool's documentation shows it: the number right-aligned in six columns, a tab, the line. */
export function numbered(lines: string[], firstNumber: number): string {
  return lines.map((line, i) => `${String(firstNumber + i).padStart(6)}\t${line}`).join('\n');
}

/** 1-based number of the line holding character `index`. */
export function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * Keeps whole numbered lines from the head and the tail of a long view, naming the line range left
 * out so the model can ask for it with view_range; `maxChars` is what the tool definition promises.
 */
export function truncateNumbered(lines: string[], firstNumber: number, maxChars: number): string {
  const full = numbered(lines, firstNumber);
  if (full.length <= maxChars) return full;
  const headBudget = Math.floor(maxChars * 0.6);
  const tailBudget = maxChars - headBudget;
  let head = 0;
  for (let used = 0; head < lines.length; head++) {
    used += lines[head]!.length + 8;
    if (used > headBudget) break;
  }
  let tail = 0;
  for (let used = 0; tail < lines.length - head; tail++) {
    used += lines[lines.length - 1 - tail]!.length + 8;
    if (used > tailBudget) break;
  }
  // One line longer than the whole budget: show its start rather than nothing.
  if (head === 0 && tail === 0) {
    const first = numbered([lines[0]!], firstNumber).slice(0, maxChars);
    return `${first}\n[… line ${firstNumber} cut at ${maxChars} characters; lines ${firstNumber + 1}–${firstNumber + lines.length - 1} left out …]`;
  }
  const omittedFrom = firstNumber + head;
  const omittedTo = firstNumber + lines.length - tail - 1;
  const omittedChars = lines.slice(head, lines.length - tail).reduce((n, line) => n + line.length + 1, 0);
  const marker = `[… lines ${omittedFrom}–${omittedTo} left out (${omittedChars} characters); view them with view_range [${omittedFrom}, ${omittedTo}] …]`;
  const parts = [numbered(lines.slice(0, head), firstNumber), marker];
  if (tail > 0) parts.push(numbered(lines.slice(lines.length - tail), omittedTo + 1));
  return parts.filter((part) => part !== '').join('\n');
}

/** Numbered lines `from`–`to` (1-based, inclusive, clamped to the file) of an edited file, to show the model what it now holds. */
export function snippet(lines: string[], from: number, to: number): string {
  const start = Math.max(1, from);
  const end = Math.min(lines.length, to);
  return numbered(lines.slice(start - 1, end), start);
}

/** How many lines the edit snippet shows above and below the change. */
export const SNIPPET_CONTEXT = 4;
