import { Worker } from 'node:worker_threads';
import type { SlashRequest } from './signed-slash-requests.ts';

export interface OpenLoopInput {
  url: string;
  /** Requests per second; request i is due at i / rate seconds after the start. */
  rate: number;
  requests: SlashRequest[];
  /** A request with no complete response after this counts as failed (status 0). */
  timeoutMs: number;
}

export interface Sample {
  key: string;
  warmup: boolean;
  /** HTTP status; 0 when the request failed without one. */
  status: number;
  body: string;
  /** From just before the request was written to the last byte of the response. */
  ms: number;
  /** How late the request left against its schedule (the generator falling behind). */
  lagMs: number;
  error?: string;
}

/**
 * Sends `requests` open-loop (on schedule, whatever is still outstanding) from a worker thread, so
 * the generator keeps time even while the server under test, in this thread, is busy.
 */
export function runOpenLoop(input: OpenLoopInput): Promise<Sample[]> {
  return new Promise((resolve, reject) => {
    // Node 20 does not apply the parent's `--import tsx` hooks to a worker's entry, so the worker
    // registers tsx itself before importing the TypeScript entry.
    const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
    const entry = JSON.stringify(new URL('./open-loop-worker.ts', import.meta.url).href);
    const bootstrap = `import(${tsx}).then((tsx) => { tsx.register(); return import(${entry}); })`;
    const worker = new Worker(bootstrap, { eval: true, execArgv: [], workerData: input });
    let samples: Sample[] | undefined;
    worker.once('message', (message: Sample[]) => (samples = message));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (samples) resolve(samples);
      else reject(new Error(`the load generator exited with code ${code} before reporting`));
    });
  });
}
