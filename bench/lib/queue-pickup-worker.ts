// The worker process of bench/queue-pickup.ts: a Queue on its own pool that runs `intake.event`
// jobs and tells the parent, over IPC, when each handler started (wall clock, sub-millisecond).
// argv: url schema pollSeconds listen(0|1)
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { createPool } from '../../src/db/pool.ts';
import { createQueue } from '../../src/jobs/queue.ts';

const [url, schema, pollSeconds, listen] = process.argv.slice(2);
if (!url || !schema || !pollSeconds || !listen || !process.send) {
  console.error('queue-pickup-worker: usage: <url> <schema> <pollSeconds> <listen 0|1>, started with an IPC channel');
  process.exit(2);
}
const send = process.send.bind(process);
const pool = createPool({ url, schema });
const queue = createQueue({ pool, schema: `${schema}_jobs`, pollIntervalSeconds: Number(pollSeconds), log: pino({ level: 'warn' }), supervise: false, listen: listen === '1' });
await queue.start();
await queue.work('intake.event', async (payload) => {
  send({ type: 'started', deliveryId: payload.deliveryId, at: performance.timeOrigin + performance.now() });
});
if (listen === '1') {
  while (!queue.listening) await new Promise((r) => setTimeout(r, 10));
}
send({ type: 'ready' });
process.on('message', (message: { type?: string }) => {
  if (message.type !== 'stop') return;
  void queue
    .stop(5)
    .then(() => pool.end())
    .then(() => process.disconnect());
});
