import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setPendingMerge } from '../../../src/db/local-pull-requests.ts';
import type { MergeMethod } from '../../../src/domain/pull-request.ts';
import { CALC, FIX, createLocalRepo, hostWorld, type HostWorld } from './local-repo-fixture.ts';

let world: HostWorld;
before(async () => {
  world = await hostWorld();
});
after(() => world.close());

async function opened(name: string, branch = 'baton/ENG-9-range') {
  const repo = await createLocalRepo(world.dir, name, CALC);
  const host = world.host({ [`local/${name}`]: { path: repo.path, base: 'main' } });
  const head = await repo.push(branch, FIX, { from: 'main', message: 'Fix range' });
  const { pr } = await host.openPullRequest({ repo: { owner: 'local', name }, head: branch, base: 'main', title: 'ENG-9', body: '', draft: false, labels: [] });
  const base = await repo.sha('main');
  const merge = (approvedSha = head, method: MergeMethod = 'squash') =>
    host.mergeApproved({ repo: { owner: 'local', name }, number: pr.number, approvedSha, method });
  const pull = async () => (await host.listPulls()).find((p) => p.repo === `local/${name}`)!;
  return { repo, host, head, pr, base, merge, pull };
}

test('a head that moved since the approval is refused, and main does not move', async () => {
  const { repo, head, base, merge, pull } = await opened('r-moved');
  const pushed = await repo.push('baton/ENG-9-range', { 'extra.js': 'x\n' });
  for (const method of ['merge', 'squash', 'rebase'] as const) {
    const outcome = await merge(head, method);
    assert.equal(outcome.merged, false);
    assert.equal(!outcome.merged && outcome.reason, 'head_moved');
    assert.match(!outcome.merged ? outcome.message : '', new RegExp(`approved ${head.slice(0, 7)}, now ${pushed.slice(0, 7)}.*needs its own approval`));
  }
  assert.equal(await repo.sha('main'), base);
  assert.equal((await pull()).state, 'open');
  assert.equal((await pull()).headSha, pushed, 'the pull request follows the push');
  const approvedNew = await merge(pushed);
  assert.equal(approvedNew.merged, true, 'the new head, once approved, merges');
});

