import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseUnifiedDiff } from '../../../src/domain/parse-unified-diff.ts';
import { fixtureGit, seededRemote, tempDir, testManager } from './git-fixtures.ts';

async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const remote = await seededRemote(dir);
  await remote.commit('main', { '.gitignore': 'node_modules/\n*.log\n', 'test/util.test.js': 'ok\n' }, 'ignore and test');
  const dataDir = join(dir, 'data');
  const manager = testManager(dataDir, { identity: { name: 'Baton Bot', email: 'bot@baton.test' } });
  const ws = await manager.prepareWorkspace({ repo: remote.repo, runId: 'run-1', ticketKey: 'ENG-1', title: 'fix it' });
  return { dir, dataDir, manager, ws, git: fixtureGit(dir) };
}

test('commitAll commits edits, new and deleted files as Baton, leaves ignored files, and says when nothing changed', async (t) => {
  const { manager, ws, git } = await setup(t);
  assert.equal(await manager.commitAll(ws, 'nothing yet'), undefined);

  await writeFile(join(ws.path, 'src/util.js'), 'export const add = (a, b) => a + b + 0;\n');
  await mkdir(join(ws.path, 'src/deep'), { recursive: true });
  await writeFile(join(ws.path, 'src/deep/new.js'), 'new\n');
  await rm(join(ws.path, 'README.md'));
  await mkdir(join(ws.path, 'node_modules'), { recursive: true });
  await writeFile(join(ws.path, 'node_modules/dep.js'), 'dep\n');
  await writeFile(join(ws.path, 'debug.log'), 'log\n');

  const sha = await manager.commitAll(ws, 'ENG-1: fix it');
  assert.ok(sha);
  assert.equal((await git(['rev-parse', `refs/heads/${ws.branch}`], ws.path)).trim(), sha);
  assert.equal(await manager.branchHead(ws), sha);
  assert.equal((await git(['log', '-1', '--format=%an <%ae>|%cn <%ce>|%s'], ws.path)).trim(), 'Baton Bot <bot@baton.test>|Baton Bot <bot@baton.test>|ENG-1: fix it');
  const names = (await git(['diff', '--name-status', ws.baseSha, sha], ws.path)).trim().split('\n').sort();
  assert.deepEqual(names, ['A\tsrc/deep/new.js', 'D\tREADME.md', 'M\tsrc/util.js']);
  assert.equal(await manager.commitAll(ws, 'again'), undefined);
  assert.equal(await manager.branchHead(ws), sha);
  // A message line starting with # is the message, not a comment to strip.
  await writeFile(join(ws.path, 'src/util.js'), 'again\n');
  await manager.commitAll(ws, 'ENG-1: second\n\n#42 was the cause');
  assert.equal((await git(['log', '-1', '--format=%B'], ws.path)).trim(), 'ENG-1: second\n\n#42 was the cause');
});

test("commitAll runs none of the repository's hooks", async (t) => {
  const { dir, dataDir, manager, ws, git } = await setup(t);
  const mirror = join(dataDir, 'mirrors/acme/app.git');
  const marker = join(dir, 'hook-ran');
  const hook = `#!/bin/sh\ntouch ${marker}\nexit 1\n`;
  await mkdir(join(mirror, 'hooks'), { recursive: true });
  for (const name of ['pre-commit', 'commit-msg', 'post-commit', 'prepare-commit-msg']) {
    await writeFile(join(mirror, 'hooks', name), hook);
    await chmod(join(mirror, 'hooks', name), 0o755);
  }
  // A hooks path committed in the repository and named in its config, as husky sets it up.
  await mkdir(join(ws.path, '.husky'), { recursive: true });
  await writeFile(join(ws.path, '.husky/pre-commit'), hook);
  await chmod(join(ws.path, '.husky/pre-commit'), 0o755);
  await git(['config', 'core.hooksPath', join(ws.path, '.husky')], mirror);
  await writeFile(join(ws.path, 'src/util.js'), 'changed\n');
  assert.ok(await manager.commitAll(ws, 'with hooks around'));
  assert.equal(existsSync(marker), false);
});

