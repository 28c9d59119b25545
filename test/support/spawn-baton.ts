import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

export interface BatonProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote (JSON log lines and plain errors). */
  output: string[];
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs the real CLI (`baton start`) as a separate process and waits until it says it is up. */
export async function spawnBaton(options: { env: Record<string, string>; cwd: string; args?: string[]; timeoutMs?: number }): Promise<BatonProcess> {
  const child = spawn(process.execPath, ['--import', TSX, CLI, 'start', ...(options.args ?? [])], {
    cwd: options.cwd,
    // Only what the test gives: nothing of the developer's environment leaks in.
    env: { PATH: process.env.PATH ?? '', HOME: options.cwd, PORT: '0', LOG_PRETTY: 'false', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // A process left running would keep the test file (and the whole suite) from ending.
      child.kill('SIGKILL');
      reject(new Error(`Baton did not come up within ${(options.timeoutMs ?? 90_000) / 1000} s:\n${output.join('')}`));
    }, options.timeoutMs ?? 90_000);
    const onData = (chunk: Buffer): void => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        output.push(`${line}\n`);
        const port = /"msg":"Baton is up"/.test(line) ? (JSON.parse(line) as { port: number }).port : undefined;
        if (port) {
          clearTimeout(timer);
          resolve(`http://127.0.0.1:${port}`);
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`Baton exited with ${code} before it was up:\n${output.join('')}`));
    });
  });
  return {
    url,
    child,
    output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
}
