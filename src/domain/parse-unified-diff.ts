/**
 * Reads the output of `git diff` (unified, with rename detection) into files and their changed
 * lines. Hunks are read by the line counts in their headers, so a removed line that happens to read
 * `--- a/x` or `diff --git` is content, never taken for the next file's header.
 */

export interface DiffLine {
  /** The line without its leading `+` or `-`. */
  text: string;
  /** Line number in the new file (added lines) or the old file (removed lines). */
  lineNumber: number;
}

export type DiffFileStatus = 'added' | 'modified' | 'deleted' | 'renamed';

export interface DiffFile {
  /** Path after the change; for a deleted file, the path it had. */
  path: string;
  /** Path before the change; equals `path` unless renamed (for an added file, its new path too). */
  oldPath: string;
  status: DiffFileStatus;
  binary: boolean;
  added: DiffLine[];
  removed: DiffLine[];
}

export interface ParsedDiff {
  files: DiffFile[];
}

const ESCAPES: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };

/** git quotes paths with unusual bytes C-style (`"t\303\251st"`, UTF-8 bytes in octal). */
export function unquoteGitPath(text: string): string {
  if (!text.startsWith('"') || !text.endsWith('"') || text.length < 2) return text;
  const bytes: number[] = [];
  const body = text.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const char = body[i]!;
    if (char !== '\\') {
      bytes.push(...Buffer.from(char, 'utf8'));
      continue;
    }
    const next = body[i + 1] ?? '';
    const octal = /^[0-7]{3}/.exec(body.slice(i + 1, i + 4));
    if (octal) {
      bytes.push(parseInt(octal[0], 8));
      i += 3;
    } else {
      bytes.push(ESCAPES[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function stripPrefix(path: string, prefix: 'a/' | 'b/'): string {
  return path.startsWith(prefix) ? path.slice(2) : path;
}

/** `--- a/x`, `+++ b/x` or `/dev/null`; git adds a tab after names with spaces in some versions. */
function markerPath(rest: string, prefix: 'a/' | 'b/'): string | undefined {
  const raw = rest.replace(/\t$/, '');
  if (raw === '/dev/null') return undefined;
  return stripPrefix(unquoteGitPath(raw), prefix);
}

/** Both paths from `diff --git a/x b/y`: used when no ---/+++ lines follow (binary, mode-only, empty). */
function headerPaths(rest: string): { oldPath: string; path: string } {
  if (rest.startsWith('"')) {
    const end = closingQuote(rest, 0);
    const oldPath = stripPrefix(unquoteGitPath(rest.slice(0, end + 1)), 'a/');
    const path = stripPrefix(unquoteGitPath(rest.slice(end + 2)), 'b/');
    return { oldPath, path };
  }
  if (rest.endsWith('"')) {
    const start = rest.lastIndexOf(' "');
    return { oldPath: stripPrefix(rest.slice(0, start), 'a/'), path: stripPrefix(unquoteGitPath(rest.slice(start + 1)), 'b/') };
  }
  // Unquoted names may contain spaces; without a rename both halves are the same name.
  const half = (rest.length - 1) / 2;
  if (Number.isInteger(half) && rest[half] === ' ' && rest.slice(2, half) === rest.slice(half + 3)) {
    const name = rest.slice(2, half);
    return { oldPath: name, path: name };
  }
  const split = rest.indexOf(' b/');
  return { oldPath: stripPrefix(rest.slice(0, split), 'a/'), path: rest.slice(split + 3) };
}

function closingQuote(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return text.length - 1;
}

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

export function parseUnifiedDiff(text: string): ParsedDiff {
  const lines = text.split('\n');
  const files: DiffFile[] = [];
  let file: DiffFile | undefined;
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.startsWith('diff --git ')) {
      const { oldPath, path } = headerPaths(line.slice('diff --git '.length));
      file = { path, oldPath, status: 'modified', binary: false, added: [], removed: [] };
      files.push(file);
      i++;
      continue;
    }
    if (!file) {
      i++;
      continue;
    }
    const hunk = HUNK.exec(line);
    if (hunk) {
      let oldLine = Number(hunk[1]);
      let newLine = Number(hunk[3]);
      let oldLeft = hunk[2] === undefined ? 1 : Number(hunk[2]);
      let newLeft = hunk[4] === undefined ? 1 : Number(hunk[4]);
      i++;
      while (i < lines.length && (oldLeft > 0 || newLeft > 0)) {
        const body = lines[i]!;
        const mark = body[0];
        if (mark === '+') {
          file.added.push({ text: body.slice(1), lineNumber: newLine++ });
          newLeft--;
        } else if (mark === '-') {
          file.removed.push({ text: body.slice(1), lineNumber: oldLine++ });
          oldLeft--;
        } else if (mark === ' ' || body === '') {
          oldLine++;
          newLine++;
          oldLeft--;
          newLeft--;
        } else if (mark !== '\\') {
          break; // a malformed hunk: stop reading it rather than swallow the next header
        }
        i++;
      }
      // "\ No newline at end of file" may follow the last line of a hunk.
      while (i < lines.length && lines[i]!.startsWith('\\')) i++;
      continue;
    }
    if (line.startsWith('new file mode')) file.status = 'added';
    else if (line.startsWith('deleted file mode')) file.status = 'deleted';
    else if (line.startsWith('rename from ')) {
      file.status = 'renamed';
      file.oldPath = unquoteGitPath(line.slice('rename from '.length));
    } else if (line.startsWith('rename to ')) {
      file.status = 'renamed';
      file.path = unquoteGitPath(line.slice('rename to '.length));
    } else if (line.startsWith('copy to ')) {
      file.status = 'added';
      file.path = unquoteGitPath(line.slice('copy to '.length));
      file.oldPath = file.path;
    } else if (line.startsWith('Binary files ') || line === 'GIT binary patch') file.binary = true;
    else if (line.startsWith('--- ')) {
      const path = markerPath(line.slice(4), 'a/');
      if (path !== undefined && file.status !== 'added') file.oldPath = path;
    } else if (line.startsWith('+++ ')) {
      const path = markerPath(line.slice(4), 'b/');
      if (path !== undefined) file.path = path;
    }
    i++;
  }
  for (const f of files) {
    if (f.status === 'added') f.oldPath = f.path;
    if (f.status === 'deleted') f.path = f.oldPath;
  }
  return { files };
}
