import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertPushableBranch } from '../../../src/integrations/git/assert-pushable-branch.ts';
import { branchName, slugify } from '../../../src/integrations/git/branch-name.ts';
import { GitError } from '../../../src/integrations/git/git-error.ts';

const policy = { baseBranch: 'develop', protectedBranches: ['baton/keep'] };
const refused = (error: unknown) => error instanceof GitError && error.code === 'push_refused';

test('only well-formed baton/* branches pass the push guard', () => {
  for (const ok of ['baton/ENG-1', 'baton/ENG-123-fix-login-crash', 'baton/x/y', 'baton/a.b_c']) {
    assert.doesNotThrow(() => assertPushableBranch(ok, policy), ok);
  }
  const bad = [
    'main', 'master', 'Main', 'develop', 'HEAD', 'refs/heads/main', 'feature/x', 'baton', 'baton/', 'Baton/x', 'baton/keep',
    '-baton/x', 'baton/-x', 'baton/../main', 'baton/x..y', 'baton/x@{1}', 'baton/x:main', 'baton/x:refs/heads/main',
    '+baton/x', 'baton/x y', 'baton/x\n', 'baton/x~1', 'baton/x^', 'baton/x*', 'baton/x?', 'baton/[x]', 'baton\\x',
    'baton/x.lock', 'baton/x/', 'baton/x.', 'baton//x', 'baton/.x', 'baton/@', `baton/${'a'.repeat(200)}`, '',
  ];
  for (const branch of bad) assert.throws(() => assertPushableBranch(branch, policy), refused, JSON.stringify(branch));
});

test('the guard names the branch and the reason', () => {
  assert.throws(() => assertPushableBranch('feature/x', policy), /refusing to push "feature\/x": Baton only pushes branches under baton\//);
});

test('branch names are baton/<KEY>-<slug> with an ASCII slug of at most 40 characters', () => {
  assert.equal(branchName('ENG-123', 'Login crashes when the password has a ü'), 'baton/ENG-123-login-crashes-when-the-password-has-a-u');
  assert.equal(branchName('ENG-9', '修正登入'), 'baton/ENG-9');
  assert.equal(branchName('ENG-9', '  --Hello,   World!!  '), 'baton/ENG-9-hello-world');
  const slug = slugify('a very long title that keeps going well past the forty character limit');
  assert.ok(slug.length <= 40, slug);
  assert.equal(slug, 'a-very-long-title-that-keeps-going-well');
  assert.equal(slugify('x'.repeat(60)).length, 40);
  assert.throws(() => branchName('!!', 'x'), (e: unknown) => e instanceof GitError && e.code === 'invalid_input');
  assert.doesNotThrow(() => assertPushableBranch(branchName('ENG-1', 'Ünïcödé & symbols / .. @{ : ~'), policy));
});
