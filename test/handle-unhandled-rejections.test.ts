import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { createRejectionHandler, isConnectionLoss } from '../src/handle-unhandled-rejections.ts';
import { createLogger } from '../src/logger.ts';

const run = promisify(execFile);

/** A port nothing listens on: taken, then let go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** What node-postgres rejects with when nothing answers, as pg-boss's unawaited complete() would. */
async function refusedQuery(): Promise<unknown> {
  const pool = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${await closedPort()}/postgres`, connectionTimeoutMillis: 2000 });
  try {
    return await pool.query('SELECT 1').then(() => assert.fail('a query to a closed port succeeded'), (error: unknown) => error);
  } finally {
    await pool.end();
  }
}

/** What node-postgres rejects with when the server ends the session: a server that accepts and hangs up at once. */
async function terminatedQuery(): Promise<unknown> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${(server.address() as AddressInfo).port}/postgres` });
  client.on('error', () => undefined);
  try {
    return await client.connect().then(() => assert.fail('a session with a server that hangs up opened'), (error: unknown) => error);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

function capture(): { lines: () => { level: number; msg: string; err?: { message: string } }[]; log: ReturnType<typeof createLogger> } {
  const written: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written.push(chunk.toString());
      done();
    },
  });
  const log = createLogger({ level: 'info', pretty: false, secrets: [], destination });
  return { log, lines: () => written.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { level: number; msg: string }) };
}

test('a refused or ended database connection is a connection loss; a bug is not', async () => {
  assert.equal(isConnectionLoss(await refusedQuery()), true);
  assert.equal(isConnectionLoss(await terminatedQuery()), true);
  assert.equal(isConnectionLoss(new Error('wrapped', { cause: await refusedQuery() })), true);
  assert.equal(isConnectionLoss(new TypeError("Cannot read properties of undefined (reading 'id')")), false);
  assert.equal(isConnectionLoss('a string'), false);
  assert.equal(isConnectionLoss(undefined), false);
});

test('connection losses are logged once per cause and outage, and the process is not ended', async () => {
  const { log, lines } = capture();
  const exits: number[] = [];
  let now = 0;
  const handle = createRejectionHandler({ log, exit: (code) => exits.push(code), now: () => now });
  const refused = await refusedQuery();
  handle(refused);
  handle(refused);
  now += 5_000;
  handle(await terminatedQuery());
  // A minute without it: a new outage, said again.
  now += 61_000;
  handle(refused);
  assert.deepEqual(exits, []);
  const errors = lines().filter((l) => l.level === 50);
  assert.equal(errors.length, 3, JSON.stringify(lines()));
  assert.match(errors[0]!.err!.message, /ECONNREFUSED/);
  assert.match(errors[1]!.err!.message, /Connection terminated/);
});

test('any other unhandled rejection is logged as fatal and ends the process with code 1', async () => {
  const { log, lines } = capture();
  const exited = new Promise<number>((resolve) => {
    createRejectionHandler({ log, exit: resolve })(new TypeError("Cannot read properties of undefined (reading 'id')"));
  });
  assert.equal(await exited, 1);
  assert.deepEqual(lines().map((l) => [l.level, l.err?.message]), [[60, "Cannot read properties of undefined (reading 'id')"]]);
});

test('installed in a process: it outlives a rejection nobody handles from a lost database, and still exits on a bug', async () => {
  const module = fileURLToPath(new URL('../src/handle-unhandled-rejections.ts', import.meta.url));
  const logger = fileURLToPath(new URL('../src/logger.ts', import.meta.url));
  const script = (rejection: string): string => `
    const { handleUnhandledRejections } = await import(${JSON.stringify(module)});
    const { createLogger } = await import(${JSON.stringify(logger)});
    const pg = (await import('pg')).default;
    handleUnhandledRejections(createLogger({ level: 'info', pretty: false, secrets: [] }));
    ${rejection}
    setTimeout(() => { console.log('still running'); process.exit(0); }, 1500);`;
  const port = await closedPort();
  // As pg-boss's work loop does: a query's promise dropped, not awaited.
  const lost = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e',
    script(`const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:${port}/postgres' }); void pool.query('SELECT 1');`)]);
  assert.match(lost.stdout, /ECONNREFUSED/);
  assert.match(lost.stdout, /still running/);
  const bug = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script("void Promise.reject(new TypeError('a bug'));")])
    .then(() => assert.fail('the process went on after an unknown rejection'), (error: { code: number; stdout: string }) => error);
  assert.equal(bug.code, 1);
  assert.match(bug.stdout, /"level":60.*a bug/);
  assert.doesNotMatch(bug.stdout, /still running/);
});
