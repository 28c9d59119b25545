// Worker-thread entry for runOpenLoop: its own event loop and keep-alive HTTP agent.
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OpenLoopInput, Sample } from './run-open-loop.ts';
import type { SlashRequest } from './signed-slash-requests.ts';

const input = workerData as OpenLoopInput;
const url = new URL(input.url);
const agent = new Agent({ keepAlive: true });

function send(req: SlashRequest, lagMs: number): Promise<Sample> {
  return new Promise((resolve) => {
    const start = performance.now();
    const done = (status: number, body: string, error?: string): void =>
      resolve({ key: req.key, warmup: req.warmup, status, body, ms: performance.now() - start, lagMs, ...(error ? { error } : {}) });
    const outgoing = request(url, { method: 'POST', agent, headers: req.headers, timeout: input.timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
      res.on('error', (error) => done(0, '', error.message));
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no response within ${input.timeoutMs} ms`)));
    outgoing.on('error', (error) => done(0, '', error.message));
    outgoing.end(req.body);
  });
}

const intervalMs = 1000 / input.rate;
const pending: Promise<Sample>[] = [];
const t0 = performance.now();
for (const [i, req] of input.requests.entries()) {
  const due = t0 + i * intervalMs;
  const wait = due - performance.now();
  if (wait > 0.5) await sleep(wait);
  pending.push(send(req, Math.max(0, performance.now() - due)));
}
const samples = await Promise.all(pending);
agent.destroy();
parentPort!.postMessage(samples);
