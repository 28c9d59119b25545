import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHostRunner } from '../../src/sandbox/create-host-runner.ts';
import { eventually } from '../support/eventually.ts';
import { fakeHost, hostProcessesWith, sandboxPolicy } from './sandbox-fixtures.ts';

const uniqueSleep = () => String(900_000 + Math.floor(Math.random() * 99_999));

test('the host runner says it does not confine, and runs in the worktree', async (t) => {
  const host = await fakeHost();
  t.after(host.cleanup);
  const runner = createHostRunner({ policy: sandboxPolicy() });
  assert.equal(runner.sandboxed, false);
  const result = await runner.run({ command: 'pwd; cat README.md; echo oops >&2; exit 3', worktree: host.worktree, network: false, timeoutMs: 10_000 });
  assert.deepEqual({ exitCode: result.exitCode, output: result.output }, { exitCode: 3, output: `${host.worktree}\n# app\noops\n` });
});

test("the host runner passes only the allowlisted environment, never the process's own", async (t) => {
  const host = await fakeHost();
  t.after(host.cleanup);
  const saved = process.env.BATON_FAKE_SECRET;
  process.env.BATON_FAKE_SECRET = 'sk-should-not-leak';
  t.after(() => {
    if (saved === undefined) delete process.env.BATON_FAKE_SECRET;
    else process.env.BATON_FAKE_SECRET = saved;
  });
  const runner = createHostRunner({ policy: sandboxPolicy({ env: { FROM_POLICY: 'p' } }) });
  const result = await runner.run({ command: 'env', worktree: host.worktree, network: false, timeoutMs: 10_000, env: { FROM_COMMAND: 'c' } });
  assert.ok(!result.output.includes('sk-should-not-leak') && !result.output.includes('BATON_FAKE_SECRET'), result.output);
  if (process.env.DATABASE_URL) assert.ok(!result.output.includes('DATABASE_URL'), result.output);
  const names = result.output.split('\n').filter((l) => l.includes('=')).map((l) => l.split('=')[0]).sort();
  assert.deepEqual(names, ['CI', 'FROM_COMMAND', 'FROM_POLICY', 'HOME', 'LANG', 'NO_COLOR', 'PATH', 'PWD', 'TERM', 'TMPDIR']);
  // HOME is a fresh directory per command, removed afterwards.
  const home = /^HOME=(.*)$/m.exec(result.output)![1]!;
  assert.match(home, /baton-home-/);
});

test('the host runner kills the command and its forked child at the timeout', async (t) => {
  const host = await fakeHost();
  t.after(host.cleanup);
  const runner = createHostRunner({ policy: sandboxPolicy() });
  const [child, parent] = [uniqueSleep(), uniqueSleep()];
  const running = runner.run({ command: `(sleep ${child}; echo child-finished) & sleep ${parent}`, worktree: host.worktree, network: false, timeoutMs: 3000 });
  const count = async () => (await hostProcessesWith(child)).length + (await hostProcessesWith(parent)).length;
  await eventually(async () => (await count()) === 2, 3000, 'both sleeps running');
  const result = await running;
  assert.deepEqual({ timedOut: result.timedOut, signal: result.signal, exitCode: result.exitCode }, { timedOut: true, signal: 'SIGKILL', exitCode: null });
  await eventually(async () => (await count()) === 0, 5000, 'both sleeps gone');
});

test('a background child left running when the command exits is killed, and the call returns', async (t) => {
  const host = await fakeHost();
  t.after(host.cleanup);
  const runner = createHostRunner({ policy: sandboxPolicy() });
  const token = uniqueSleep();
  const result = await runner.run({ command: `sleep ${token} & echo started`, worktree: host.worktree, network: false, timeoutMs: 60_000 });
  assert.deepEqual({ exitCode: result.exitCode, timedOut: result.timedOut, output: result.output }, { exitCode: 0, timedOut: false, output: 'started\n' });
  await eventually(async () => (await hostProcessesWith(token)).length === 0, 5000, 'the background sleep gone');
});
