import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENV_KEYS } from '../../src/config.ts';
import { spawnBaton, type BatonProcess } from '../support/spawn-baton.ts';
import { eventually } from '../support/eventually.ts';

/**
 * Baton under a supervisor (systemd, a Procfile runner, a container without an init): the
 * supervisor runs `npm start` in the project and signals that one pid, not its process group.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What a unit file gives: the whole environment, state in a directory of its own. */
function supervisorEnv(): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-npm-'));
  writeFileSync(join(dir, 'baton.yml'), '');
  return {
    // Empty values hide a .env in the checkout, which fills only what the environment leaves unset.
    ...Object.fromEntries(ENV_KEYS.map((key) => [key, ''])),
    DATA_DIR: join(dir, '.data'),
    BATON_CONFIG: join(dir, 'baton.yml'),
    PORT: '0',
    LOG_PRETTY: 'false',
    HOME: dir,
    // npm would otherwise ask the registry for a newer npm.
    npm_config_update_notifier: 'false',
  };
}

const npmStart = (env: Record<string, string>): Promise<BatonProcess> => spawnBaton({ cwd: ROOT, env, command: ['npm', 'start'] });

/** Leaves no Baton behind when an assertion failed while it still ran. */
function kill(baton: BatonProcess): void {
  if (alive(baton.pid)) process.kill(baton.pid, 'SIGKILL');
}

test('SIGTERM to `npm start`\'s pid alone stops Baton before npm exits: the port closes and the data directory starts again', async () => {
  const env = supervisorEnv();
  const first = await npmStart(env);
  try {
    assert.equal((await fetch(`${first.url}/healthz`)).status, 200);
    const code = await first.stop('SIGTERM');
    // A supervisor restarts once the pid it watches has exited: Baton must be gone by then.
    assert.equal(alive(first.pid), false, `Baton (pid ${first.pid}) still runs after npm exited with ${code}`);
    assert.equal(code, 0, 'a clean stop');
    await assert.rejects(fetch(`${first.url}/healthz`), 'the port no longer answers');
    assert.match(first.output.join(''), /"signal":"SIGTERM".*shutting down[\s\S]*Baton stopped/);
  } finally {
    kill(first);
  }
  const second = await npmStart(env);
  try {
    assert.equal((await fetch(`${second.url}/healthz`)).status, 200, 'the embedded database is free again');
  } finally {
    await second.stop();
    kill(second);
  }
});

test('when npm is killed outright (SIGKILL, which it cannot pass on), Baton notices its parent is gone and stops cleanly', async () => {
  const baton = await npmStart(supervisorEnv());
  try {
    baton.child.kill('SIGKILL');
    await eventually(async () => !alive(baton.pid), 60_000, `Baton (pid ${baton.pid}) to stop after npm was killed`);
    await assert.rejects(fetch(`${baton.url}/healthz`), 'the port no longer answers');
    assert.match(baton.output.join(''), /has exited.*shutting down[\s\S]*Baton stopped/);
  } finally {
    kill(baton);
  }
});

test('a stop that signals npm and Baton at once (Ctrl-C in a terminal, systemd\'s control-group stop) is still one clean stop', async () => {
  const baton = await npmStart(supervisorEnv());
  try {
    // npm passes its copy on, so Baton sees the signal twice: that is not a person insisting.
    process.kill(baton.pid, 'SIGINT');
    baton.child.kill('SIGINT');
    const code = await new Promise((resolve) => baton.child.once('exit', resolve));
    assert.equal(code, 0, `a clean exit:\n${baton.output.join('')}`);
    assert.equal(alive(baton.pid), false);
    assert.match(baton.output.join(''), /Baton stopped/);
  } finally {
    kill(baton);
  }
});
