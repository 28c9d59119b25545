import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GitError } from '../../../src/integrations/git/git-error.ts';
import { runGit } from '../../../src/integrations/git/run-git.ts';
import { createRedactor } from '../../../src/logger.ts';
import { tempDir } from './git-fixtures.ts';

const PATH = process.env.PATH ?? '/usr/bin:/bin';

test('the child sees exactly the environment it is given', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  process.env.BATON_RUN_GIT_PARENT = 'parent-only';
  const out = await runGit(['-c', 'alias.showenv=!env', 'showenv'], { cwd: dir, env: { PATH, HOME: dir, ONLY_THIS: 'yes' } });
  assert.match(out, /^ONLY_THIS=yes$/m);
  assert.doesNotMatch(out, /BATON_RUN_GIT_PARENT/);
});

test('a failure is a GitError with the command, exit code and stderr, secrets redacted', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const secret = 'sup3r-s3cret-value';
  const redact = createRedactor([secret]);
  await assert.rejects(runGit(['-C', `nowhere-${secret}`, 'status'], { cwd: dir, env: { PATH, HOME: dir }, redact }), (error: unknown) => {
    assert.ok(error instanceof GitError);
    assert.equal(error.code, 'git_failed');
    assert.equal(error.exitCode, 128);
    assert.equal(error.command, 'git -C nowhere-[REDACTED] status');
    assert.match(error.stderr ?? '', /nowhere-\[REDACTED\]/);
    assert.ok(!`${error.message}${error.stderr}${error.command}`.includes(secret));
    return true;
  });
});

test('a command past its timeout is killed with its children and fails with git_timeout', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  // The alias runs a shell whose child keeps git's stdout open: only killing the group ends it.
  const args = ['-c', 'alias.hang=!sleep 30; echo', 'hang'];
  await assert.rejects(runGit(args, { cwd: dir, env: { PATH, HOME: dir }, timeoutMs: 200 }), (error: unknown) => {
    return error instanceof GitError && error.code === 'git_timeout';
  });
});

test('a missing git binary is git_not_found', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  await assert.rejects(runGit(['status'], { cwd: dir, env: { PATH: dir, HOME: dir } }), (e: unknown) => e instanceof GitError && e.code === 'git_not_found');
});
