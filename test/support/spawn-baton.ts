import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

export interface BatonProcess {
  url: string;
  /** Baton's own process id, from its "Baton is up" line: not child.pid when a launcher (npm, a shell) sits in between. */
  pid: number;
  child: ChildProcess;
  /** Everything the process wrote (JSON log lines and plain errors). */
  output: string[];
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Runs the real CLI (`baton start`) as a separate process and waits until it says it is up.
 * `command` runs something else that starts Baton (`npm start`, a shell), as a supervisor would.
 */
export async function spawnBaton(options: {
  env: Record<string, string>;
  cwd: string;
  args?: string[];
  command?: [string, ...string[]];
  timeoutMs?: number;
}): Promise<BatonProcess> {
  const [file, ...argv] = options.command ?? [process.execPath, '--max-semi-space-size=4', '--import', TSX, CLI, 'start', ...(options.args ?? [])];
  const child = spawn(file, argv, {
    cwd: options.cwd,
    // Only what the test gives: nothing of the developer's environment leaks in.
    env: { PATH: process.env.PATH ?? '', HOME: options.cwd, PORT: '0', LOG_PRETTY: 'false', LOCAL_MODE: 'off', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const up = await new Promise<{ url: string; pid: number }>((resolve, reject) => {
    const timer = setTimeout(() => {
      // A process left running would keep the test file (and the whole suite) from ending.
      child.kill('SIGKILL');
      reject(new Error(`Baton did not come up within ${(options.timeoutMs ?? 90_000) / 1000} s:\n${output.join('')}`));
    }, options.timeoutMs ?? 90_000);
    // A chunk may end mid-line: each stream keeps its unfinished line until the rest arrives.
    const onData = (stream: { pending: string }) => (chunk: Buffer): void => {
      const lines = (stream.pending + chunk.toString()).split('\n');
      stream.pending = lines.pop()!;
      for (const line of lines.filter(Boolean)) {
        output.push(`${line}\n`);
        if (/"msg":"Baton is up"/.test(line)) {
          const { port, pid } = JSON.parse(line) as { port: number; pid: number };
          clearTimeout(timer);
          resolve({ url: `http://127.0.0.1:${port}`, pid });
        }
      }
    };
    child.stdout!.on('data', onData({ pending: '' }));
    child.stderr!.on('data', onData({ pending: '' }));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`Baton exited with ${code} before it was up:\n${output.join('')}`));
    });
  });
  return {
    ...up,
    child,
    output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
}
