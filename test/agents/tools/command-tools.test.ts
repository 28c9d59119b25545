import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { bashTool } from '../../../src/agents/tools/bash-tool.ts';
import { runTestsTool } from '../../../src/agents/tools/run-tests-tool.ts';
import { policySchema, type SandboxPolicy } from '../../../src/policy.ts';
import { createBwrapSandbox } from '../../../src/sandbox/create-bwrap-sandbox.ts';
import { createHostRunner } from '../../../src/sandbox/create-host-runner.ts';
import { call, toolName, toolWorld } from './tool-fixtures.ts';

function policy(overrides: Partial<SandboxPolicy> = {}): SandboxPolicy {
  return { ...policySchema.parse({}).sandbox, ...overrides };
}

test('bash runs in /repo under bubblewrap and reports the exit code, output included', async (t) => {
  const world = await toolWorld();
  t.after(world.cleanup);
  const p = policy();
  const bash = bashTool({ worktree: world.worktree, sandbox: createBwrapSandbox({ policy: p }), policy: p });
  assert.deepEqual(bash.definition, { type: 'bash_20250124', name: 'bash' });
  assert.equal(bash.readOnly, false);

  const here = await call(bash, { command: 'pwd; cat src/index.js; echo made > made.txt' });
  assert.equal(here.isError, undefined, here.content);
  assert.equal(here.content, '/repo\nexport const answer = 42;\nExit code: 0');
  assert.equal(await readFile(join(world.worktree, 'made.txt'), 'utf8'), 'made\n');

  const failing = await call(bash, { command: 'echo to-stdout; echo to-stderr >&2; exit 3' });
  assert.equal(failing.isError, undefined, 'a failing command is an answer, not a tool error');
  assert.equal(failing.content, 'to-stdout\nto-stderr\nExit code: 3');

  const outside = await call(bash, { command: `cat ${join(world.outside, 'secret.txt')}` });
  assert.ok(!outside.content.includes('TOP SECRET'), outside.content);
  assert.match(outside.content, /Exit code: [1-9]/);

  const silent = await call(bash, { command: 'true' });
  assert.equal(silent.content, '(no output)\nExit code: 0');
});

