import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { proveChange, type ProveChangeInput } from '../../src/agents/prove-change.ts';
import type { Workspace } from '../../src/integrations/git/workspace.ts';
import { policySchema } from '../../src/policy.ts';
import { createBwrapSandbox } from '../../src/sandbox/create-bwrap-sandbox.ts';
import type { Sandbox, SandboxCommand } from '../../src/sandbox/sandbox.ts';
import { createRemote, fixtureGit, tempDir, testManager } from '../integrations/git/git-fixtures.ts';

const defaults = policySchema.parse({});
const sandboxPolicy = { ...defaults.sandbox, test_timeout_seconds: 20 };
const sandbox = createBwrapSandbox({ policy: sandboxPolicy, bwrapPath: '/usr/bin/bwrap' });
// Every run also leaves a file behind, as coverage reports and caches do: it must not outlive the check.
const TEST_COMMAND = 'node --test; status=$?; echo stray > stray-output.txt; exit $status';

// A tiny module with a bug (subtraction for addition) and a passing test of its other function.
const REPO = {
  'package.json': '{ "name": "calc", "type": "module" }\n',
  'src/calc.js': 'export const add = (a, b) => a - b;\nexport const mul = (a, b) => a * b;\n',
  'test/mul.test.js':
    "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { mul } from '../src/calc.js';\n\n" +
    "test('mul', () => {\n  assert.strictEqual(mul(2, 3), 6);\n});\n",
  '.github/workflows/ci.yml': 'on: push\n',
};
const FIXED = 'export const add = (a, b) => a + b;\nexport const mul = (a, b) => a * b;\n';
const ADD_TEST =
  "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { add } from '../src/calc.js';\n\n" +
  "test('add', () => {\n  assert.strictEqual(add(1, 2), 3);\n});\n";

async function setup(t: { after: (fn: () => Promise<void>) => void }, runner: Sandbox = sandbox) {
  const { dir, cleanup } = await tempDir('baton-prove-');
  t.after(cleanup);
  const remote = await createRemote(dir);
  await remote.commit('main', REPO, 'calc');
  const workspaces = testManager(join(dir, 'data'));
  const workspace = await workspaces.prepareWorkspace({ repo: remote.repo, runId: 'run-1', ticketKey: 'ENG-7', title: 'add subtracts' });
  const git = fixtureGit(dir);
  /** What the agent would do in the worktree: write (or, with null, delete) files. */
  const edit = async (files: Record<string, string | null>) => {
    for (const [path, content] of Object.entries(files)) {
      const full = join(workspace.path, path);
      if (content === null) await rm(full);
      else {
        await mkdir(dirname(full), { recursive: true });
        await writeFile(full, content);
      }
    }
  };
  const prove = (extra: Partial<ProveChangeInput> = {}) =>
    proveChange(
      {
        workspace,
        testCommand: TEST_COMMAND,
        ticketLabels: [],
        commitMessage: 'ENG-7: add adds',
        policy: defaults.outcome_gates,
        sandboxPolicy,
        signal: new AbortController().signal,
        ...extra,
      },
      { sandbox: runner, workspaces },
    );
  /** The worktree is on its branch at `sha`, with nothing uncommitted and no stray file. */
  const assertAtHead = async (sha: string, ws: Workspace = workspace) => {
    assert.equal((await git(['symbolic-ref', 'HEAD'], ws.path)).trim(), `refs/heads/${ws.branch}`);
    assert.equal((await git(['rev-parse', 'HEAD'], ws.path)).trim(), sha);
    assert.equal(await git(['status', '--porcelain', '--untracked-files=all'], ws.path), '');
  };
  return { workspace, workspaces, git, edit, prove, assertAtHead };
}

