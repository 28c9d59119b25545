import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config } from '../../src/config.ts';
import { localTicket } from '../../src/db/local-tickets.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createLocalTracker } from '../../src/integrations/trackers/local-tracker.ts';
import { openBatonDatabase, ticketAddCommand, type TicketAddDeps } from '../../src/local/add-ticket-command.ts';
import { localTicketRoutes, type LocalTicketEvent } from '../../src/local/ticket-routes.ts';
import { closedPortUrl } from '../integrations/trackers/closed-port-url.ts';
import { count, createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

const BATON_YML = `teams:
  BUG: { tracker: local, channel: C0LOCALDEV }
  OPS: { tracker: local, channel: C0LOCALDEV }
  ENG: { tracker: linear, channel: C0LOCALDEV }
`;

let db: TestDatabase;
let dir: string;
let servers: Server[] = [];

before(async () => {
  db = await createTestDatabase();
  await migrate(db.pool, db.schema);
  dir = mkdtempSync(join(tmpdir(), 'baton-ticket-add-'));
  writeFileSync(join(dir, 'baton.yml'), BATON_YML);
});
after(async () => {
  for (const server of servers) await new Promise<void>((resolve) => server.close(() => resolve()));
  servers = [];
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
});

function env(localPort: number, extra: Record<string, string> = {}): Record<string, string> {
  const url = process.env.DATABASE_URL;
  return {
    ...(url ? { DATABASE_URL: url } : {}), DATABASE_SCHEMA: db.schema, LOCAL_PORT: String(localPort), LINEAR_API_KEY: 'lin_api_test', ...extra,
  };
}

/** baton.yml above, read as `baton ticket add` reads it, with Baton's local server at `localUrl`. */
function configAt(localUrl: string, extra: Record<string, string> = {}): Config {
  return loadConfig({ env: env(Number(new URL(localUrl).port), extra), cwd: dir });
}

async function serve(listener: RequestListener): Promise<string> {
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A running Baton's local server: the real routes over this test's database. */
async function runningBaton(teams: string[], events: LocalTicketEvent[]): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  let url = '';
  const handler = localTicketRoutes({ pool: db.pool, pageUrl: 'http://page', teams, onTicketEvent: async (e) => void events.push(e) });
  url = await serve((req, res) => {
    requests++;
    void handler(req, res, new URL(req.url ?? '/', url)).then((handled) => handled || res.writeHead(404).end('{}'));
  });
  return { url, requests: () => requests };
}

async function run(argv: string[], config: Config, openDatabase?: TicketAddDeps['openDatabase']): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await ticketAddCommand(argv, { config, out: (l) => out.push(l), err: (l) => err.push(l), ...(openDatabase ? { openDatabase } : {}) });
  return { code, out, err };
}

const noDatabase: TicketAddDeps['openDatabase'] = () => Promise.reject(new Error('the database must not be opened'));

test('with Baton running, the ticket goes through its local server and Baton is told', async () => {
  const events: LocalTicketEvent[] = [];
  const baton = await runningBaton(['BUG', 'OPS'], events);
  const result = await run(['--team', 'ops', 'Disk', 'fills', 'up', '--body', 'at 3 am', '--label', 'baton', '--label', 'infra', '--priority', 'high'], configAt(baton.url), noDatabase);
  assert.deepEqual(result, { code: 0, out: ['OPS-1'], err: [] });
  assert.deepEqual(events.map((e) => [e.kind, e.ticketKey, e.labelsAdded]), [['created', 'OPS-1', ['baton', 'infra']]]);
  const ticket = await createLocalTracker({ pool: db.pool, pageUrl: 'http://page' }).getTicket('OPS-1');
  assert.deepEqual([ticket.title, ticket.description, ticket.priority], ['Disk fills up', 'at 3 am', 'high']);
});

test('a team that is not local is refused before anything is asked or opened', async () => {
  const baton = await runningBaton(['BUG', 'OPS'], []);
  const result = await run(['--team', 'ENG', 'Nope'], configAt(baton.url), noDatabase);
  assert.deepEqual(result, { code: 1, out: [], err: ['ENG is not a team with tracker: local in baton.yml (the local teams are BUG, OPS)'] });
  assert.equal(baton.requests(), 0);
});

test('a running Baton that refuses the ticket is told as its refusal, and the database is left alone', async () => {
  // This Baton started with an older baton.yml, where only OPS was local.
  const baton = await runningBaton(['OPS'], []);
  const result = await run(['--team', 'BUG', 'Older config'], configAt(baton.url), noDatabase);
  assert.equal(result.code, 1);
  assert.deepEqual(result.err, ['Baton refused the ticket: BUG is not a team with tracker: local in baton.yml (the local teams are OPS)']);
});