test('the bash tool has no network: a server on the host answers a direct request but not the agent\'s command', async (t) => {
  const world = await toolWorld();
  t.after(world.cleanup);
  const server = createServer((_req, res) => res.end('host-server-body'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  // The control: the server is there, from outside the sandbox.
  assert.equal(await (await fetch(url)).text(), 'host-server-body');
  const p = policy();
  const bash = bashTool({ worktree: world.worktree, sandbox: createBwrapSandbox({ policy: p }), policy: p });
  const probe = `node -e "fetch('${url}', { signal: AbortSignal.timeout(5000) }).then(async (r) => console.log('reached', await r.text()), (e) => console.log('refused', e.cause?.code ?? e.name))"`;
  const answer = await call(bash, { command: probe });
  assert.doesNotMatch(answer.content, /reached|host-server-body/);
  assert.match(answer.content, /^refused /m, answer.content);
});

test('a bash command past the timeout is killed and the answer says after how long', async (t) => {
  const world = await toolWorld();
  t.after(world.cleanup);
  const p = policy({ command_timeout_seconds: 1 });
  const bash = bashTool({ worktree: world.worktree, sandbox: createBwrapSandbox({ policy: p }), policy: p });
  const out = await call(bash, { command: 'echo started; sleep 60' });
  assert.equal(out.isError, true);
  assert.match(out.content, /^started\nKilled after 1 s, the command time limit \(sandbox\.command_timeout_seconds in baton\.yml\)/);
});

test('bash output past the cap keeps head and tail and says how much was left out', async (t) => {
  const world = await toolWorld();
  t.after(world.cleanup);
  const p = policy({ output_kib: 4 });
  const bash = bashTool({ worktree: world.worktree, sandbox: createBwrapSandbox({ policy: p }), policy: p });
  const out = await call(bash, { command: 'seq 1 50000' });
  assert.match(out.content, /^1\n2\n/);
  assert.match(out.content, /\n50000\n\[\d+ bytes of output were left out in the middle; .*\]\nExit code: 0$/);
  assert.ok(out.content.length < 6000, `${out.content.length} characters`);
});

test('restart, a lone cd, bad input and a sandbox that cannot start all answer without throwing', async (t) => {
  const world = await toolWorld();
  t.after(world.cleanup);
  const p = policy();
  const bash = bashTool({ worktree: world.worktree, sandbox: createBwrapSandbox({ policy: p }), policy: p });
  const restarted = await call(bash, { restart: true });
  assert.equal(restarted.isError, undefined);
  assert.match(restarted.content, /^The shell was restarted\. .*fresh shell in \/repo/);

  const cd = await call(bash, { command: 'cd src' });
  assert.match(cd.content, /Exit code: 0\nNote: .*cd, exported variables and background processes do not carry over/);
  assert.equal((await call(bash, { command: 'pwd' })).content, '/repo\nExit code: 0');

  for (const input of [{}, { command: '   ' }, { command: 42 }, null]) {
    const out = await call(bash, input);
    assert.equal(out.isError, true, JSON.stringify(input));
    assert.match(out.content, /`command`/);
  }

  const missing = bashTool({ worktree: world.worktree, sandbox: createBwrapSandbox({ policy: p, bwrapPath: join(world.outside, 'no-bwrap') }), policy: p });
  const failed = await call(missing, { command: 'ls' });
  assert.equal(failed.isError, true);
  assert.match(failed.content, /^The command could not be started \(sandbox_not_found\): /);
});

test('run_tests runs the configured test command and nothing else', async (t) => {
  const world = await toolWorld({ 'check.sh': 'echo "tests ran in $(pwd)" >> runs.log\necho "1 passing"\n' });
  t.after(world.cleanup);
  const p = policy();
  const runTests = runTestsTool({ worktree: world.worktree, sandbox: createHostRunner({ policy: p }), policy: p, testCommand: 'sh check.sh' });
  assert.equal(toolName(runTests), 'run_tests');
  assert.ok('description' in runTests.definition && runTests.definition.description?.includes('`sh check.sh`'));
  assert.ok('description' in runTests.definition && runTests.definition.description?.includes('nothing else'));

  const out = await call(runTests, { note: 'reproduce the bug' });
  assert.equal(out.content, '1 passing\nExit code: 0');
  assert.equal(await call(runTests, {}).then((o) => o.content), '1 passing\nExit code: 0');

  for (const input of [{ command: 'touch pwned.txt' }, { note: 'x', command: 'touch pwned.txt' }, 'touch pwned.txt']) {
    const refused = await call(runTests, input);
    assert.equal(refused.isError, true, JSON.stringify(input));
    assert.match(refused.content, /takes no command, only an optional `note`; it always runs `sh check\.sh`/);
  }
  assert.equal(existsSync(join(world.worktree, 'pwned.txt')), false);
  assert.equal(await readFile(join(world.worktree, 'runs.log'), 'utf8'), `tests ran in ${world.worktree}\n`.repeat(2));
});

test('run_tests uses the test timeout, not the command timeout', async (t) => {
  const world = await toolWorld();
  t.after(world.cleanup);
  const p = policy({ command_timeout_seconds: 1, test_timeout_seconds: 2 });
  const runTests = runTestsTool({ worktree: world.worktree, sandbox: createHostRunner({ policy: p }), policy: p, testCommand: 'sleep 60' });
  const out = await call(runTests, {});
  assert.equal(out.isError, true);
  assert.match(out.content, /Killed after 2 s, the command time limit \(sandbox\.test_timeout_seconds in baton\.yml\)/);
});
