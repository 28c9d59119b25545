import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { capturingLogger } from '../../integrations/git/git-fixtures.ts';
import { CALC, FIX, createLocalRepo, hostWorld, type HostWorld } from './local-repo-fixture.ts';

let world: HostWorld;
before(async () => {
  world = await hostWorld();
});
after(() => world.close());

const NEW_TEST = { 'test/range.test.js': 'range includes its end\n' };

async function opened(name: string, options: { bare?: boolean } = {}) {
  const repo = await createLocalRepo(world.dir, name, CALC, options);
  const { log, lines } = capturingLogger();
  const host = world.host({ [`local/${name}`]: { path: repo.path, base: 'main' } }, log);
  const head = await repo.push('baton/ENG-11-range', { ...FIX, ...NEW_TEST }, { from: 'main' });
  const { pr } = await host.openPullRequest({ repo: { owner: 'local', name }, head: 'baton/ENG-11-range', base: 'main', title: 'ENG-11', body: '', draft: false, labels: [] });
  const merge = () => host.mergeApproved({ repo: { owner: 'local', name }, number: pr.number, approvedSha: head, method: 'merge' });
  const warnings = () => lines.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((l) => l.level === 40).map((l) => l.msg);
  return { repo, base: await repo.sha('main'), merge, warnings };
}

test('a clean checkout of main is brought along: files, index and status as after a fast-forward', async () => {
  const { repo, merge, warnings } = await opened('c-clean');
  assert.equal((await merge()).merged, true);
  assert.equal(await readFile(join(repo.path, 'src/calc.js'), 'utf8'), FIX['src/calc.js']);
  assert.equal(await readFile(join(repo.path, 'test/range.test.js'), 'utf8'), NEW_TEST['test/range.test.js']);
  assert.equal(await repo.git(['status', '--porcelain', '--untracked-files=all']), '');
  assert.deepEqual(warnings(), []);
});

test('local changes to files the merge does not touch are kept, the rest updated, and a warning says so', async () => {
  const { repo, merge, warnings } = await opened('c-dirty-elsewhere');
  await writeFile(join(repo.path, 'README.md'), '# calc\n\nwork in progress\n');
  await writeFile(join(repo.path, 'notes.txt'), 'untracked, out of the way\n');
  assert.equal((await merge()).merged, true);
  assert.equal(await readFile(join(repo.path, 'src/calc.js'), 'utf8'), FIX['src/calc.js']);
  assert.equal(await readFile(join(repo.path, 'README.md'), 'utf8'), '# calc\n\nwork in progress\n');
  assert.equal(await repo.git(['status', '--porcelain']), ' M README.md\n?? notes.txt\n', 'only the person’s own changes remain');
  assert.equal(warnings().length, 1);
  assert.match(warnings()[0]!, /has local changes: they were kept/);
});

test('local changes to a file the merge changes refuse the merge: main, the files and the changes stay as they were', async () => {
  const { repo, base, merge } = await opened('c-dirty-overlap');
  const mine = CALC['src/calc.js'].replace('return a + b;', 'return a + b; // mine');
  await writeFile(join(repo.path, 'src/calc.js'), mine);
  const outcome = await merge();
  assert.equal(!outcome.merged && outcome.reason, 'not_mergeable');
  assert.match(!outcome.merged ? outcome.message : '', new RegExp(`checked out in ${repo.path}, with local changes to src/calc\\.js.*commit or stash them there, then retry`));
  assert.equal(await repo.sha('main'), base);
  assert.equal(await readFile(join(repo.path, 'src/calc.js'), 'utf8'), mine);
});

test('an untracked file where the merge adds one refuses the merge', async () => {
  const { repo, base, merge } = await opened('c-untracked');
  await mkdir(join(repo.path, 'test'));
  await writeFile(join(repo.path, 'test/range.test.js'), 'the person’s own\n');
  const outcome = await merge();
  assert.equal(!outcome.merged && outcome.reason, 'not_mergeable');
  assert.match(!outcome.merged ? outcome.message : '', /untracked test\/range\.test\.js would be overwritten/);
  assert.equal(await repo.sha('main'), base);
  assert.equal(await readFile(join(repo.path, 'test/range.test.js'), 'utf8'), 'the person’s own\n');
});

test('a checkout on another branch is left alone, and a linked worktree on main is brought along', async () => {
  const { repo, merge } = await opened('c-worktrees', { bare: true });
  const linked = `${repo.path}-main`;
  await repo.git(['worktree', 'add', '--quiet', linked, 'main']);
  const elsewhere = `${repo.path}-other`;
  await repo.git(['worktree', 'add', '--quiet', '-b', 'other', elsewhere, 'main']);
  assert.equal((await merge()).merged, true);
  assert.equal(await readFile(join(linked, 'src/calc.js'), 'utf8'), FIX['src/calc.js']);
  assert.equal(await repo.git(['status', '--porcelain'], linked), '');
  assert.equal(await readFile(join(elsewhere, 'src/calc.js'), 'utf8'), CALC['src/calc.js']);
});
