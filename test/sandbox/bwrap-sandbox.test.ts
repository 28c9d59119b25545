import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { truncateOutput } from '../../src/domain/truncate-output.ts';
import { createBwrapSandbox } from '../../src/sandbox/create-bwrap-sandbox.ts';
import { SandboxError } from '../../src/sandbox/sandbox-error.ts';
import { eventually } from '../support/eventually.ts';
import { fakeHost, hostProcessesWith, sandboxPolicy } from './sandbox-fixtures.ts';

const sandbox = createBwrapSandbox({ policy: sandboxPolicy({ env: { FROM_POLICY: 'policy-value' } }) });
const uniqueSleep = () => String(900_000 + Math.floor(Math.random() * 99_999));

test('the sandbox says it confines', () => {
  assert.equal(sandbox.sandboxed, true);
});

test('stdout and stderr arrive interleaved in one stream, and the exit code comes back', async (t) => {
  const host = await fakeHost();
  t.after(host.cleanup);
  const result = await sandbox.run({ command: 'echo out1; echo err1 >&2; echo out2; exit 7', worktree: host.worktree, network: false, timeoutMs: 10_000 });
  assert.deepEqual(
    { exitCode: result.exitCode, signal: result.signal, timedOut: result.timedOut, output: result.output, omittedBytes: result.omittedBytes },
    { exitCode: 7, signal: null, timedOut: false, output: 'out1\nerr1\nout2\n', omittedBytes: 0 },
  );
  assert.ok(result.durationMs >= 0);
});

test('no network inside: a server on the host is out of reach, on loopback and on its external address; with network: true it answers', async (t) => {
  const host = await fakeHost();
  t.after(host.cleanup);
  const server = createServer((_req, res) => res.end('host-server-body'));
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  t.after(() => server.close());
  const { port } = server.address() as AddressInfo;
  const external = Object.values(networkInterfaces()).flat().find((i) => i?.family === 'IPv4' && !i.internal)?.address;
  const urls = [`http://127.0.0.1:${port}/`, ...(external ? [`http://${external}:${port}/`] : [])];
  await writeFile(
    join(host.worktree, 'probe.mjs'),
    `for (const url of process.argv.slice(2)) {
       try { const r = await fetch(url, { signal: AbortSignal.timeout(5000) }); console.log('reached', url, await r.text()); }
       catch (e) { console.log('refused', url, e.cause?.code ?? e.name); }
     }`,
  );
  const command = `node probe.mjs ${urls.join(' ')}`;

  const isolated = await sandbox.run({ command, worktree: host.worktree, network: false, timeoutMs: 20_000 });
  assert.equal(isolated.exitCode, 0, isolated.output);
  assert.doesNotMatch(isolated.output, /reached|host-server-body/);
  assert.equal(isolated.output.match(/^refused /gm)?.length, urls.length, isolated.output);

  // With --share-net, loopback is the host's: the same server answers.
  const networked = await sandbox.run({ command, worktree: host.worktree, network: true, timeoutMs: 20_000 });
  assert.equal(networked.output.match(/^reached .* host-server-body$/gm)?.length, urls.length, networked.output);
});

