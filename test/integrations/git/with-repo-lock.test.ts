import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { GitError } from '../../../src/integrations/git/git-error.ts';
import { withRepoLock } from '../../../src/integrations/git/with-repo-lock.ts';
import { tempDir } from './git-fixtures.ts';

const lockModule = new URL('../../../src/integrations/git/with-repo-lock.ts', import.meta.url).pathname;

test('callers in one process take turns', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const lock = join(dir, 'repo.git.lock');
  let inside = 0;
  let overlapped = false;
  const order: number[] = [];
  await Promise.all(
    [1, 2, 3, 4].map((n) =>
      withRepoLock(lock, async () => {
        inside += 1;
        overlapped ||= inside > 1;
        await new Promise((resolve) => setTimeout(resolve, 10));
        order.push(n);
        inside -= 1;
      }),
    ),
  );
  assert.equal(overlapped, false);
  assert.deepEqual(order, [1, 2, 3, 4]);
  assert.equal(existsSync(lock), false);
});

test('a failing holder still releases the lock', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const lock = join(dir, 'repo.git.lock');
  await assert.rejects(withRepoLock(lock, () => Promise.reject(new Error('boom'))), /boom/);
  assert.equal(await withRepoLock(lock, () => Promise.resolve('next')), 'next');
});

test('another process holding the lock file keeps us out until it exits', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const lock = join(dir, 'repo.git.lock');
  const done = join(dir, 'child-done');
  // The child marks the end of its turn on disk while still holding the lock, so finding the mark
  // when we get in shows the turns did not overlap, whatever order the pipes and timers fire in.
  const script = `import { withRepoLock } from ${JSON.stringify(lockModule)};
    import { writeFileSync } from 'node:fs';
    await withRepoLock(${JSON.stringify(lock)}, async () => {
      console.log('locked');
      await new Promise((r) => setTimeout(r, 300));
      writeFileSync(${JSON.stringify(done)}, 'done');
    });`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exit = once(child, 'exit');
  await once(child.stdout, 'data');
  assert.equal(existsSync(done), false);
  const childWasDone = await withRepoLock(lock, () => Promise.resolve(existsSync(done)));
  await exit;
  assert.equal(childWasDone, true);
});

test('a lock left by a dead process is broken; one held by a live process times out with a code', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const lock = join(dir, 'repo.git.lock');
  const dead = spawn(process.execPath, ['-e', '0']);
  await once(dead, 'exit');
  await writeFile(lock, `${dead.pid}\n${hostname()}\n2020-01-01T00:00:00Z\n`);
  assert.equal(await withRepoLock(lock, () => Promise.resolve('acquired'), { timeoutMs: 2000 }), 'acquired');

  const alive = spawn('sleep', ['30']);
  t.after(() => alive.kill());
  await writeFile(lock, `${alive.pid}\n${hostname()}\n2020-01-01T00:00:00Z\n`);
  await assert.rejects(
    withRepoLock(lock, () => Promise.resolve('never'), { timeoutMs: 200 }),
    (error: unknown) => error instanceof GitError && error.code === 'lock_timeout' && error.message.includes(String(alive.pid)),
  );
  assert.ok(existsSync(lock), 'a live holder’s lock is left in place');
});

// As left on a shared /data volume by a container that crashed: its hostname is gone with it.
const otherHostLock = (pid: number) => `${pid}\nbaton-7f9c2d-old-container\n2020-01-01T00:00:00Z\n`;
const secondsAgo = (seconds: number) => new Date(Date.now() - seconds * 1000);

test('a lock from another host that has not been refreshed for the stale time is broken', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const lock = join(dir, 'repo.git.lock');
  await writeFile(lock, otherHostLock(process.pid));
  await utimes(lock, secondsAgo(120), secondsAgo(120));
  // The defaults: a holder refreshes every 10 s, so two minutes without a refresh is a dead one.
  assert.equal(await withRepoLock(lock, () => Promise.resolve('acquired'), { timeoutMs: 2000 }), 'acquired');
  assert.equal(existsSync(lock), false);
});

test('a freshly refreshed lock from another host is respected until it goes stale', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const lock = join(dir, 'repo.git.lock');
  await writeFile(lock, otherHostLock(1));
  await assert.rejects(
    withRepoLock(lock, () => Promise.resolve('never'), { timeoutMs: 200 }),
    (error: unknown) => error instanceof GitError && error.code === 'lock_timeout',
  );
  assert.ok(existsSync(lock));
  // Its last refresh, then nobody's: once older than the stale time it is broken.
  const started = new Date();
  await utimes(lock, started, started);
  assert.equal(await withRepoLock(lock, () => Promise.resolve('acquired'), { timeoutMs: 10_000, staleMs: 300 }), 'acquired');
  assert.ok(Date.now() - started.getTime() >= 250, 'it was broken before it went stale');
});

test('the holder refreshes the lock file while it works, so others do not take it for stale', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const lock = join(dir, 'repo.git.lock');
  const refreshed = await withRepoLock(
    lock,
    async () => {
      // As if the holder had been working for a minute: the next heartbeat brings the time back.
      await utimes(lock, secondsAgo(60), secondsAgo(60));
      for (let i = 0; i < 200; i++) {
        if (Date.now() - (await stat(lock)).mtimeMs < 10_000) return true;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return false;
    },
    { heartbeatMs: 20 },
  );
  assert.equal(refreshed, true);
  assert.equal(existsSync(lock), false);
});

test('a holder whose lock was taken from it meanwhile fails with lock_lost rather than report success', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const lock = join(dir, 'repo.git.lock');
  const theirs = otherHostLock(4242);
  await assert.rejects(
    withRepoLock(lock, async () => {
      // What another process does after taking our lock for stale.
      await writeFile(lock, theirs);
      return 'done';
    }),
    (error: unknown) => error instanceof GitError && error.code === 'lock_lost',
  );
  assert.equal(await readFile(lock, 'utf8'), theirs, 'the new holder’s lock is left alone');
});
