import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/*
 * A PostgreSQL cluster of the test's own, made with the machine's initdb and pg_ctl in a temporary
 * directory on a free port, so a test can restart or stop it. Never the machine's shared server:
 * other tests run on that one at the same time.
 */

export interface PgCluster {
  /** postgres://postgres@127.0.0.1:<port>/postgres (trust authentication, loopback only). */
  url: string;
  port: number;
  /** `pg_ctl restart -m fast`: every session is ended, then the server is up again. Resolves with how long it took. */
  restart(): Promise<number>;
  /** `pg_ctl stop -m fast`, leaving the data; `start()` brings it back. */
  stopServer(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server for good and removes its directory. */
  destroy(): Promise<void>;
}

/** The directory holding initdb and pg_ctl: the newest /usr/lib/postgresql/<v>/bin, or undefined. */
export function findPgBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(root, v, 'bin')).find((bin) => existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl')));
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * PostgreSQL refuses to run as root: as root, the cluster belongs to the `postgres` user and its
 * commands run through runuser. Returns the argv prefix and the uid/gid to give the directory.
 */
async function asServerUser(): Promise<{ prefix: string[]; owner?: { uid: number; gid: number } }> {
  if (process.getuid?.() !== 0) return { prefix: [] };
  const id = async (flag: string): Promise<number> => Number((await run('id', [flag, 'postgres'])).stdout.trim());
  const owner = { uid: await id('-u'), gid: await id('-g') };
  return { prefix: ['runuser', '-u', 'postgres', '--'], owner };
}

export async function startPgCluster(bin: string): Promise<PgCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-pg-'));
  const { prefix, owner } = await asServerUser();
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const data = join(dir, 'data');
  const exec = async (tool: string, args: string[]): Promise<void> => {
    const [file, ...argv] = [...prefix, join(bin, tool), ...args];
    await run(file!, argv, { cwd: dir, timeout: 60_000 });
  };
  await exec('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  // Loopback only, its socket in its own directory, and no fsync: a test cluster, thrown away after.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  // -l every time: without it the server would inherit pg_ctl's stdout and keep our pipe open.
  const log = join(dir, 'server.log');
  const start = (): Promise<void> => exec('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', '-o', options, 'start']);
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async restart() {
      const started = Date.now();
      await exec('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', '-m', 'fast', '-o', options, 'restart']);
      return Date.now() - started;
    },
    stopServer: () => exec('pg_ctl', ['-D', data, '-w', '-t', '60', '-m', 'fast', 'stop']),
    start,
    async destroy() {
      // A server already stopped (stopServer) makes pg_ctl fail; the directory goes either way.
      await exec('pg_ctl', ['-D', data, '-w', '-m', 'immediate', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
