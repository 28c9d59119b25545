import { link, mkdir, open, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { GitError } from './git-error.ts';

export interface RepoLockOptions {
  timeoutMs?: number;
  pollMs?: number;
  /** How often the holder refreshes the lock file's mtime. */
  heartbeatMs?: number;
  /** A lock file whose mtime is older than this is a crashed holder's, whatever host or pid it names. */
  staleMs?: number;
}

const DEFAULT_HEARTBEAT_MS = 10_000;
// Three missed heartbeats: one late timer on a busy machine must not make a live holder look dead.
const MISSED_HEARTBEATS = 3;

// One queue per lock file for the whole process: two managers over one data directory must
// still take turns, and a lock file carrying our own pid can then only be a leftover.
const queues = new Map<string, Promise<void>>();

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

/**
 * Every holder refreshes its lock file's mtime, so one not refreshed for `staleMs` was left by a
 * holder that is gone, on whichever host: a container restarted after a crash comes back under a
 * new hostname, and the old one's pids mean nothing on the new one. A holder on this host whose
 * pid is dead (or is ours: our queue lets one caller in at a time) is gone at once. Hosts sharing
 * the directory must keep their clocks in step (NTP): mtimes written on one are read on another.
 */
async function isStale(path: string, content: string, staleMs: number): Promise<boolean> {
  const [pidText, host] = content.split('\n');
  const pid = Number(pidText);
  if (Number.isInteger(pid) && pid > 0 && host === hostname() && (pid === process.pid || !isAlive(pid))) return true;
  const info = await stat(path).catch((error: unknown) => {
    if (errnoOf(error) === 'ENOENT') return undefined; // released meanwhile; the caller retries
    throw error;
  });
  // Also covers a file left empty by a crash between creating and writing it.
  return info !== undefined && Date.now() - info.mtimeMs > staleMs;
}

/**
 * Removes `path` if it still holds the stale `content`. Rename first, then look: unlinking after a
 * plain read could delete a fresh lock that another process took in between.
 */
async function breakStale(path: string, content: string, staleMs: number): Promise<void> {
  const aside = `${path}.stale-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return; // someone else broke it first
    throw error;
  }
  const moved = await readOrUndefined(aside);
  if (moved !== content || !(await isStale(aside, moved, staleMs))) {
    // We moved a live lock, taken or refreshed after our look: put it back (link fails if a third one exists).
    await link(aside, path).catch((error: unknown) => {
      if (errnoOf(error) !== 'EEXIST') throw error;
    });
  }
  await rm(aside, { force: true });
}

async function acquire(path: string, timeoutMs: number, pollMs: number, staleMs: number): Promise<string> {
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
    if (await isStale(path, content, staleMs)) {
      await breakStale(path, content, staleMs);
      continue;
    }
    if (Date.now() > deadline) {
      const holder = content.split('\n').slice(0, 2).join(' on ');
      throw new GitError('lock_timeout', `repository lock ${path} is still held by pid ${holder} after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** Keeps `path`'s mtime fresh while we hold it; returns the function that stops it. */
function startHeartbeat(path: string, mine: string, everyMs: number, onError: (error: unknown) => void): () => void {
  const refresh = async (): Promise<void> => {
    // Only our own: a lock taken from us as stale belongs to someone else now.
    if ((await readOrUndefined(path)) !== mine) return;
    const now = new Date();
    await utimes(path, now, now);
  };
  const timer = setInterval(() => {
    refresh().catch((error: unknown) => {
      // Gone between the read and the touch: it was taken from us, which release reports.
      if (errnoOf(error) !== 'ENOENT') onError(error);
    });
  }, everyMs);
  timer.unref(); // a lock is no reason to keep the process alive
  return () => clearInterval(timer);
}

/** Runs `fn` holding `lockPath` against this process (a queue) and against others (an O_EXCL lock file). */
export async function withRepoLock<T>(path: string, fn: () => Promise<T>, options: RepoLockOptions = {}): Promise<T> {
  const lockPath = resolve(path); // one key per file, however the data directory was spelled
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const staleMs = options.staleMs ?? heartbeatMs * MISSED_HEARTBEATS;
  const previous = queues.get(lockPath) ?? Promise.resolve();
  let done!: () => void;
  const turn = new Promise<void>((resolve) => (done = resolve));
  const tail = previous.then(() => turn);
  queues.set(lockPath, tail);
  await previous;
  try {
    const mine = await acquire(lockPath, options.timeoutMs ?? 600_000, options.pollMs ?? 50, staleMs);
    let heartbeatError: unknown;
    const stopHeartbeat = startHeartbeat(lockPath, mine, heartbeatMs, (error) => (heartbeatError ??= error));
    let result: T;
    let stillMine: boolean;
    try {
      result = await fn();
    } finally {
      stopHeartbeat();
      // Only our own: if it was taken from us as stale, the file now belongs to someone else.
      stillMine = (await readOrUndefined(lockPath)) === mine;
      if (stillMine) await rm(lockPath, { force: true });
    }
    if (!stillMine) {
      // Another process may have worked on the repository alongside fn; whatever fn did is suspect.
      const why = heartbeatError instanceof Error ? `: refreshing it failed with ${heartbeatError.message}` : '';
      throw new GitError('lock_lost', `repository lock ${lockPath} was taken as stale while held${why}`, { cause: heartbeatError });
    }
    return result;
  } finally {
    done();
    if (queues.get(lockPath) === tail) queues.delete(lockPath);
  }
}
