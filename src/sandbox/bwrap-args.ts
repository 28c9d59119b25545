import type { SandboxPolicy } from '../policy.ts';
import type { HostLayout } from './host-layout.ts';
import { sandboxEnv } from './sandbox-env.ts';
import type { SandboxCommand } from './sandbox.ts';

export const SANDBOX_UID = 1000;
export const SANDBOX_HOME = '/home/sandbox';
const MIB = 1024 * 1024;
// Docker's default /dev/shm size: enough for semaphores and small shared buffers.
const SHM_MAX_BYTES = 64 * MIB;

// Needed by the toolchain (alternatives: awk, editor links; ld.so: library lookup). Only
// world-readable pieces: when Baton runs as root, the sandbox's uid maps to root outside and
// reads what root owns, so /etc as a whole (shadow, ssl/private) is never bound.
const ETC_ALWAYS = ['/etc/alternatives', '/etc/ld.so.cache', '/etc/ld.so.conf', '/etc/ld.so.conf.d', '/etc/localtime', '/etc/nsswitch.conf'];
const ETC_NETWORK = ['/etc/resolv.conf', '/etc/hosts', '/etc/gai.conf', '/etc/ssl/certs', '/etc/ssl/openssl.cnf', '/etc/ca-certificates'];

/**
 * bwrap's argument list for one command, and the contents of the small files it writes (passed on
 * fds 3, 4, …). Order matters: bwrap applies mounts in order, and `--remount-ro /` last makes
 * the root (bwrap's own tmpfs) read-only, so only /repo, /tmp, HOME and /dev/shm take writes.
 */
export function bwrapArgs(
  layout: HostLayout,
  command: SandboxCommand,
  policy: SandboxPolicy,
  /** The worktree has a .git file or directory (checked on the host; never a symlink). */
  hasGit: boolean,
): { args: string[]; inputs: string[] } {
  const inputs: string[] = [];
  const dataFile = (path: string, content: string) => {
    inputs.push(content);
    return ['--ro-bind-data', String(2 + inputs.length), path];
  };
  const tmpfsBytes = String(policy.tmpfs_mib * MIB);
  const env = sandboxEnv({ path: layout.path, home: SANDBOX_HOME, policy, command });
  const args = [
    '--unshare-all',
    '--unshare-user',
    ...(command.network ? ['--share-net'] : []),
    '--uid', String(SANDBOX_UID),
    '--gid', String(SANDBOX_UID),
    '--hostname', 'sandbox',
    '--cap-drop', 'ALL',
    '--die-with-parent',
    // setsid: the command cannot reach a terminal of Baton's (TIOCSTI).
    '--new-session',
    ...layout.readOnly.flatMap((dir) => ['--ro-bind', dir, dir]),
    ...layout.symlinks.flatMap(({ path, target }) => ['--symlink', target, path]),
    ...[...ETC_ALWAYS, ...(command.network ? ETC_NETWORK : [])].flatMap((path) => ['--ro-bind-try', path, path]),
    ...dataFile('/etc/passwd', `root:x:0:0::/root:/bin/sh\nsandbox:x:${SANDBOX_UID}:${SANDBOX_UID}:Baton sandbox:${SANDBOX_HOME}:/bin/sh\n`),
    ...dataFile('/etc/group', `root:x:0:\nsandbox:x:${SANDBOX_UID}:\n`),
    // Without the network, tests that listen on localhost still need the name.
    ...(command.network ? [] : dataFile('/etc/hosts', '127.0.0.1 localhost sandbox\n::1 localhost ip6-localhost ip6-loopback\n')),
    // A fresh procfs of the new pid namespace: the host's /proc would show Baton's own environ.
    '--proc', '/proc',
    '--dev', '/dev',
    '--size', String(Math.min(policy.tmpfs_mib * MIB, SHM_MAX_BYTES)), '--tmpfs', '/dev/shm',
    '--remount-ro', '/dev',
    '--size', tmpfsBytes, '--tmpfs', '/tmp',
    '--size', tmpfsBytes, '--tmpfs', SANDBOX_HOME,
    '--bind', command.worktree, '/repo',
    // A linked worktree's .git names the mirror's directory, which Baton's own git later follows:
    // a command that rewrote it could point Baton's git at a config of its making.
    ...(hasGit ? ['--ro-bind', `${command.worktree}/.git`, '/repo/.git'] : []),
    '--remount-ro', '/',
    '--chdir', '/repo',
    '--clearenv',
    ...Object.entries(env).flatMap(([name, value]) => ['--setenv', name, value]),
    '--',
    // One stream, as a terminal shows it: stderr joins stdout for the whole script.
    '/bin/sh', '-c', `exec 2>&1\n${command.command}`,
  ];
  return { args, inputs };
}
