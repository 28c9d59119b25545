import { z } from 'zod';
import type { SandboxPolicy } from '../../policy.ts';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import type { LoopTool, ToolOutput } from '../loop-tool.ts';
import { commandAnswer, commandFailed } from './command-answer.ts';

export interface RunTestsToolOptions {
  worktree: string;
  /** Where bubblewrap cannot run, the host runner: the reason this tool exists instead of bash. */
  sandbox: Sandbox;
  policy: SandboxPolicy;
  /** The repository's configured test command (`repos.<name>.test` in baton.yml). */
  testCommand: string;
}

const inputSchema = z.object({ note: z.string().optional() }).strict();

/**
 * Offered instead of bash when commands would run unconfined: the model cannot choose what runs,
 * only when the configured test command runs. The description names that command, which stays the
 * same for the whole run, so the cached tool prefix does too.
 */
export function runTestsTool(options: RunTestsToolOptions): LoopTool {
  const timeoutSeconds = options.policy.test_timeout_seconds;
  return {
    definition: {
      name: 'run_tests',
      description:
        `Runs this project's test command, \`${options.testCommand}\`, in /repo and returns its output and exit code. ` +
        'It runs that command and nothing else: there is no shell in this run, and the input cannot change what runs. ' +
        'Use it to see a test fail before your fix and pass after it. Read and edit files with str_replace_based_edit_tool.',
      input_schema: {
        type: 'object',
        properties: {
          note: { type: 'string', description: 'Optional: why you are running the tests now. It is only logged; it does not change what runs.' },
        },
        additionalProperties: false,
      },
    },
    readOnly: false,
    async run(raw, { signal }): Promise<ToolOutput> {
      const parsed = inputSchema.safeParse(raw ?? {});
      if (!parsed.success) {
        return { content: `run_tests takes no command, only an optional \`note\`; it always runs \`${options.testCommand}\`.`, isError: true };
      }
      try {
        const result = await options.sandbox.run({
          command: options.testCommand,
          worktree: options.worktree,
          network: false,
          timeoutMs: timeoutSeconds * 1000,
          signal,
        });
        if (signal.aborted) return { content: 'Stopped: the run was cancelled while the tests ran.', isError: true };
        return commandAnswer(result, { timeoutSeconds, setting: 'sandbox.test_timeout_seconds' });
      } catch (error) {
        return commandFailed(error);
      }
    },
  };
}