test("the test process's environment is absent inside: only the allowlist, baton.yml's env and the command's", async (t) => {
  const host = await fakeHost();
  t.after(host.cleanup);
  const saved = { secret: process.env.BATON_FAKE_SECRET, db: process.env.DATABASE_URL };
  process.env.BATON_FAKE_SECRET = 'sk-should-not-leak';
  process.env.DATABASE_URL = 'postgres://baton:db-password-should-not-leak@127.0.0.1:5432/baton';
  t.after(() => {
    for (const [name, value] of [['BATON_FAKE_SECRET', saved.secret], ['DATABASE_URL', saved.db]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  // A sandbox created now, after the variables were set, as Baton creates one at start-up.
  const fresh = createBwrapSandbox({ policy: sandboxPolicy({ env: { FROM_POLICY: 'policy-value' } }) });
  const result = await fresh.run({
    command: "env; for f in /proc/[0-9]*/environ; do tr '\\0' '\\n' < $f; done",
    worktree: host.worktree,
    network: false,
    timeoutMs: 10_000,
    env: { FROM_COMMAND: 'command-value' },
  });
  assert.equal(result.exitCode, 0, result.output);
  for (const leaked of ['BATON_FAKE_SECRET', 'sk-should-not-leak', 'DATABASE_URL', 'db-password-should-not-leak']) {
    assert.ok(!result.output.includes(leaked), `${leaked} leaked:\n${result.output}`);
  }
  const names = new Set(result.output.split('\n').filter((l) => l.includes('=')).map((l) => l.split('=')[0]));
  // The shell adds PWD (and dash nothing else); bwrap's own init carries only PATH.
  assert.deepEqual([...names].sort(), ['CI', 'FROM_COMMAND', 'FROM_POLICY', 'HOME', 'LANG', 'NO_COLOR', 'PATH', 'PWD', 'TERM', 'TMPDIR']);
  assert.match(result.output, /^HOME=\/home\/sandbox$/m);
  assert.match(result.output, /^FROM_POLICY=policy-value$/m);
  assert.match(result.output, /^FROM_COMMAND=command-value$/m);
});

test('the mirror and the data directory beside the worktree cannot be read, by absolute path or through ..', async (t) => {
  const host = await fakeHost();
  t.after(host.cleanup);
  const attempts = [
    `cat ${host.mirror}/config`,
    `cat ${host.data}/baton.key`,
    'cat ../../mirrors/acme/app.git/config',
    'cat /repo/../baton.key',
    // .. of /repo is the sandbox's /, where no sibling of the worktree exists.
    'ls -a .. | grep -x -e mirrors -e workspaces -e baton.key -e run-1',
    `ls ${host.root}`,
    'git log -1',
  ];
  const result = await sandbox.run({
    command: attempts.map((a) => `${a} && echo "READ: ${a}"`).join('\n') + '\nls -a /\necho overwrite > .git || echo git-file-kept',
    worktree: host.worktree,
    network: false,
    timeoutMs: 10_000,
  });
  assert.doesNotMatch(result.output, /^READ: /m, result.output);
  assert.ok(!result.output.includes(host.secret), result.output);
  const topLevel = result.output.split('\n').filter((l) => /^[a-z0-9.]+$/.test(l));
  for (const entry of topLevel) assert.ok(['.', '..', 'bin', 'dev', 'etc', 'home', 'lib', 'lib32', 'lib64', 'libx32', 'proc', 'repo', 'sbin', 'tmp', 'usr'].includes(entry), `/${entry} is visible`);
  assert.ok(topLevel.includes('repo') && topLevel.includes('usr'), result.output);
  // The .git file Baton's own git follows stays as Baton wrote it.
  assert.match(result.output, /git-file-kept/);
  assert.equal(await readFile(join(host.worktree, '.git'), 'utf8'), `gitdir: ${host.mirror}/worktrees/run-1\n`);
});

test('a command that forks a sleeping child and sleeps itself is killed with the child at the timeout', async (t) => {
  const host = await fakeHost();
  t.after(host.cleanup);
  const [child, parent, daemon] = [uniqueSleep(), uniqueSleep(), uniqueSleep()];
  // The third leaves the session and the process group: only the pid namespace catches it.
  const running = sandbox.run({
    command: `(sleep ${child}; echo child-finished) & setsid sleep ${daemon} & sleep ${parent}`,
    worktree: host.worktree,
    network: false,
    timeoutMs: 3000,
  });
  const all = async () => [...(await hostProcessesWith(child)), ...(await hostProcessesWith(parent)), ...(await hostProcessesWith(daemon))];
  await eventually(async () => (await all()).length === 3, 3000, 'the three sleeps to be running');
  const result = await running;
  assert.equal(result.timedOut, true);
  assert.equal(result.signal, 'SIGKILL');
  assert.equal(result.exitCode, null);
  await eventually(async () => (await all()).length === 0, 5000, 'every sleep to be gone from the host');
});

test('an abort kills the command and its children the same way', async (t) => {
  const host = await fakeHost();
  t.after(host.cleanup);
  const [child, parent] = [uniqueSleep(), uniqueSleep()];
  const controller = new AbortController();
  const running = sandbox.run({
    command: `sleep ${child} & sleep ${parent}`,
    worktree: host.worktree,
    network: false,
    timeoutMs: 60_000,
    signal: controller.signal,
  });
  await eventually(async () => (await hostProcessesWith(child)).length + (await hostProcessesWith(parent)).length === 2, 3000, 'both sleeps running');
  controller.abort();
  const result = await running;
  assert.deepEqual({ timedOut: result.timedOut, signal: result.signal }, { timedOut: false, signal: 'SIGKILL' });
  await eventually(async () => (await hostProcessesWith(child)).length + (await hostProcessesWith(parent)).length === 0, 5000, 'both sleeps gone');
});

test('a non-zero uid with no capabilities; /usr and / read-only, /repo writable, /tmp and HOME capped at tmpfs_mib', async (t) => {
  const host = await fakeHost();
  t.after(host.cleanup);
  const capped = createBwrapSandbox({ policy: sandboxPolicy({ tmpfs_mib: 16 }) });
  const seventeenMib = 17 * 1024 * 1024;
  const result = await capped.run({
    command: [
      'echo "uid=$(id -u) gid=$(id -g)"',
      "grep -E '^Cap(Eff|Prm|Bnd):' /proc/self/status",
      'touch /usr/baton-probe 2>/dev/null && echo usr-writable || echo usr-read-only',
      'touch /baton-probe 2>/dev/null && echo root-writable || echo root-read-only',
      'echo written-inside > /repo/from-sandbox && echo repo-writable',
      `head -c ${seventeenMib} /dev/zero > /tmp/fill 2>/dev/null && echo tmp-uncapped || echo "tmp-capped at $(du -m /tmp/fill | cut -f1) MiB"`,
      `head -c 1048576 /dev/zero > /tmp/small && echo tmp-usable`,
      `head -c ${seventeenMib} /dev/zero > "$HOME/fill" 2>/dev/null && echo home-uncapped || echo home-capped`,
    ].join('\n'),
    worktree: host.worktree,
    network: false,
    timeoutMs: 20_000,
  });
  const lines = result.output.trim().split('\n');
  const uid = Number(/uid=(\d+)/.exec(result.output)?.[1]);
  assert.ok(uid > 0, result.output);
  for (const cap of ['CapEff', 'CapPrm', 'CapBnd']) assert.match(result.output, new RegExp(`^${cap}:\\s+0+$`, 'm'), result.output);
  for (const expected of ['usr-read-only', 'root-read-only', 'repo-writable', 'home-capped']) assert.ok(lines.includes(expected), `${expected}:\n${result.output}`);
  assert.match(result.output, /^tmp-capped at 1[0-6] MiB$/m);
  assert.equal(await readFile(join(host.worktree, 'from-sandbox'), 'utf8'), 'written-inside\n');
});

test('output past output_kib keeps the head and the tail and counts what was left out, as truncateOutput does', async (t) => {
  const host = await fakeHost();
  t.after(host.cleanup);
  const small = createBwrapSandbox({ policy: sandboxPolicy({ output_kib: 4 }) });
  const result = await small.run({
    command: "echo START; head -c 100000 /dev/zero | tr '\\0' a; echo; echo END-MARKER >&2",
    worktree: host.worktree,
    network: false,
    timeoutMs: 10_000,
  });
  const whole = `START\n${'a'.repeat(100_000)}\nEND-MARKER\n`;
  const expected = truncateOutput(whole, 4096);
  assert.equal(result.omittedBytes, whole.length - 4096);
  assert.equal(result.omittedBytes, expected.omittedBytes);
  assert.equal(result.output, expected.text);
  assert.ok(result.output.startsWith('START\naaa'));
  assert.ok(result.output.endsWith('aaa\nEND-MARKER\n'));
  assert.match(result.output, new RegExp(`\\[… ${whole.length - 4096} bytes left out …\\]`));
});

test('a worktree whose .git is a symlink is refused: bwrap would follow it on the host', async (t) => {
  const host = await fakeHost();
  t.after(host.cleanup);
  await rm(join(host.worktree, '.git'));
  await symlink(join(host.mirror, 'config'), join(host.worktree, '.git'));
  await assert.rejects(
    sandbox.run({ command: 'cat .git', worktree: host.worktree, network: false, timeoutMs: 10_000 }),
    (error: unknown) => error instanceof SandboxError && error.code === 'invalid_command' && /symlink/.test(error.message),
  );
});
