import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketHandler } from '@electric-sql/pglite-socket';
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

  const db = await PGlite.create(dir);
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
