import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkSandbox } from '../../src/sandbox/check-sandbox.ts';
import { createBwrapSandbox } from '../../src/sandbox/create-bwrap-sandbox.ts';
import { createHostRunner } from '../../src/sandbox/create-host-runner.ts';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import { sandboxPolicy } from './sandbox-fixtures.ts';

test('checkSandbox answers ok for bubblewrap here, and for the host runner', async () => {
  assert.deepEqual(await checkSandbox(createBwrapSandbox({ policy: sandboxPolicy() })), { ok: true });
  assert.deepEqual(await checkSandbox(createHostRunner({ policy: sandboxPolicy() })), { ok: true });
});

test('a missing bwrap gives the package to install', async () => {
  const check = await checkSandbox(createBwrapSandbox({ policy: sandboxPolicy(), bwrapPath: '/nonexistent/bin/bwrap' }));
  assert.equal(check.ok, false);
  assert.match(!check.ok ? check.reason : '', /install the Debian package bubblewrap/);
});

test("bwrap refused its namespaces: the reason quotes bwrap and names the sysctl and Docker's flags", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'baton-fake-bwrap-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // What bwrap prints in a container under Docker's default seccomp profile.
  const fake = join(dir, 'bwrap');
  await writeFile(fake, "#!/bin/sh\necho 'bwrap: No permissions to creating new namespace, likely because the kernel does not allow non-privileged user namespaces.' >&2\nexit 1\n");
  await chmod(fake, 0o755);
  const check = await checkSandbox(createBwrapSandbox({ policy: sandboxPolicy(), bwrapPath: fake }));
  assert.equal(check.ok, false);
  const reason = !check.ok ? check.reason : '';
  assert.match(reason, /No permissions to creating new namespace/);
  assert.match(reason, /user\.max_user_namespaces/);
  assert.match(reason, /--security-opt seccomp=unconfined/);
});

test('a bwrap too old for --size, or installed setuid, says what to install', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'baton-fake-bwrap-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const cases = [
    ['bwrap: Unknown option --size', /too old .*0\.8 or later/],
    ['bwrap: The --size option is not permitted in setuid mode', /installed setuid .*not setuid/],
  ] as const;
  for (const [i, [message, expected]] of cases.entries()) {
    const fake = join(dir, `bwrap-${i}`);
    await writeFile(fake, `#!/bin/sh\necho '${message}' >&2\nexit 1\n`);
    await chmod(fake, 0o755);
    const check = await checkSandbox(createBwrapSandbox({ policy: sandboxPolicy(), bwrapPath: fake }));
    assert.match(!check.ok ? check.reason : 'ok', expected);
  }
});

test('a sandbox that claims confinement but runs as root with the network is refused', async () => {
  // The host runner's results, presented as sandboxed: what a broken wrapper would look like.
  const host = createHostRunner({ policy: sandboxPolicy() });
  const pretending: Sandbox = { sandboxed: true, run: (command) => host.run(command) };
  const check = await checkSandbox(pretending);
  assert.equal(check.ok, false);
  assert.match(!check.ok ? check.reason : '', /uid 0|capabilities|network interfaces/);
});
