import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { SandboxPolicy } from '../policy.ts';
import { nodeInstall } from './node-install.ts';
import { runProcessGroup } from './run-process-group.ts';
import { sandboxEnv, sandboxPath } from './sandbox-env.ts';
import { SandboxError } from './sandbox-error.ts';
import type { Sandbox, SandboxCommand, SandboxResult } from './sandbox.ts';

/**
 * The fallback where bubblewrap cannot run and baton.yml says `run_unsandboxed`: the same
 * allowlisted environment, timeout, process-group kill and output cap, with no confinement at all
 * (the command sees the whole host as Baton's user, and the network). A process that starts its
 * own session escapes the group kill here; only the pid namespace of the real sandbox catches it.
 */
export function createHostRunner(options: { policy: SandboxPolicy }): Sandbox {
  const path = sandboxPath(nodeInstall(process.execPath).binDir);
  return {
    sandboxed: false,
    async run(command: SandboxCommand): Promise<SandboxResult> {
      if (!isAbsolute(command.worktree)) {
        throw new SandboxError('invalid_command', `the worktree must be an absolute path, not ${command.worktree}`);
      }
      // A fresh HOME per command, so tools' caches and config do not pile up in Baton's own.
      const home = await mkdtemp(join(tmpdir(), 'baton-home-'));
      try {
        return await runProcessGroup({
          file: '/bin/sh',
          args: ['-c', `exec 2>&1\n${command.command}`],
          cwd: command.worktree,
          env: sandboxEnv({ path, home, policy: options.policy, command }),
          timeoutMs: command.timeoutMs,
          signal: command.signal,
          outputBytes: options.policy.output_kib * 1024,
        });
      } finally {
        await rm(home, { recursive: true, force: true });
      }
    },
  };
}