test('something other than Baton on the local port is an error, not a fall back to the database', async () => {
  const url = await serve((_req, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>hello</h1>'));
  const result = await run(['--team', 'BUG', 'Wrong port'], configAt(url), noDatabase);
  assert.deepEqual(result, { code: 1, out: [], err: [`Something other than Baton answers at ${url} (HTTP 200); set LOCAL_PORT to Baton's`] });
});

test('with nobody on the local port, the ticket is written to the database (DATABASE_URL) directly', async () => {
  const config = configAt(await closedPortUrl());
  const before = await count(db.pool, "SELECT * FROM local_tickets WHERE team = 'BUG'");
  const result = await run(['--team', 'BUG', 'Straight in', '--body', 'no Baton running'], config, process.env.DATABASE_URL ? undefined : async () => ({ pool: db.pool, close: async () => {} }));
  assert.equal(result.code, 0, result.err.join('\n'));
  assert.deepEqual(result.out, [`BUG-${before + 1}`]);
  assert.match(result.err[0]!, /Baton is not running: BUG-\d+ was written to its database/);
  const stored = await localTicket(db.pool, result.out[0]!);
  assert.deepEqual([stored?.title, stored?.description, stored?.state.name], ['Straight in', 'no Baton running', 'Todo']);
});

test('usage mistakes exit 2 with the usage', async () => {
  const config = configAt(await closedPortUrl());
  for (const argv of [['Title only'], ['--team', 'BUG'], ['--team', 'BUG', 'x', '--colour', 'red']]) {
    const result = await run(argv, config, noDatabase);
    assert.equal(result.code, 2, argv.join(' '));
    assert.match(result.err[0]!, /Usage: baton ticket add --team TEAM "title"/);
  }
  assert.equal((await run(['--team', 'BUG', 'x', '--priority', 'soon'], config, noDatabase)).code, 1);
});

test('the embedded database: opened, migrated, written and closed each time; another Baton holding it is named', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-ticket-add-data-'));
  try {
    const config = configAt(await closedPortUrl(), { DATABASE_URL: '', DATA_DIR: dataDir });
    assert.equal(config.database.url, undefined);
    assert.deepEqual((await run(['--team', 'BUG', 'First'], config)).out, ['BUG-1']);
    // The counter lives in the database: a second start goes on from it.
    assert.deepEqual((await run(['--team', 'BUG', 'Second'], config)).out, ['BUG-2']);
    const opened = await openBatonDatabase(config);
    try {
      assert.deepEqual((await opened.pool.query<{ key: string }>('SELECT key FROM local_tickets ORDER BY key')).rows.map((r) => r.key), ['BUG-1', 'BUG-2']);
    } finally {
      await opened.close();
    }
    // A Baton (any live process) holding the database, with its local server elsewhere.
    writeFileSync(join(dataDir, 'pg.lock'), String(process.ppid));
    const locked = await run(['--team', 'BUG', 'Third'], config);
    assert.equal(locked.code, 1);
    assert.match(locked.err[0]!, /in use by another Baton process \(pid \d+\)[\s\S]*Its local server did not answer at http:\/\/127\.0\.0\.1:\d+: is LOCAL_PORT the same for both\?/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('the real CLI: `baton ticket add` prints the key and exits 0; a team that is not local exits 1', { skip: !process.env.DATABASE_URL && 'needs DATABASE_URL' }, async () => {
  const localPort = Number(new URL(await closedPortUrl()).port);
  const cli = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(process.execPath, ['--import', TSX, CLI, 'ticket', 'add', ...args], {
        cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir, ...env(localPort) }, timeout: 60_000,
      }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
    });
  const before = await count(db.pool, "SELECT * FROM local_tickets WHERE team = 'BUG'");
  const added = await cli(['--team', 'BUG', 'From the shell', '--body', 'typed by a person', '--label', 'baton']);
  assert.equal(added.code, 0, added.stderr);
  assert.equal(added.stdout, `BUG-${before + 1}\n`);
  const stored = await localTicket(db.pool, `BUG-${before + 1}`);
  assert.deepEqual([stored?.title, stored?.description, stored?.labels], ['From the shell', 'typed by a person', ['baton']]);

  const refused = await cli(['--team', 'ENG', 'Not local']);
  assert.deepEqual([refused.code, refused.stdout], [1, '']);
  assert.match(refused.stderr, /ENG is not a team with tracker: local in baton\.yml \(the local teams are BUG, OPS\)/);
});
