import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePushPorcelain } from '../../../src/integrations/git/parse-push-porcelain.ts';

test('push --porcelain output becomes one entry per ref, tags and rejections included', () => {
  // As git 2.39 prints it for a push that also followed a tag and had a ref rejected.
  const stdout = [
    'To https://github.com/acme/app.git',
    '*\trefs/heads/baton/ENG-1-fix:refs/heads/baton/ENG-1-fix\t[new branch]',
    '*\trefs/tags/v9.9.9:refs/tags/v9.9.9\t[new tag]',
    '!\trefs/heads/baton/ENG-2:refs/heads/baton/ENG-2\t[rejected] (stale info)',
    '-\t:refs/heads/old\t[deleted]',
    'Done',
    '',
  ].join('\n');
  assert.deepEqual(parsePushPorcelain(stdout), [
    { flag: '*', from: 'refs/heads/baton/ENG-1-fix', to: 'refs/heads/baton/ENG-1-fix', summary: '[new branch]' },
    { flag: '*', from: 'refs/tags/v9.9.9', to: 'refs/tags/v9.9.9', summary: '[new tag]' },
    { flag: '!', from: 'refs/heads/baton/ENG-2', to: 'refs/heads/baton/ENG-2', summary: '[rejected] (stale info)' },
    { flag: '-', from: '', to: 'refs/heads/old', summary: '[deleted]' },
  ]);
  assert.deepEqual(parsePushPorcelain('Everything up-to-date\n'), []);
});