test('a real fix with a test that fails on the base and passes with the fix is proven, with the evidence', async (t) => {
  const { workspace, edit, prove, assertAtHead, git } = await setup(t);
  await edit({ 'src/calc.js': FIXED, 'test/add.test.js': ADD_TEST });
  const result = await prove();
  assert.equal(result.ok, true, JSON.stringify(result));
  if (!result.ok) return;
  assert.equal((await git(['log', '-1', '--format=%an|%s', result.headSha], workspace.path)).trim(), 'Baton|ENG-7: add adds');
  assert.match(result.diff, /^\+export const add = \(a, b\) => a \+ b;$/m);
  assert.deepEqual(result.evidence.testFiles, ['test/add.test.js']);
  assert.equal(result.evidence.sandboxed, true);
  const [base, change] = result.evidence.runs;
  assert.deepEqual([base?.label, change?.label], ['base_with_new_tests', 'change']);
  assert.equal(base!.command, TEST_COMMAND);
  assert.notEqual(base!.exitCode, 0);
  assert.equal(base!.timedOut, false);
  assert.match(base!.output, /not ok .* add/);
  assert.match(base!.output, /ok .* mul/);
  assert.equal(change!.exitCode, 0);
  assert.match(change!.output, /# pass 2/);
  assert.ok(change!.durationMs > 0);
  await assertAtHead(result.headSha);
  assert.equal(await readFile(join(workspace.path, 'src/calc.js'), 'utf8'), FIXED);
});

test('a new test that already passes on the base fails FAIL_TO_PASS', async (t) => {
  const { edit, prove, assertAtHead } = await setup(t);
  const mulTest = ADD_TEST.replace(/add/g, 'mul').replace('mul(1, 2), 3', 'mul(2, 2), 4');
  await edit({ 'src/calc.js': FIXED, 'test/mul-more.test.js': mulTest });
  const result = await prove();
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.deepEqual(result.failures.map((f) => f.gate), ['fail_to_pass']);
  assert.match(result.failures[0]!.reason, /already pass on the base commit/);
  assert.equal(result.evidence?.runs[0]?.exitCode, 0);
  await assertAtHead(result.headSha);
});

test('a change that deletes a test file fails test_deleted', async (t) => {
  const { edit, prove, assertAtHead } = await setup(t);
  await edit({ 'src/calc.js': FIXED, 'test/add.test.js': ADD_TEST, 'test/mul.test.js': null });
  const result = await prove();
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.deepEqual(result.failures.map((f) => f.gate), ['test_deleted']);
  assert.match(result.failures[0]!.reason, /test\/mul\.test\.js/);
  await assertAtHead(result.headSha);
});

test('a change that weakens an assertion fails assertion_weakened', async (t) => {
  const { edit, prove, assertAtHead } = await setup(t);
  const weakened = REPO['test/mul.test.js'].replace('assert.strictEqual(mul(2, 3), 6);', 'assert.ok(mul(2, 3));');
  await edit({ 'src/calc.js': FIXED, 'test/add.test.js': ADD_TEST, 'test/mul.test.js': weakened });
  const result = await prove();
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.deepEqual(result.failures.map((f) => f.gate), ['assertion_weakened']);
  assert.match(result.failures[0]!.reason, /test\/mul\.test\.js:6 `assert\.strictEqual\(mul\(2, 3\), 6\);` became the weaker `assert\.ok\(mul\(2, 3\)\);`/);
  await assertAtHead(result.headSha);
});

test('a change to a CI workflow fails sensitive_path, and passes with the label', async (t) => {
  const { edit, prove, assertAtHead } = await setup(t);
  await edit({ 'src/calc.js': FIXED, 'test/add.test.js': ADD_TEST, '.github/workflows/ci.yml': 'on: [push, pull_request]\n' });
  const refused = await prove();
  assert.equal(refused.ok, false);
  if (refused.ok) return;
  assert.deepEqual(refused.failures.map((f) => f.gate), ['sensitive_path']);
  assert.match(refused.failures[0]!.reason, /\.github\/workflows\/ci\.yml.*baton-sensitive-ok/);
  await assertAtHead(refused.headSha);
  // The same branch, judged again with the label on the ticket: nothing new to commit, still proven.
  const allowed = await prove({ ticketLabels: ['bug', 'Baton-Sensitive-OK'] });
  assert.equal(allowed.ok, true, JSON.stringify(allowed));
  assert.equal(allowed.headSha, refused.headSha);
  await assertAtHead(allowed.headSha);
});

test('a change over the line limit fails diff_too_large', async (t) => {
  const { edit, prove, assertAtHead } = await setup(t);
  const padding = Array.from({ length: 30 }, (_, i) => `// line ${i}`).join('\n');
  await edit({ 'src/calc.js': `${FIXED}${padding}\n`, 'test/add.test.js': ADD_TEST });
  const result = await prove({ policy: { ...defaults.outcome_gates, max_lines: 25 } });
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.deepEqual(result.failures.map((f) => f.gate), ['diff_too_large']);
  assert.match(result.failures[0]!.reason, /2 files and 39 lines .* 25 lines/);
  await assertAtHead(result.headSha);
});

test('a change whose suite fails fails suite_green with the end of the output', async (t) => {
  const { edit, prove, assertAtHead } = await setup(t);
  const wrongFix = FIXED.replace('a + b', 'a + b + 1');
  await edit({ 'src/calc.js': wrongFix, 'test/add.test.js': ADD_TEST });
  const result = await prove();
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.deepEqual(result.failures.map((f) => f.gate), ['suite_green']);
  assert.match(result.failures[0]!.reason, /^The test suite fails with the change \(`node --test;.*` exited 1\); its output ends:\n/);
  assert.match(result.failures[0]!.reason, /# fail 1/);
  assert.deepEqual(result.evidence?.runs.map((r) => r.label), ['base_with_new_tests', 'change']);
  await assertAtHead(result.headSha);
});

test('no change at all fails no_change without running anything', async (t) => {
  const { workspace, prove, assertAtHead } = await setup(t);
  const result = await prove();
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.deepEqual(result.failures.map((f) => f.gate), ['no_change']);
  assert.equal(result.evidence, undefined);
  assert.equal(result.headSha, workspace.baseSha);
  await assertAtHead(workspace.baseSha);
});

test('a new test that hangs on the base is its own FAIL_TO_PASS reason, not a reproduction', async (t) => {
  const { edit, prove, assertAtHead } = await setup(t);
  const hangs = ADD_TEST.replace("test('add', () => {", "test('add', () => {\n  while (add(1, 2) !== 3) { /* hangs without the fix */ }");
  await edit({ 'src/calc.js': FIXED, 'test/add.test.js': hangs });
  const result = await prove({ sandboxPolicy: { ...sandboxPolicy, test_timeout_seconds: 3 } });
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.deepEqual(result.failures.map((f) => f.gate), ['fail_to_pass']);
  assert.match(result.failures[0]!.reason, /did not finish within 3 s on the base commit/);
  assert.equal(result.evidence?.runs[0]?.timedOut, true);
  await assertAtHead(result.headSha);
});

/** The real sandbox, recording what it was asked to run. */
function recording(): { runner: Sandbox; commands: SandboxCommand[] } {
  const commands: SandboxCommand[] = [];
  return {
    commands,
    runner: {
      sandboxed: sandbox.sandboxed,
      run: (command) => {
        commands.push(command);
        return sandbox.run(command);
      },
    },
  };
}

// Writes a file .gitignore does not cover, as a real install may.
const INSTALL = 'echo installing; echo deps > installed.txt';
// install_network stays at its default (true): the re-install must be offline anyway.
const withInstall = { installCommand: INSTALL, sandboxPolicy: { ...sandboxPolicy, install_network: true } };

test('a change that touches no dependency manifest is not installed again: the install ran on the base', async (t) => {
  const { runner, commands } = recording();
  const { workspace, edit, prove } = await setup(t, runner);
  await edit({ 'src/calc.js': FIXED, 'test/add.test.js': ADD_TEST });
  const result = await prove(withInstall);
  assert.equal(result.ok, true, JSON.stringify(result));
  assert.deepEqual(commands.map((c) => c.command), [TEST_COMMAND, TEST_COMMAND], 'the two test runs and nothing else');
  assert.ok(commands.every((c) => !c.network));
  assert.equal(existsSync(join(workspace.path, 'installed.txt')), false);
});

test('a change that edits package.json is installed again without the network, before the tests; what it leaves survives the checks', async (t) => {
  const { runner, commands } = recording();
  const { workspace, edit, prove, git } = await setup(t, runner);
  const scripts = '{ "name": "calc", "type": "module", "scripts": { "postinstall": "curl http://169.254.169.254/" } }\n';
  await edit({ 'package.json': scripts, 'src/calc.js': FIXED, 'test/add.test.js': ADD_TEST });
  const result = await prove(withInstall);
  assert.equal(result.ok, true, JSON.stringify(result));
  assert.deepEqual(commands.map((c) => c.command), [INSTALL, TEST_COMMAND, TEST_COMMAND]);
  assert.deepEqual(commands.map((c) => c.network), [false, false, false], 'the install on the change never has the network');
  assert.equal(existsSync(join(workspace.path, 'installed.txt')), true);
  assert.equal(existsSync(join(workspace.path, 'stray-output.txt')), false);
  assert.equal((await git(['status', '--porcelain'], workspace.path)).trim(), '?? installed.txt');
});

test('a lockfile or requirements file deeper in the tree counts as a dependency change too', async (t) => {
  const { runner, commands } = recording();
  const { edit, prove } = await setup(t, runner);
  await edit({ 'services/api/requirements-dev.txt': 'pytest\n', 'src/calc.js': FIXED, 'test/add.test.js': ADD_TEST });
  const result = await prove(withInstall);
  assert.equal(result.ok, true, JSON.stringify(result));
  assert.equal(commands[0]?.command, INSTALL);
  assert.equal(commands[0]?.network, false);
});

test('an offline re-install that fails stops the tests with a reason saying the change alters dependencies', async (t) => {
  const { edit, prove, assertAtHead } = await setup(t);
  await edit({ 'package.json': '{ "name": "calc", "type": "module", "dependencies": { "left-pad": "1.3.0" } }\n', 'src/calc.js': FIXED, 'test/add.test.js': ADD_TEST });
  const failed = await prove({ installCommand: 'echo "npm error network request to https://registry.npmjs.org/left-pad failed"; exit 3', sandboxPolicy });
  assert.equal(failed.ok, false);
  if (failed.ok) return;
  assert.deepEqual(failed.failures.map((f) => f.gate), ['suite_green']);
  const reason = failed.failures[0]!.reason;
  assert.match(reason, /^The change alters dependencies \(package\.json\), and the install command `echo .*; exit 3` exited 3 /);
  assert.match(reason, /without the network/);
  assert.match(reason, /needs a person/);
  assert.match(reason, /\nnpm error network request to https:\/\/registry\.npmjs\.org\/left-pad failed$/);
  assert.deepEqual(failed.evidence?.runs, []);
  await assertAtHead(failed.headSha);
});

test('a run aborted during the base check throws and still leaves the worktree at the committed head', async (t) => {
  const { workspace, workspaces, edit, assertAtHead } = await setup(t);
  await edit({ 'src/calc.js': FIXED, 'test/add.test.js': ADD_TEST });
  const controller = new AbortController();
  // The run is cancelled while the base commit is checked out (the first sandbox run).
  const cancelling: Sandbox = {
    sandboxed: true,
    run: (command) => {
      controller.abort(new Error('run cancelled'));
      return sandbox.run(command);
    },
  };
  const input: ProveChangeInput = {
    workspace,
    testCommand: TEST_COMMAND,
    ticketLabels: [],
    commitMessage: 'ENG-7: add adds',
    policy: defaults.outcome_gates,
    sandboxPolicy,
    signal: controller.signal,
  };
  await assert.rejects(proveChange(input, { sandbox: cancelling, workspaces }), /run cancelled/);
  await assertAtHead(await workspaces.branchHead(workspace));
  assert.equal(await readFile(join(workspace.path, 'src/calc.js'), 'utf8'), FIXED);
});
