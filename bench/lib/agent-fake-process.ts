import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface FakeProcess {
  url: string;
  /** Requests the fake answered so far, and where the scripted fix did not go as scripted. */
  report(): Promise<{ requests: number; divergences: string[] }>;
  stop(): Promise<void>;
}

/** Starts bench/lib/agent-fake-child.ts: FakeAnthropic answering a `turns`-call scripted fix, in its own process. */
export async function startFakeProcess(turns: number, minCacheableTokens: number): Promise<FakeProcess> {
  const entry = new URL('./agent-fake-child.ts', import.meta.url).pathname;
  const child = spawn(process.execPath, ['--import', 'tsx', entry, String(turns), String(minCacheableTokens)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  lines.on('line', (line) => waiting.shift()?.(line));
  const next = (): Promise<string> =>
    new Promise((resolve, reject) => {
      waiting.push(resolve);
      void exited.then(() => reject(new Error('the fake Anthropic process exited')));
    });
  const { url } = JSON.parse(await next()) as { url: string };
  return {
    url,
    async report() {
      const answer = next();
      child.stdin.write('report\n');
      return JSON.parse(await answer) as { requests: number; divergences: string[] };
    },
    async stop() {
      child.stdin.end();
      await exited;
    },
  };
}