test('a base that conflicts with the branch is refused naming the file, and main stays where the person left it', async () => {
  const { repo, merge } = await opened('r-conflict');
  const moved = await repo.commitHere({ 'src/calc.js': CALC['src/calc.js'].replace('i < end', 'i < end + 0') }, 'A person edits the same line');
  for (const method of ['merge', 'squash', 'rebase'] as const) {
    const outcome = await merge(undefined, method);
    assert.equal(!outcome.merged && outcome.reason, 'conflicts', method);
    assert.match(!outcome.merged ? outcome.message : '', /PR #1 has conflicts with main \(src\/calc\.js\); the branch must be rebased/);
  }
  assert.equal(await repo.sha('main'), moved);
  assert.equal(await repo.git(['status', '--porcelain']), '');
});

test('only baton/* branches are merged', async () => {
  const { repo, base, merge, pull } = await opened('r-feature', 'feature/range');
  const outcome = await merge();
  assert.equal(!outcome.merged && outcome.reason, 'not_mergeable');
  assert.match(!outcome.merged ? outcome.message : '', /PR #1 is from feature\/range; Baton merges only its own baton\/\* branches/);
  assert.equal(await repo.sha('main'), base);
  assert.equal((await pull()).state, 'open');
});

test('a closed pull request is refused', async () => {
  const { repo, host, pr, base, merge } = await opened('r-closed');
  await host.closePullRequest({ owner: 'local', name: 'r-closed' }, pr.number);
  const outcome = await merge();
  assert.equal(!outcome.merged && outcome.reason, 'closed');
  assert.match(!outcome.merged ? outcome.message : '', /PR #1 is closed/);
  assert.equal(await repo.sha('main'), base);
});

test('merging again at the approved SHA is already merged (a redelivered job); at another SHA it is refused', async () => {
  const { repo, merge } = await opened('r-again');
  const first = await merge();
  assert.equal(first.merged && first.alreadyMerged, false);
  const mainAfter = await repo.sha('main');
  const again = await merge();
  assert.deepEqual(again, { merged: true, sha: mainAfter, alreadyMerged: true });
  assert.equal(await repo.sha('main'), mainAfter, 'nothing merged twice');
  const other = await merge('f'.repeat(40));
  assert.equal(!other.merged && other.reason, 'closed');
  assert.match(!other.merged ? other.message : '', /already merged at .*, not at the approved ffffff/);
});

test('a branch a person already merged by hand is found merged', async () => {
  const { repo, head, merge, pull } = await opened('r-by-hand');
  await repo.git(['merge', '--quiet', '--no-edit', 'baton/ENG-9-range']);
  const moved = await repo.sha('main');
  assert.deepEqual(await merge(), { merged: true, sha: head, alreadyMerged: true });
  assert.equal(await repo.sha('main'), moved);
  assert.equal((await pull()).state, 'merged');
});

test('a merge that moved main but crashed before recording it is found done, not merged twice', async () => {
  const { repo, head, base, merge, pull } = await opened('r-crash');
  // What the crashed attempt had done: its squash commit written and recorded as pending, then main moved.
  const tree = (await repo.git(['rev-parse', `${head}^{tree}`])).trim();
  const written = (await repo.git(['commit-tree', tree, '-p', base, '-m', 'ENG-9 (#1)'])).trim();
  assert.equal(await setPendingMerge(world.db.pool, (await pull()).id, { expected: null, mergeSha: written, headSha: head }), true);
  await repo.git(['update-ref', 'refs/heads/main', written, base]);
  assert.deepEqual(await merge(), { merged: true, sha: written, alreadyMerged: true });
  assert.equal(await repo.sha('main'), written);
  assert.equal((await pull()).mergeSha, written);
});

test('merges racing from two hosts (two Baton processes) move main once', async () => {
  const { repo, head, base } = await opened('r-race');
  const second = world.host({ 'local/r-race': { path: repo.path, base: 'main' } });
  const first = world.host({ 'local/r-race': { path: repo.path, base: 'main' } });
  const input = { repo: { owner: 'local', name: 'r-race' }, number: 1, approvedSha: head, method: 'squash' as const };
  const outcomes = await Promise.all([first, second, first, second].map((host) => host.mergeApproved(input)));
  assert.ok(outcomes.every((o) => o.merged), JSON.stringify(outcomes));
  assert.equal(outcomes.filter((o) => o.merged && !o.alreadyMerged).length, 1, JSON.stringify(outcomes));
  assert.equal(new Set(outcomes.map((o) => o.merged && o.sha)).size, 1);
  assert.equal(await repo.git(['rev-list', '--count', `${base}..main`]), '1\n', 'one squash commit on main');
});

test('a rebase of a branch with a merge commit in it is refused, not flattened', async () => {
  const { repo, host } = await opened('r-rebase-merge');
  await repo.commitHere({ 'README.md': '# calc\n\nmoved\n' });
  // The branch merges main into itself, as a person updating it would.
  const scratch = `${repo.path}-wt`;
  await repo.git(['worktree', 'add', '--quiet', scratch, 'baton/ENG-9-range']);
  await repo.git(['merge', '--quiet', '--no-edit', 'main'], scratch);
  const head = (await repo.git(['rev-parse', 'HEAD'], scratch)).trim();
  const outcome = await host.mergeApproved({ repo: { owner: 'local', name: 'r-rebase-merge' }, number: 1, approvedSha: head, method: 'rebase' });
  assert.equal(!outcome.merged && outcome.reason, 'not_mergeable');
  assert.match(!outcome.merged ? outcome.message : '', /is a merge, which a rebase merge cannot replay/);
});