test("a .git file rewritten from inside the worktree does not choose the repository Baton's git uses", async (t) => {
  const { dir, manager, ws, git } = await setup(t);
  // What code in the sandbox could do: point .git at a repository of its own whose config runs a
  // program (a clean filter) when files are staged.
  const evil = join(ws.path, '.evil');
  const marker = join(dir, 'filter-ran');
  await git(['init', '--quiet', '--bare', evil], dir);
  await git(['config', 'filter.x.clean', `touch ${marker}; cat`], evil);
  await writeFile(join(ws.path, '.gitattributes'), '* filter=x\n');
  const original = await readFile(join(ws.path, '.git'), 'utf8');
  await writeFile(join(ws.path, '.git'), `gitdir: ${evil}\n`);
  await writeFile(join(ws.path, 'src/util.js'), 'changed\n');

  const sha = await manager.commitAll(ws, 'through a hostile .git');
  assert.equal(existsSync(marker), false);
  await writeFile(join(ws.path, '.git'), original);
  assert.equal((await git(['rev-parse', `refs/heads/${ws.branch}`], ws.path)).trim(), sha);
  assert.equal((await git(['show', `${sha}:src/util.js`], ws.path)), 'changed\n');
});

test('diffAgainstBase shows the branch against its base, renames included', async (t) => {
  const { manager, ws } = await setup(t);
  await rm(join(ws.path, 'test/util.test.js'));
  await writeFile(join(ws.path, 'test/util-renamed.test.js'), 'ok\n');
  await writeFile(join(ws.path, 'src/util.js'), 'export const add = (a, b) => b + a;\n');
  await manager.commitAll(ws, 'rename');
  const diff = parseUnifiedDiff(await manager.diffAgainstBase(ws));
  assert.deepEqual(
    diff.files.map((f) => [f.status, f.oldPath, f.path]),
    [['modified', 'src/util.js', 'src/util.js'], ['renamed', 'test/util.test.js', 'test/util-renamed.test.js']],
  );
});

test('checkOutBaseWithFiles applies only the named files to the base; restoreHead returns to the branch and removes strays', async (t) => {
  const { manager, ws, git } = await setup(t);
  await writeFile(join(ws.path, 'src/util.js'), 'fixed\n');
  await writeFile(join(ws.path, 'test/new.test.js'), 'new test\n');
  const head = await manager.commitAll(ws, 'fix and test');
  assert.ok(head);
  await writeFile(join(ws.path, 'install-output.txt'), 'kept\n');
  const keep = await manager.untrackedFiles(ws);
  assert.deepEqual(keep, ['install-output.txt']);

  await manager.checkOutBaseWithFiles(ws, head, ['test/new.test.js']);
  assert.equal(await readFile(join(ws.path, 'src/util.js'), 'utf8'), 'export const add = (a, b) => a + b;\n');
  assert.equal(await readFile(join(ws.path, 'test/new.test.js'), 'utf8'), 'new test\n');
  assert.equal((await git(['rev-parse', 'HEAD'], ws.path)).trim(), ws.baseSha);
  await writeFile(join(ws.path, 'coverage.txt'), 'stray\n');
  await writeFile(join(ws.path, 'README.md'), 'scribbled\n');

  assert.equal(await manager.restoreHead(ws, keep), head);
  assert.equal((await git(['symbolic-ref', 'HEAD'], ws.path)).trim(), `refs/heads/${ws.branch}`);
  assert.equal(await readFile(join(ws.path, 'src/util.js'), 'utf8'), 'fixed\n');
  assert.equal(existsSync(join(ws.path, 'coverage.txt')), false);
  assert.equal(existsSync(join(ws.path, 'install-output.txt')), true);
  assert.equal((await git(['status', '--porcelain'], ws.path)).trim(), '?? install-output.txt');
});

test('commitAll refuses a worktree that is not on its branch', async (t) => {
  const { manager, ws } = await setup(t);
  await manager.checkOutBaseWithFiles(ws, ws.baseSha, []);
  await writeFile(join(ws.path, 'src/util.js'), 'on a detached head\n');
  await assert.rejects(manager.commitAll(ws, 'x'), { code: 'workspace_dirty' });
});
