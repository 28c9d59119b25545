import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MergeMethod } from '../../../src/domain/pull-request.ts';
import { CALC, FIX, createLocalRepo, hostWorld, type HostWorld, type LocalRepo } from './local-repo-fixture.ts';

let world: HostWorld;
before(async () => {
  world = await hostWorld();
});
after(() => world.close());

const TEST_FILE = { 'test/range.test.js': "import { range } from '../src/calc.js';\n" };

/** A repository whose main moved on (a README edit) after the run branched off with the fix in two commits. */
async function scenario(name: string, method: MergeMethod, options: { bare?: boolean } = {}) {
  const repo = await createLocalRepo(world.dir, name, CALC, options);
  const host = world.host({ [`local/${name}`]: { path: repo.path, base: 'main', merge_method: method } });
  const branchedFrom = await repo.sha('main');
  await repo.push('baton/ENG-7-range', FIX, { from: 'main', message: 'Fix range: include the end' });
  const head = await repo.push('baton/ENG-7-range', TEST_FILE, { message: 'Test range includes its end' });
  const { pr } = await host.openPullRequest({
    repo: { owner: 'local', name }, head: 'baton/ENG-7-range', base: 'main', title: 'ENG-7: range stops one short', body: '', draft: false, labels: [],
  });
  const moved = options.bare
    ? await repo.push('main', { 'README.md': '# calc\n\nMoved on.\n' }, { message: 'Docs' })
    : await repo.commitHere({ 'README.md': '# calc\n\nMoved on.\n' }, 'Docs');
  const merge = () => host.mergeApproved({
    repo: { owner: 'local', name }, number: pr.number, approvedSha: head, method,
    commitTitle: 'ENG-7: range stops one short (#1)', commitMessage: 'Approved by Avery (Slack user U0LOCALAPP) in Slack', mergedBy: 'Avery',
  });
  return { repo, host, pr, head, branchedFrom, moved, merge };
}

async function parents(repo: LocalRepo, sha: string): Promise<string[]> {
  return (await repo.git(['rev-list', '--no-walk', '--parents', sha])).trim().split(' ').slice(1);
}

async function assertMergedTree(repo: LocalRepo, ref: string): Promise<void> {
  assert.equal(await repo.show(ref, 'src/calc.js'), FIX['src/calc.js'], 'the fix is on main');
  assert.equal(await repo.show(ref, 'test/range.test.js'), TEST_FILE['test/range.test.js'], 'and its test');
  assert.equal(await repo.show(ref, 'README.md'), '# calc\n\nMoved on.\n', 'and what main had gained meanwhile');
}

test('merge: a merge commit with the moved base and the approved head as parents, the approver recorded', async () => {
  const { repo, host, pr, head, moved, merge } = await scenario('m-merge', 'merge');
  const outcome = await merge();
  assert.deepEqual(outcome, { merged: true, sha: await repo.sha('main'), alreadyMerged: false });
  const sha = await repo.sha('main');
  assert.deepEqual(await parents(repo, sha), [moved, head]);
  await assertMergedTree(repo, 'main');
  assert.equal(await repo.git(['log', '-1', '--format=%s%n%n%b%n%cn <%ce>', sha]), 'ENG-7: range stops one short (#1)\n\nApproved by Avery (Slack user U0LOCALAPP) in Slack\n\nBaton <baton@localhost>\n');
  const got = await host.getPullRequest({ owner: 'local', name: 'm-merge' }, pr.number);
  assert.equal(got.state, 'merged');
  assert.equal(got.mergedBy, 'Avery');
  const pull = (await host.listPulls()).find((p) => p.repo === 'local/m-merge')!;
  assert.equal(pull.mergeSha, sha);
  assert.equal(await readFile(join(repo.path, 'src/calc.js'), 'utf8'), FIX['src/calc.js'], 'the checked-out main was brought along');
  assert.equal(await repo.git(['status', '--porcelain']), '', 'and is clean');
});

test('squash: one commit on top of the moved base, with the change of both commits', async () => {
  const { repo, moved, merge } = await scenario('m-squash', 'squash');
  const outcome = await merge();
  assert.equal(outcome.merged, true);
  const sha = await repo.sha('main');
  assert.equal(outcome.merged && outcome.sha, sha);
  assert.deepEqual(await parents(repo, sha), [moved]);
  await assertMergedTree(repo, 'main');
  assert.equal(await repo.git(['log', '-1', '--format=%s', sha]), 'ENG-7: range stops one short (#1)\n');
  assert.equal(await repo.git(['diff', '--name-only', moved, sha]), 'src/calc.js\ntest/range.test.js\n');
  assert.equal(await repo.git(['status', '--porcelain']), '');
});

test('rebase: each commit replayed on the moved base, authors and messages kept, Baton the committer', async () => {
  const { repo, moved, head, merge } = await scenario('m-rebase', 'rebase');
  const outcome = await merge();
  assert.equal(outcome.merged, true);
  const sha = await repo.sha('main');
  assert.notEqual(sha, head, 'replayed, not the branch itself');
  assert.equal(
    await repo.git(['log', '--format=%s|%an|%cn', `${moved}..main`]),
    'Test range includes its end|Ticket Author|Baton\nFix range: include the end|Ticket Author|Baton\n',
  );
  assert.deepEqual(await parents(repo, `${sha}~1`), [moved], 'linear, on top of the base');
  await assertMergedTree(repo, 'main');
  const dates = async (ref: string) => repo.git(['log', '-2', '--format=%ad', ref]);
  assert.equal(await dates('main'), await dates(head), 'author dates kept');
  assert.equal(await repo.git(['status', '--porcelain']), '');
});

test('a bare repository is merged the same way (no checkout to bring along)', async () => {
  const { repo, moved, merge } = await scenario('m-bare', 'squash', { bare: true });
  const outcome = await merge();
  assert.equal(outcome.merged, true);
  assert.deepEqual(await parents(repo, 'main'), [moved]);
  await assertMergedTree(repo, 'main');
});

test('GitHub’s default texts when none are given: "Merge pull request #n from …" and "Title (#n)"', async () => {
  const repo = await createLocalRepo(world.dir, 'm-defaults', CALC);
  const host = world.host({ 'local/m-defaults': { path: repo.path, base: 'main' } });
  for (const [branch, method] of [['baton/ENG-8-a', 'merge'], ['baton/ENG-8-b', 'squash']] as const) {
    const head = await repo.push(branch, { [`${branch}.txt`]: 'x\n' }, { from: 'main', message: `add ${branch}` });
    const { pr } = await host.openPullRequest({ repo: { owner: 'local', name: 'm-defaults' }, head: branch, base: 'main', title: `Title ${method}`, body: '', draft: false, labels: [] });
    const outcome = await host.mergeApproved({ repo: { owner: 'local', name: 'm-defaults' }, number: pr.number, approvedSha: head, method });
    assert.equal(outcome.merged, true);
    const expected = method === 'merge'
      ? `Merge pull request #${pr.number} from ${branch}\n\nTitle merge\n`
      : `Title squash (#${pr.number})\n\n* add ${branch}\n`;
    assert.equal(await repo.git(['log', '-1', '--format=%B', 'main']), `${expected}\n`);
    assert.equal((await host.getPullRequest({ owner: 'local', name: 'm-defaults' }, pr.number)).mergedBy, 'Baton', 'the merging account when no one is named');
  }
});
