import { link, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { GitError } from './git-error.ts';

export interface RepoLockOptions {
  timeoutMs?: number;
  pollMs?: number;
}

// One queue per lock file for the whole process: two managers over one data directory must
// still take turns, and a lock file carrying our own pid can then only be a leftover.
const queues = new Map<string, Promise<void>>();

// A lock file is created empty and then written; an empty one younger than this is being written.
const UNWRITTEN_GRACE_MS = 10_000;

function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return errnoOf(error) === 'EPERM';
  }
}

async function readOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return undefined;
    throw error;
  }
}

async function isStale(path: string, content: string): Promise<boolean> {
  const [pidText, host] = content.split('\n');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) {
    const info = await stat(path).catch((error: unknown) => {
      if (errnoOf(error) === 'ENOENT') return undefined; // released meanwhile; the caller retries
      throw error;
    });
    return info !== undefined && Date.now() - info.mtimeMs > UNWRITTEN_GRACE_MS;
  }
  // Another machine sharing the directory: its pids mean nothing here, so wait for it.
  if (host !== hostname()) return false;
  return pid === process.pid || !isAlive(pid);
}

/**
 * Removes `path` if it still holds the stale `content`. Rename first, then look: unlinking after a
 * plain read could delete a fresh lock that another process took in between.
 */
async function breakStale(path: string, content: string): Promise<void> {
  const aside = `${path}.stale-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return; // someone else broke it first
    throw error;
  }
  const moved = await readOrUndefined(aside);
  if (moved !== content) {
    // We moved a live lock taken after our read: put it back (link fails if a third one exists).
    await link(aside, path).catch((error: unknown) => {
      if (errnoOf(error) !== 'EEXIST') throw error;
    });
  }
  await rm(aside, { force: true });
}

async function acquire(path: string, timeoutMs: number, pollMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  await mkdir(dirname(path), { recursive: true });
  const mine = `${process.pid}\n${hostname()}\n${new Date().toISOString()}\n`;
  for (;;) {
    try {
      const handle = await open(path, 'wx'); // O_CREAT | O_EXCL: exactly one process succeeds
      try {
        await handle.writeFile(mine);
      } finally {
        await handle.close();
      }
      return mine;
    } catch (error) {
      if (errnoOf(error) !== 'EEXIST') throw error;
    }
    const content = await readOrUndefined(path);
    if (content === undefined) continue;
    if (await isStale(path, content)) {
      await breakStale(path, content);
      continue;
    }
    if (Date.now() > deadline) {
      const holder = content.split('\n').slice(0, 2).join(' on ');
      throw new GitError('lock_timeout', `repository lock ${path} is still held by pid ${holder} after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** Runs `fn` holding `lockPath` against this process (a queue) and against others (an O_EXCL lock file). */
export async function withRepoLock<T>(path: string, fn: () => Promise<T>, options: RepoLockOptions = {}): Promise<T> {
  const lockPath = resolve(path); // one key per file, however the data directory was spelled
  const previous = queues.get(lockPath) ?? Promise.resolve();
  let done!: () => void;
  const turn = new Promise<void>((resolve) => (done = resolve));
  const tail = previous.then(() => turn);
  queues.set(lockPath, tail);
  await previous;
  try {
    const mine = await acquire(lockPath, options.timeoutMs ?? 600_000, options.pollMs ?? 50);
    try {
      return await fn();
    } finally {
      // Only our own: if it was taken from us as stale, the file now belongs to someone else.
      if ((await readOrUndefined(lockPath)) === mine) await rm(lockPath, { force: true });
    }
  } finally {
    done();
    if (queues.get(lockPath) === tail) queues.delete(lockPath);
  }
}
