import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import { PgliteSessionQueue } from './pglite-session-queue.ts';

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

export class EmbeddedPostgresLockedError extends Error {
  readonly code = 'embedded_db_locked';
  constructor(dir: string, pid: number) {
    super(
      `The embedded database in ${dir} is in use by another Baton process (pid ${pid}). ` +
        'Stop it first, or set DATABASE_URL so several Baton processes can share one PostgreSQL.',
    );
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else, which still means the lock is held.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PostgreSQL's default shared_buffers (128 MB) is allocated and zeroed inside PGlite's WASM memory
 * at start, so all of it is resident, and WASM memory never shrinks. Baton's tables are small and
 * the OS page cache still holds the files: 8 MB keeps idle RSS ~140 MB lower (bench/idle-memory.ts).
 * Passed at each start, not written to postgresql.conf, so the data directory stays as it was.
 */
const MEMORY_SETTINGS = ['-c', 'shared_buffers=8MB'];

/**
 * PGlite's JS is plain JS, yet under tsx (`npm start`) its 375 kB bundle goes through tsx's
 * dynamic-import rewrite, which leaves ~38 MB in the process (measured: import alone, tsx vs
 * plain node). tsx passes a URL whose `tsx-namespace` names another namespace straight to Node's
 * own loader, and the bundle's chunks inherit it. If tsx ever drops that parameter, the import
 * still works and only the memory comes back (bench/idle-memory.ts shows it). Imported here, not
 * at the top of the file, so a Baton on an external PostgreSQL does not load PGlite at all.
 */
async function importPglite(): Promise<typeof import('@electric-sql/pglite')> {
  return (await import(`${import.meta.resolve('@electric-sql/pglite')}?tsx-namespace=baton-pglite`)) as typeof import('@electric-sql/pglite');
}

/**
 * On an empty directory PGlite.create runs initdb in a second PGlite and an initdb WASM instance,
 * whose memory the process keeps after they close (~450 MB more RSS, measured). Run once in a
 * short-lived plain `node` (no tsx needed: it imports PGlite's own JS), its memory goes back to
 * the OS when it exits, and the start that follows is an ordinary restart.
 */
async function initdbInChild(dir: string): Promise<void> {
  const script =
    'const { PGlite } = await import(process.argv[1]);' +
    'const db = await PGlite.create(process.argv[2], { startParams: [...PGlite.defaultStartParams, ...JSON.parse(process.argv[3])] });' +
    'await db.close();';
  await new Promise<void>((resolve, reject) => {
    execFile(
      process.execPath,
      // The same settings as the start that follows; they also lower the child's peak (870 to 710 MB).
      ['--liftoff-only', '--input-type=module', '--eval', script, import.meta.resolve('@electric-sql/pglite'), dir, JSON.stringify(MEMORY_SETTINGS)],
      { maxBuffer: 1024 * 1024 },
      (error, _stdout, stderr) => {
        if (error) reject(new Error(`initdb of the embedded database in ${dir} failed: ${stderr.trim() || error.message}`));
        else resolve();
      },
    );
  });
}

/**
 * PGlite (PostgreSQL compiled to WASM) keeps its files under `dataDir/pg`; pglite-socket serves it
 * on 127.0.0.1 so Baton and pg-boss reach it over a normal connection URL, like any PostgreSQL.
 * PGlite is one backend: a lock file keeps a second process from opening the same files.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  options: { schema: string; port?: number },
): Promise<EmbeddedPostgres> {
  const dir = join(dataDir, 'pg');
  mkdirSync(dir, { recursive: true });
  const lockFile = join(dataDir, 'pg.lock');
  if (existsSync(lockFile)) {
    const pid = Number(readFileSync(lockFile, 'utf8'));
    if (pid && pid !== process.pid && processAlive(pid)) throw new EmbeddedPostgresLockedError(dir, pid);
  }
  writeFileSync(lockFile, String(process.pid));

  if (!existsSync(join(dir, 'PG_VERSION'))) await initdbInChild(dir);
  // V8 compiles PGlite's 9 MB of WASM with Liftoff, then recompiles hot functions with TurboFan
  // in the background; TurboFan's working memory stays in the process (~80 MB idle RSS, measured
  // with bench/idle-memory.ts). Liftoff alone was as fast or faster for Baton's small queries on
  // a 2-CPU machine (aggregates ~30 % slower). It only concerns WASM, but V8 flags are process-wide:
  // Node's own small WASM (undici's HTTP parser) runs on Liftoff too.
  setFlagsFromString('--liftoff-only');
  const { PGlite } = await importPglite();
  const db = await PGlite.create(dir, { startParams: [...PGlite.defaultStartParams, ...MEMORY_SETTINGS] });
  // PGlite ignores the startup packet's options, and every socket connection shares its one
  // session, so the schema search path that createPool asks for is set here, once.
  await db.exec(`CREATE SCHEMA IF NOT EXISTS ${options.schema}; SET search_path TO ${options.schema}, public`);
  const { server, sockets } = await serve(db, options.port ?? 0);
  const { port } = server.address() as AddressInfo;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.close();
      rmSync(lockFile, { force: true });
    },
  };
}

/**
 * pglite-socket's handler speaks the wire protocol; the queue behind it is Baton's own
 * (see PgliteSessionQueue), passed through the handler's `queryQueue` option.
 */
async function serve(db: PGlite, port: number): Promise<{ server: Server; sockets: Set<Socket> }> {
  const { PGLiteSocketHandler } = await import('@electric-sql/pglite-socket');
  const queue = new PgliteSessionQueue(db);
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const handler = new PGLiteSocketHandler({
      // The option is typed as pglite-socket's own (private) class; ours has the same methods.
      queryQueue: queue as unknown as ConstructorParameters<typeof PGLiteSocketHandler>[0]['queryQueue'],
      closeOnDetach: true,
    });
    handler.attach(socket).catch(() => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return { server, sockets };
}
