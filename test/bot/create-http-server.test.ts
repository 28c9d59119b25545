import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import pino from 'pino';
import { createHttpServer } from '../../src/bot/create-http-server.ts';

let server: Server;
let baseUrl: string;

before(async () => {
  server = createHttpServer({
    slack: undefined,
    webhooks: {
      linear: (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ route: 'linear' }));
      },
    },
    readiness: async () => ({ ready: true, checks: {} }),
    log: pino({ level: 'silent' }),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

test('a configured webhook route reaches its handler', async () => {
  const response = await fetch(`${baseUrl}/webhooks/linear`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(10_000) });
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { route: 'linear' });
});

// Names every plain object inherits: looked up on the routes object they found a function (or
// Object.prototype) that never answered, so the request hung until the client gave up.
for (const name of ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__', 'jira']) {
  test(`/webhooks/${name}, which is not a configured route, answers 404`, async () => {
    // The timeout only turns a hang into a failure; nothing here measures how fast the answer came.
    const response = await fetch(`${baseUrl}/webhooks/${name}`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(10_000) });
    assert.equal(response.status, 404);
    assert.deepEqual(await response.json(), { error: 'not_found' });
  });
}
