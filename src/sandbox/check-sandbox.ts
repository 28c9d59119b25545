import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SandboxError } from './sandbox-error.ts';
import type { Sandbox } from './sandbox.ts';

export type SandboxCheck = { ok: true } | { ok: false; reason: string };

const MARKER = 'baton-sandbox-check';
const TIMEOUT_MS = 20_000;
// Prints the uid, the effective capabilities and the network interfaces the command sees.
const PROBE = `id -u; grep '^CapEff:' /proc/self/status; tail -n +3 /proc/net/dev | cut -d: -f1; echo ${MARKER}`;

const USERNS_HELP =
  'user namespaces were refused. On the host: sysctl user.max_user_namespaces must be above 0 (and ' +
  'kernel.unprivileged_userns_clone=1 on older Debian); on Ubuntu 23.10+ kernel.apparmor_restrict_unprivileged_userns=1 ' +
  'needs an AppArmor profile that allows userns for bwrap. In Docker, run the container with ' +
  '--security-opt seccomp=unconfined --security-opt apparmor=unconfined --security-opt systempaths=unconfined ' +
  '(the default seccomp profile refuses the clone bwrap needs, docker-default AppArmor refuses its mounts)';

/** Turns bwrap's own error line into something a person can act on. */
function explain(output: string): string {
  const line = output.split('\n').find((l) => l.startsWith('bwrap:'))?.trim() ?? output.trim().split('\n').slice(-3).join(' ');
  if (/Unknown option/i.test(line)) {
    return `bubblewrap is too old (${line}): Baton needs 0.8 or later (--size), as in Debian 12's package bubblewrap`;
  }
  if (/setuid mode/i.test(line)) {
    return `this bwrap is installed setuid (${line}): use a bubblewrap that is not setuid, with unprivileged user namespaces allowed`;
  }
  if (/Can't mount proc/i.test(line)) {
    return `bubblewrap cannot mount /proc (${line}): the container masks paths under /proc; run it with --security-opt systempaths=unconfined`;
  }
  if (/namespace|uid map|setting up uid|Operation not permitted|Permission denied|make \/ slave/i.test(line)) {
    return `bubblewrap could not start (${line}): ${USERNS_HELP}`;
  }
  return `bubblewrap could not run a test command: ${line || 'no output'}`;
}

/**
 * Runs a real command under the sandbox at start-up, in a throwaway directory: it must run, and
 * when the sandbox claims confinement, as a non-root uid with no capabilities and no network
 * interface but loopback. Reasons name the fix, since the person reading them runs the host.
 */
export async function checkSandbox(sandbox: Sandbox): Promise<SandboxCheck> {
  const dir = await mkdtemp(join(tmpdir(), 'baton-sandbox-check-'));
  try {
    const result = await sandbox.run({ command: PROBE, worktree: dir, network: false, timeoutMs: TIMEOUT_MS });
    if (result.timedOut) return { ok: false, reason: `the sandbox check did not finish within ${TIMEOUT_MS / 1000} s` };
    const lines = result.output.split('\n').map((l) => l.trim());
    if (result.exitCode !== 0 || !lines.includes(MARKER)) return { ok: false, reason: explain(result.output) };
    if (!sandbox.sandboxed) return { ok: true };
    const uid = Number(lines[0]);
    if (!Number.isInteger(uid) || uid === 0) return { ok: false, reason: `sandboxed commands run as uid ${lines[0]}, not as an unprivileged user` };
    const capEff = lines[1]?.split(/\s+/)[1];
    if (capEff === undefined || !/^0+$/.test(capEff)) return { ok: false, reason: `sandboxed commands keep capabilities (CapEff ${capEff ?? 'unknown'})` };
    const interfaces = lines.slice(2, lines.indexOf(MARKER)).filter((name) => name !== '' && name !== 'lo');
    if (interfaces.length > 0) return { ok: false, reason: `sandboxed commands see network interfaces: ${interfaces.join(', ')}` };
    return { ok: true };
  } catch (error) {
    if (error instanceof SandboxError && error.code === 'sandbox_not_found') {
      return { ok: false, reason: `bubblewrap is not installed (${error.message}): install the Debian package bubblewrap (apt-get install bubblewrap)` };
    }
    if (error instanceof SandboxError) return { ok: false, reason: error.message };
    throw error;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
