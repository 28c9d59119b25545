import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SandboxResult } from '../../src/sandbox/sandbox.ts';
import { fakeHost } from './sandbox-fixtures.ts';

/*
 * Node opens its own descriptors close-on-exec, but not the ones it inherits: whatever started
 * Baton (a supervisor, a shell, a test runner) may have left some open, and they would pass through
 * bwrap into the sandbox. A directory descriptor there is a way out of every mount: through
 * /proc/self/fd/N/ the command reads the host directory it names, data directory included.
 */

const CHILD = fileURLToPath(new URL('./inherited-fd-child.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');
// Above bwrap's own input descriptors (3, 4, 5), and a high one.
const LEAKED = [7, 40];

/** Runs `command` in a fresh Baton-like process that inherited `dir` open on each of LEAKED, without close-on-exec. */
async function runWithInheritedDir(
  kind: 'bwrap' | 'host',
  worktree: string,
  dir: string,
  command: string,
): Promise<{ result: SandboxResult; held: Record<string, string> }> {
  const fd = openSync(dir, 'r');
  try {
    const stdio: ('ignore' | 'pipe' | number)[] = ['ignore', 'pipe', 'pipe'];
    for (let i = 3; i <= Math.max(...LEAKED); i++) stdio.push(LEAKED.includes(i) ? fd : 'ignore');
    const child = spawn(process.execPath, ['--import', TSX, CHILD, kind, worktree, command], { stdio });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => err.push(chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0, Buffer.concat(err).toString());
    return JSON.parse(Buffer.concat(out).toString()) as { result: SandboxResult; held: Record<string, string> };
  } finally {
    closeSync(fd);
  }
}

const PROBE = LEAKED.map((n) => `cat /proc/self/fd/${n}/baton.key && echo "READ THROUGH ${n}"`).join('; ') + '; ls -l /proc/self/fd';

for (const kind of ['bwrap', 'host'] as const) {
  test(`descriptors Baton inherited do not reach commands (${kind}): the data directory stays out of reach through /proc/self/fd`, async (t) => {
    const host = await fakeHost();
    t.after(host.cleanup);
    const { result, held } = await runWithInheritedDir(kind, host.worktree, host.data, PROBE);
    // The setup is real: the process running the sandbox holds the data directory open on the high descriptor.
    assert.equal(held[String(LEAKED[1])], host.data, JSON.stringify(held));
    assert.doesNotMatch(result.output, /READ THROUGH/, result.output);
    assert.ok(!result.output.includes(host.secret), result.output);
    assert.ok(!result.output.includes(host.data), `an inherited descriptor names the data directory:\n${result.output}`);
  });
}
