import { z } from 'zod';
import type { SandboxPolicy } from '../../policy.ts';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import type { LoopTool, ToolOutput } from '../loop-tool.ts';
import { commandAnswer, commandFailed } from './command-answer.ts';

export interface BashToolOptions {
  /** The run's worktree on the host, /repo inside the sandbox. */
  worktree: string;
  sandbox: Sandbox;
  policy: SandboxPolicy;
}

/**
 * For the system prompt: the bash tool's schema is built into the model, so its description cannot
 * say how Baton runs it, and the model expects the persistent session Anthropic's documentation
 * describes.
 */
export const BASH_SESSION_NOTE =
  'The bash tool runs each command in a fresh shell in /repo, in a sandbox without network access: ' +
  'cd, exported variables and background processes do not carry over from one command to the next, ' +
  'so chain what belongs together (`cd pkg && npm test`).';

const inputSchema = z.object({
  command: z.string().optional(),
  restart: z.boolean().optional(),
});

// A command that is only a `cd`: it changes nothing, since the next command starts in /repo again.
const ONLY_CD = /^\s*cd(\s+[^;&|]*)?\s*$/;

/**
 * Anthropic's bash tool (bash_20250124, `bash`), executed by Baton: every command runs through the
 * injected sandbox with the worktree at /repo, no network, and the policy's command timeout.
 */
export function bashTool(options: BashToolOptions): LoopTool {
  const timeoutSeconds = options.policy.command_timeout_seconds;
  return {
    definition: { type: 'bash_20250124', name: 'bash' },
    readOnly: false,
    async run(raw, { signal }): Promise<ToolOutput> {
      const parsed = inputSchema.safeParse(raw);
      if (!parsed.success) return { content: 'Invalid input: give `command` (a string), or `restart: true`.', isError: true };
      const { command, restart } = parsed.data;
      if (restart) return { content: `The shell was restarted. ${BASH_SESSION_NOTE}` };
      if (command === undefined || command.trim() === '') return { content: 'Give `command`, the shell command to run, or `restart: true`.', isError: true };
      try {
        const result = await options.sandbox.run({ command, worktree: options.worktree, network: false, timeoutMs: timeoutSeconds * 1000, signal });
        if (signal.aborted) return { content: 'Stopped: the run was cancelled while the command ran.', isError: true };
        const answer = commandAnswer(result, { timeoutSeconds, setting: 'sandbox.command_timeout_seconds' });
        if (ONLY_CD.test(command)) answer.content += `\nNote: ${BASH_SESSION_NOTE}`;
        return answer;
      } catch (error) {
        return commandFailed(error);
      }
    },
  };
}
