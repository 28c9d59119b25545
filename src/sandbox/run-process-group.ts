import { spawn, type StdioOptions } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { inheritedDescriptors } from './inherited-descriptors.ts';
import { createOutputCapture } from './output-capture.ts';
import { SandboxError } from './sandbox-error.ts';
import type { SandboxResult } from './sandbox.ts';

export interface ProcessGroupSpec {
  file: string;
  args: string[];
  cwd?: string;
  /** The child's whole environment. */
  env: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Output kept, head and tail. */
  outputBytes: number;
  /** Written to the child's fds 3, 4, … and closed: bwrap's --ro-bind-data reads files from them. */
  inputs?: string[];
}

// After the main process exits, what still holds its pipes has been killed; this long for them to close.
const PIPE_GRACE_MS = 1000;
// An inherited descriptor is covered by a stdio slot of its number; past this, refuse rather than build the list.
const MAX_COVERED_FD = 65_535;

/**
 * stdio for the child: /dev/null, two pipes, the input pipes, and /dev/null over every descriptor
 * Baton inherited without close-on-exec (libuv leaves an `ignore` slot above 2 as it was, so each
 * one is covered by a slot of its own number). Returns the /dev/null descriptor to close once spawned.
 */
async function childStdio(file: string, inputs: number): Promise<{ stdio: StdioOptions; devNull: number | undefined }> {
  let inherited: number[];
  try {
    inherited = (await inheritedDescriptors()).filter((fd) => fd >= 3 + inputs);
  } catch (error) {
    throw new SandboxError('sandbox_spawn_failed', `could not list this process's open descriptors before starting ${file}: ${(error as Error).message}`, { cause: error });
  }
  const stdio: ('ignore' | 'pipe' | number)[] = ['ignore', 'pipe', 'pipe', ...Array.from({ length: inputs }, () => 'pipe' as const)];
  if (inherited.length === 0) return { stdio, devNull: undefined };
  const highest = inherited.at(-1)!;
  if (highest > MAX_COVERED_FD) {
    throw new SandboxError('sandbox_spawn_failed', `Baton inherited descriptor ${highest} open without close-on-exec; start it without it, so that it cannot reach ${file}`);
  }
  const devNull = openSync('/dev/null', 'r');
  const covered = new Set(inherited);
  for (let fd = stdio.length; fd <= highest; fd++) stdio.push(covered.has(fd) ? devNull : 'ignore');
  return { stdio, devNull };
}

/**
 * Spawns a command as the leader of a new session and process group and kills the whole group with
 * SIGKILL at the timeout, on abort, and once the leader exits (a background child left holding the
 * pipes would otherwise keep the call open until the timeout). Output of stdout and stderr is
 * collected in arrival order, bounded.
 */
export async function runProcessGroup(spec: ProcessGroupSpec): Promise<SandboxResult> {
  const inputs = spec.inputs ?? [];
  const { stdio, devNull } = await childStdio(spec.file, inputs.length);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const capture = createOutputCapture(spec.outputBytes);
    let child;
    try {
      child = spawn(spec.file, spec.args, { cwd: spec.cwd, env: spec.env, stdio, detached: true });
    } finally {
      // The child has its copies now; this one is close-on-exec and only Baton's.
      if (devNull !== undefined) closeSync(devNull);
    }
    let timedOut = false;
    let exit: { code: number | null; signal: string | null } | undefined;
    let grace: NodeJS.Timeout | undefined;

    const killGroup = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch (error) {
        // ESRCH: nothing is left in the group, which is the point.
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ESRCH') capture.write(Buffer.from(`\n[baton: could not kill the command's process group: ${code}]\n`));
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, spec.timeoutMs);
    const onAbort = () => killGroup();
    spec.signal?.addEventListener('abort', onAbort, { once: true });

    child.on('error', (error: NodeJS.ErrnoException) => {
      if (child.pid !== undefined) return; // a failed kill after start; the exit still comes
      clearTimeout(timer);
      spec.signal?.removeEventListener('abort', onAbort);
      const notFound = error.code === 'ENOENT';
      reject(
        new SandboxError(
          notFound ? 'sandbox_not_found' : 'sandbox_spawn_failed',
          notFound ? `${spec.file} was not found` : `could not start ${spec.file}: ${error.message}`,
          { cause: error },
        ),
      );
    });
    if (child.pid === undefined) return;

    inputs.forEach((content, i) => {
      const stream = child.stdio[3 + i] as Writable;
      // EPIPE: the child died before reading (bwrap failing to start says why on stderr).
      stream.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EPIPE') capture.write(Buffer.from(`\n[baton: could not pass input ${i}: ${error.message}]\n`));
      });
      stream.end(content);
    });
    child.stdout!.on('data', (chunk: Buffer) => capture.write(chunk));
    child.stderr!.on('data', (chunk: Buffer) => capture.write(chunk));
    if (spec.signal?.aborted) killGroup();

    child.on('exit', (code, signal) => {
      exit = { code, signal };
      clearTimeout(timer);
      killGroup();
      grace = setTimeout(() => {
        child.stdout!.destroy();
        child.stderr!.destroy();
      }, PIPE_GRACE_MS);
    });
    child.on('close', () => {
      clearTimeout(timer);
      clearTimeout(grace);
      spec.signal?.removeEventListener('abort', onAbort);
      const { text, omittedBytes } = capture.result();
      resolve({
        exitCode: exit?.code ?? null,
        signal: exit?.signal ?? null,
        timedOut,
        output: text,
        omittedBytes,
        durationMs: Math.round(performance.now() - started),
      });
    });
  });
}
