import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { link, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { textEditorTool } from '../../../src/agents/tools/text-editor-tool.ts';
import { call, toolWorld } from './tool-fixtures.ts';

/*
 * The editor runs on the host, as Baton, over files that sandboxed commands made. A FIFO (mkfifo in
 * the bash tool) must not hang it: an open() that waits for a writer holds one of libuv's four
 * threads for good, and four of them stall every file and DNS call Baton makes. A file with a second
 * hard link is neither read nor written: the other name may be anywhere on the same filesystem.
 */

const execFileAsync = promisify(execFile);

// A guard against a hang failing the whole file, not a timing assertion.
const GUARD = { timeout: 20_000 };

test('a FIFO in the worktree is refused by every command, without waiting for a writer', GUARD, async (t) => {
  const world = await toolWorld();
  t.after(world.cleanup);
  const fifo = join(world.worktree, 'pipe');
  await execFileAsync('mkfifo', [fifo]);
  // Should the editor be stuck opening it, a writer releases it, so that this file still ends.
  t.after(() => {
    try {
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch (error) {
      // ENXIO: nobody is waiting to read, the expected case; ENOENT: the world is already cleaned up.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENXIO' && code !== 'ENOENT') throw error;
    }
  });
  const editor = textEditorTool({ worktree: world.worktree });
  for (const input of [
    { command: 'view', path: 'pipe' },
    { command: 'str_replace', path: 'pipe', old_str: 'a', new_str: 'b' },
    { command: 'insert', path: 'pipe', insert_line: 0, insert_text: 'x' },
    { command: 'create', path: 'pipe', file_text: 'x' },
  ]) {
    const out = await call(editor, input);
    assert.equal(out.isError, true, `${input.command}: ${out.content}`);
    assert.match(out.content, /not a regular file/, `${input.command}: ${out.content}`);
  }
});

test('a file with another hard link is neither read nor written through', GUARD, async (t) => {
  const world = await toolWorld();
  t.after(world.cleanup);
  // Made on the host here; in a run only the sandbox writes the worktree, and it cannot link across its mounts.
  await link(join(world.outside, 'secret.txt'), join(world.worktree, 'linked.txt'));
  const editor = textEditorTool({ worktree: world.worktree });
  for (const input of [
    { command: 'view', path: 'linked.txt' },
    { command: 'str_replace', path: 'linked.txt', old_str: 'TOP SECRET', new_str: 'overwritten' },
    { command: 'insert', path: 'linked.txt', insert_line: 0, insert_text: 'overwritten' },
    { command: 'create', path: 'linked.txt', file_text: 'overwritten' },
  ]) {
    const out = await call(editor, input);
    assert.equal(out.isError, true, `${input.command}: ${out.content}`);
    assert.match(out.content, /hard link/, `${input.command}: ${out.content}`);
    assert.ok(!out.content.includes('TOP SECRET'), `${input.command} read the other name's content`);
  }
  assert.equal(await readFile(join(world.outside, 'secret.txt'), 'utf8'), world.secret);
  // A plain file is still edited as before.
  await writeFile(join(world.worktree, 'plain.txt'), 'a\n');
  assert.equal((await call(editor, { command: 'str_replace', path: 'plain.txt', old_str: 'a', new_str: 'b' })).isError, undefined);
  assert.equal(await readFile(join(world.worktree, 'plain.txt'), 'utf8'), 'b\n');
});
