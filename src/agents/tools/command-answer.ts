import type { SandboxResult } from '../../sandbox/sandbox.ts';
import type { ToolOutput } from '../loop-tool.ts';

/**
 * What the model reads after a command: its output (already capped head and tail by the sandbox),
 * then how it ended. A non-zero exit is an answer, not a tool error: a failing test is what the
 * agent is looking for. A timeout, a kill or a cancel is an error, since there is no result.
 */
export function commandAnswer(result: SandboxResult, limit: { timeoutSeconds: number; setting: string }): ToolOutput {
  const output = result.output.replace(/\n+$/, '');
  const parts = [output === '' ? '(no output)' : output];
  if (result.omittedBytes > 0) {
    parts.push(`[${result.omittedBytes} bytes of output were left out in the middle; to see them, write the output to a file under /tmp and grep or sed it.]`);
  }
  if (result.timedOut) {
    parts.push(
      `Killed after ${limit.timeoutSeconds} s, the command time limit (${limit.setting} in baton.yml); any output it printed is above. ` +
        'Run something narrower (one test file, fewer iterations), and nothing that waits for input or a server.',
    );
    return { content: parts.join('\n'), isError: true };
  }
  if (result.exitCode === null) {
    parts.push(`Killed by ${result.signal ?? 'a signal'} before it finished.`);
    return { content: parts.join('\n'), isError: true };
  }
  parts.push(`Exit code: ${result.exitCode}`);
  return { content: parts.join('\n') };
}

/** A command that never ran (bwrap missing, a bad worktree): a short reason, never an exception. */
export function commandFailed(error: unknown): ToolOutput {
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return { content: `The command could not be started${typeof code === 'string' ? ` (${code})` : ''}: ${message}`, isError: true };
}
