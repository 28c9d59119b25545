import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, readdir, realpath, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveRepoPath } from '../../../src/agents/tools/resolve-repo-path.ts';
import { textEditorTool } from '../../../src/agents/tools/text-editor-tool.ts';
import { call, toolWorld, type ToolWorld } from './tool-fixtures.ts';

/** Every command the editor has, aimed at one path. */
function everyCommand(path: string) {
  return [
    { command: 'view', path },
    { command: 'create', path, file_text: 'overwritten by the agent\n' },
    { command: 'str_replace', path, old_str: 'TOP SECRET', new_str: 'leaked' },
    { command: 'insert', path, insert_line: 0, insert_text: 'inserted\n' },
  ];
}

async function assertAllRefused(world: ToolWorld, path: string, reason: RegExp) {
  const editor = textEditorTool({ worktree: world.worktree });
  for (const input of everyCommand(path)) {
    const out = await call(editor, input);
    assert.equal(out.isError, true, `${input.command} ${path}: ${out.content}`);
    assert.match(out.content, /^Refused: /, `${input.command} ${path}`);
    assert.match(out.content, reason, `${input.command} ${path}`);
    assert.ok(!out.content.includes('TOP SECRET'), `${input.command} ${path} read the outside file`);
  }
  assert.equal(await readFile(join(world.outside, 'secret.txt'), 'utf8'), world.secret);
  assert.deepEqual(await readdir(world.outside), ['secret.txt']);
}

test('paths that climb out or are absolute elsewhere are refused, whatever the command', async (t) => {
  const world = await toolWorld();
  t.after(world.cleanup);
  // The worktree is <tmp>/workspaces/run-1: two levels up is the temp dir holding `outside`.
  await assertAllRefused(world, '../../outside/secret.txt', /climbs out of the repository/);
  await assertAllRefused(world, '/repo/../../outside/secret.txt', /climbs out of the repository/);
  await assertAllRefused(world, 'src/../../../outside/secret.txt', /climbs out of the repository/);
  await assertAllRefused(world, join(world.outside, 'secret.txt'), /is outside the repository; paths are relative to the repository root, \/repo/);
  await assertAllRefused(world, '/etc/passwd', /outside the repository/);
  await assertAllRefused(world, '../../etc/passwd', /climbs out/);
  await assertAllRefused(world, '/repo/../../etc/passwd', /climbs out/);
  await assertAllRefused(world, '/repository/x', /outside the repository/);
});

test('a symlink to a file outside is refused for view, create, str_replace and insert', async (t) => {
  const world = await toolWorld();
  t.after(world.cleanup);
  await symlink(join(world.outside, 'secret.txt'), join(world.worktree, 'leak.txt'));
  await symlink('../../../outside/secret.txt', join(world.worktree, 'src', 'relative-leak.txt'));
  await assertAllRefused(world, 'leak.txt', /leak\.txt is a symlink that points outside the repository/);
  await assertAllRefused(world, '/repo/src/relative-leak.txt', /is a symlink that points outside/);
});

test('a dangling symlink is refused, so create cannot write where it points', async (t) => {
  const world = await toolWorld();
  t.after(world.cleanup);
  await symlink(join(world.outside, 'planted.txt'), join(world.worktree, 'dangling.txt'));
  await assertAllRefused(world, 'dangling.txt', /symlink to a path that does not exist/);
  assert.equal(existsSync(join(world.outside, 'planted.txt')), false);
});

test('a symlinked directory pointing out is refused for the directory and anything under it', async (t) => {
  const world = await toolWorld();
  t.after(world.cleanup);
  await symlink(world.outside, join(world.worktree, 'vendor'));
  await assertAllRefused(world, 'vendor', /vendor is a symlink that points outside/);
  await assertAllRefused(world, 'vendor/secret.txt', /vendor is a symlink that points outside/);
  await assertAllRefused(world, 'vendor/new/file.txt', /vendor is a symlink that points outside/);
});

test('.git is refused, directly, nested, and through a symlink', async (t) => {
  const world = await toolWorld();
  t.after(world.cleanup);
  const gitFile = await readFile(join(world.worktree, '.git'), 'utf8');
  await symlink('.git', join(world.worktree, 'gitlink'));
  const editor = textEditorTool({ worktree: world.worktree });
  for (const path of ['.git', '/repo/.git', '.git/config', 'src/../.git', 'sub/.git/config', '.GIT', 'gitlink']) {
    for (const input of everyCommand(path)) {
      const out = await call(editor, input);
      assert.equal(out.isError, true, `${input.command} ${path}`);
      assert.match(out.content, /\.git/, `${input.command} ${path}`);
    }
  }
  assert.equal(await readFile(join(world.worktree, '.git'), 'utf8'), gitFile);
  assert.equal(existsSync(join(world.worktree, 'sub')), false);
});

test('/repo/x, x and ./x name the same file; symlinks that stay inside work', async (t) => {
  const world = await toolWorld();
  t.after(world.cleanup);
  const editor = textEditorTool({ worktree: world.worktree });
  await call(editor, { command: 'create', path: '/repo/notes/x.txt', file_text: 'one\n' });
  assert.match((await call(editor, { command: 'view', path: 'notes/x.txt' })).content, /1\tone$/);
  await call(editor, { command: 'str_replace', path: './notes/x.txt', old_str: 'one', new_str: 'two' });
  await call(editor, { command: 'insert', path: '/repo/./notes//x.txt', insert_line: 1, insert_text: 'three' });
  assert.equal(await readFile(join(world.worktree, 'notes/x.txt'), 'utf8'), 'two\nthree\n');

  await symlink('src/index.js', join(world.worktree, 'alias.js'));
  const viaLink = await call(editor, { command: 'view', path: 'alias.js' });
  assert.equal(viaLink.isError, undefined, viaLink.content);
  assert.match(viaLink.content, /answer = 42/);
});

test('resolveRepoPath maps the root and names the host path through no symlink', async (t) => {
  const world = await toolWorld();
  t.after(world.cleanup);
  const root = await realpath(world.worktree);
  for (const path of ['/repo', '/repo/', '.', './', '']) {
    const resolved = await resolveRepoPath(world.worktree, path);
    if (path === '') {
      assert.equal(resolved.ok, false);
      continue;
    }
    assert.deepEqual(resolved, { ok: true, hostPath: root, shown: '/repo', exists: true }, path);
  }
  await symlink('src', join(world.worktree, 'source'));
  assert.deepEqual(await resolveRepoPath(world.worktree, 'source/new.js'), {
    ok: true,
    hostPath: join(root, 'src', 'new.js'),
    shown: '/repo/source/new.js',
    exists: false,
  });
});
