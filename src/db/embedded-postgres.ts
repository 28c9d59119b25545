import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

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
  // The socket server serializes queries and keeps a transaction's statements together, so
  // several pool connections are safe even though PGlite itself is single-connection.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: options.port ?? 0, maxConnections: 64 });
  await server.start();
  const [, port] = server.getServerConn().split(':');
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    async stop() {
      await server.stop();
      await db.close();
      rmSync(lockFile, { force: true });
    },
  };
}
