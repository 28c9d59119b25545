/**
 * Runs untrusted commands (the agent's bash tool, the install step, Baton's own test runs) with the
 * run's worktree at /repo. The bubblewrap implementation confines them; the unsandboxed one exists
 * only for hosts where bubblewrap cannot run and baton.yml allows it, and says so (`sandboxed`).
 */
export interface SandboxCommand {
  /** A shell command line, run by `/bin/sh -c` with /repo as the working directory. */
  command: string;
  /** The worktree on the host; mounted read-write at /repo. Nothing else of Baton's is visible. */
  worktree: string;
  /** Only the install step may have the network, when baton.yml allows it. */
  network: boolean;
  /** Wall-clock limit; the whole process group is killed when it passes. */
  timeoutMs: number;
  /** Extra variables on top of the allowlisted base environment (PATH, HOME, LANG, CI=1, …). */
  env?: Record<string, string>;
  signal?: AbortSignal;
}

export interface SandboxResult {
  exitCode: number | null;
  /** Set when the process was killed (timeout, abort). */
  signal: string | null;
  timedOut: boolean;
  /** stdout and stderr interleaved as they arrived, truncated head-and-tail at the output cap. */
  output: string;
  /** Bytes left out of `output` by truncation (0 when it is whole). */
  omittedBytes: number;
  durationMs: number;
}

export interface Sandbox {
  /** False for the unsandboxed fallback: threads then say loudly that commands ran without confinement. */
  readonly sandboxed: boolean;
  run(command: SandboxCommand): Promise<SandboxResult>;
}
