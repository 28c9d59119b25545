import { lstat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { SandboxPolicy } from '../policy.ts';
import { bwrapArgs } from './bwrap-args.ts';
import { readHostLayout } from './host-layout.ts';
import { runProcessGroup } from './run-process-group.ts';
import { SandboxError } from './sandbox-error.ts';
import type { Sandbox, SandboxCommand, SandboxResult } from './sandbox.ts';

/**
 * Runs each command under bubblewrap: its own user, pid, network, ipc and uts namespaces, an
 * unprivileged uid with no capabilities, the system read-only, the worktree at /repo, capped
 * tmpfs for /tmp and HOME, and an environment built from an allowlist. bwrap leads the process
 * group Baton kills at the timeout; as the pid namespace's parent, its death takes every process
 * inside with it (--die-with-parent, then the kernel on the namespace's init).
 */
export function createBwrapSandbox(options: { policy: SandboxPolicy; bwrapPath?: string }): Sandbox {
  const bwrapPath = options.bwrapPath ?? 'bwrap';
  const layout = readHostLayout(process.execPath);
  return {
    sandboxed: true,
    async run(command: SandboxCommand): Promise<SandboxResult> {
      if (!isAbsolute(command.worktree)) {
        throw new SandboxError('invalid_command', `the worktree must be an absolute path, not ${command.worktree}`);
      }
      const git = await lstat(join(command.worktree, '.git')).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined; // not a git checkout: nothing to protect
        throw error;
      });
      // bwrap follows a symlink's source on the host: binding it would show whatever it points at.
      // No git checkout has one, so something wrote it; refuse rather than guess.
      if (git?.isSymbolicLink()) {
        throw new SandboxError('invalid_command', `${command.worktree}/.git is a symlink; refusing to run in that worktree`);
      }
      const { args, inputs } = bwrapArgs(layout, command, options.policy, git !== undefined);
      return runProcessGroup({
        file: bwrapPath,
        args,
        // bwrap itself needs nothing of Baton's environment; PATH only to find it by name.
        env: { PATH: layout.path },
        timeoutMs: command.timeoutMs,
        signal: command.signal,
        outputBytes: options.policy.output_kib * 1024,
        inputs,
      });
    },
  };
}
