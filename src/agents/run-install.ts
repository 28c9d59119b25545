import type { SandboxPolicy } from '../policy.ts';
import type { Sandbox, SandboxResult } from '../sandbox/sandbox.ts';

/** The end of a failing command's output quoted in a reason a person (or the agent) reads. */
const TAIL_LINES = 20;
const TAIL_CHARS = 1500;

export function outputTail(output: string): string {
  const lines = output.trimEnd().split('\n').slice(-TAIL_LINES).join('\n');
  return lines.length > TAIL_CHARS ? `…${lines.slice(-TAIL_CHARS)}` : lines;
}

export interface InstallInput {
  /** repos.<r>.install. */
  command: string;
  worktree: string;
  /** Only the base commit's install may have the network (sandbox.install_network); a change's never. */
  network: boolean;
  policy: Pick<SandboxPolicy, 'install_timeout_seconds'>;
  signal: AbortSignal;
}

export type InstallResult =
  | { ok: true; result: SandboxResult }
  /** `how` is "exited 1" or "did not finish within 900 s"; `tail` the end of its output. */
  | { ok: false; how: string; tail: string; result: SandboxResult };

/** The repository's install command in the sandbox at /repo. Throws the abort when `signal` fired. */
export async function runInstall(input: InstallInput, sandbox: Sandbox): Promise<InstallResult> {
  const seconds = input.policy.install_timeout_seconds;
  const result = await sandbox.run({ command: input.command, worktree: input.worktree, network: input.network, timeoutMs: seconds * 1000, signal: input.signal });
  input.signal.throwIfAborted();
  if (!result.timedOut && result.exitCode === 0) return { ok: true, result };
  const how = result.timedOut ? `did not finish within ${seconds} s (sandbox.install_timeout_seconds)` : `exited ${result.exitCode ?? `on ${result.signal}`}`;
  return { ok: false, how, tail: outputTail(result.output), result };
}
