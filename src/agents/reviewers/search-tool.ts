import { z } from 'zod';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import type { LoopTool, ToolOutput } from '../loop-tool.ts';
import { commandFailed } from '../tools/command-answer.ts';
import { REPO_ROOT, resolveRepoPath } from '../tools/resolve-repo-path.ts';

export interface SearchToolOptions {
  /** The run's worktree on the host, /repo inside the sandbox. */
  worktree: string;
  sandbox: Sandbox;
}

export const SEARCH_TOOL_NAME = 'search';

/** Matching lines shown, and characters per line: enough to see callers, not a dump of the repository. */
const MAX_MATCHES = 200;
const MAX_LINE_CHARS = 400;
// A grep over a large repository takes a second or two; anything longer is a runaway pattern.
const SEARCH_TIMEOUT_MS = 30_000;

const inputSchema = z.object({
  pattern: z.string().min(1).max(1000).refine((p) => !/[\n\r\0]/.test(p), 'one line, without NUL'),
  path: z.string().max(1000).optional(),
  glob: z.string().min(1).max(200).refine((g) => !/[\n\r\0/]/.test(g), 'a file name pattern such as *.ts, without /').optional(),
});

const description =
  'Search the repository (read-only) for lines matching a regular expression, like `grep -rnE`; each match comes back as ' +
  '`/repo/<file>:<line>:<text>`. Use it to find the callers of a changed function, other uses of a changed name, imports of a ' +
  'changed module, configuration keys and tests. `pattern` is an extended regular expression (GNU grep: \\b, \\w and \\s work; ' +
  'escape ( ) . and [ when you mean them literally). `path` narrows the search to a directory or file under /repo (default: ' +
  `all of /repo). \`glob\` keeps only files whose name matches, e.g. *.ts. .git and node_modules are skipped, binary files too; at most ${MAX_MATCHES} matching lines are shown.`;

/**
 * A search over the worktree, run by grep inside the sandbox (the worktree at /repo, no network), so
 * a hostile repository gets nothing more from a reviewer than from the coder's bash. The command is
 * built by Baton with every argument quoted: the model chooses a pattern, never a command line.
 */
export function searchTool(options: SearchToolOptions): LoopTool {
  return {
    definition: {
      name: SEARCH_TOOL_NAME,
      description,
      input_schema: {
        type: 'object',
        properties: {
          pattern: { type: 'string', description: 'Extended regular expression, e.g. \\bsumRange\\( or import .* from .*/calc' },
          path: { type: 'string', description: 'Directory or file to search, under /repo; default /repo' },
          glob: { type: 'string', description: 'Only files whose name matches this pattern, e.g. *.ts or *.test.js' },
        },
        required: ['pattern'],
      },
    },
    readOnly: true,
    async run(raw, { signal }): Promise<ToolOutput> {
      const parsed = inputSchema.safeParse(raw);
      if (!parsed.success) {
        return failed(`Invalid input: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}`);
      }
      const { pattern, path = REPO_ROOT, glob } = parsed.data;
      const target = await resolveRepoPath(options.worktree, path);
      if (!target.ok) return failed(`Refused: ${target.reason}.`);
      if (!target.exists) return failed(`The path ${target.shown} does not exist.`);

      const command = [
        'grep', '-rnIEs', '--exclude-dir=.git', '--exclude-dir=node_modules', ...(glob ? [`--include=${glob}`] : []), '-e', pattern, '--', target.shown,
      ].map(shellQuote).join(' ');
      try {
        const result = await options.sandbox.run({ command, worktree: options.worktree, network: false, timeoutMs: SEARCH_TIMEOUT_MS, signal });
        if (signal.aborted) return failed('Stopped: the review was cancelled while the search ran.');
        if (result.timedOut) return failed(`The search took longer than ${SEARCH_TIMEOUT_MS / 1000} s and was stopped; narrow the path or the glob, or simplify the pattern.`);
        const where = `${target.shown}${glob ? ` (files named ${glob})` : ''}`;
        // grep: 0 found, 1 nothing found, 2 an error (a bad pattern), its message in the output.
        if (result.exitCode === 1) return { content: `No matches for /${pattern}/ in ${where}.` };
        if (result.exitCode !== 0) return failed(`grep failed (exit ${result.exitCode ?? result.signal ?? 'killed'}): ${result.output.trim() || 'no message'}`);
        return { content: matchesAnswer(result.output, result.omittedBytes) };
      } catch (error) {
        return commandFailed(error);
      }
    },
  };
}

function matchesAnswer(output: string, omittedBytes: number): string {
  const lines = output.replace(/\n+$/, '').split('\n');
  const shown = lines.slice(0, MAX_MATCHES).map((line) => (line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}…` : line));
  const notes: string[] = [];
  if (lines.length > MAX_MATCHES) notes.push(`[${lines.length - MAX_MATCHES} more matching lines left out: narrow the pattern, the path or the glob]`);
  if (omittedBytes > 0) notes.push(`[${omittedBytes} bytes of matches were left out in the middle: narrow the pattern, the path or the glob]`);
  return [...shown, ...notes].join('\n');
}

/** One shell word, whatever it holds: single quotes, each inner quote closed, escaped and reopened. */
function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

function failed(content: string): ToolOutput {
  return { content, isError: true };
}
