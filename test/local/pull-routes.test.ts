import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalPull } from '../../src/db/local-pull-requests.ts';
import { localPullRoutes, type LocalCheck } from '../../src/local/pull-routes.ts';
import { CALC, FIX, createLocalRepo, hostWorld, type HostWorld } from './code-host/local-repo-fixture.ts';

let world: HostWorld;
let server: Server;
let base: string;
let checks: (pull: LocalPull) => Promise<LocalCheck[]>;
const asked: LocalPull[] = [];

before(async () => {
  world = await hostWorld();
  const repo = await createLocalRepo(world.dir, 'routes', CALC);
  const host = world.host({ 'local/calc': { path: repo.path, base: 'main' } });
  const handler = localPullRoutes({ pool: world.db.pool, host, checksFor: (pull) => checks(pull) });
  server = createServer((req, res) => {
    void handler(req, res, new URL(req.url ?? '/', 'http://local')).then((answered) => {
      if (!answered) res.writeHead(418).end('not mine');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const head = await repo.push('baton/ENG-15-range', FIX, { from: 'main' });
  const { pr } = await host.openPullRequest({
    repo: { owner: 'local', name: 'calc' }, head: 'baton/ENG-15-range', base: 'main', title: 'ENG-15: range stops one short', body: 'Fixes range.', draft: false, labels: [],
  });
  await host.commentOnPullRequest({ owner: 'local', name: 'calc' }, pr.number, 'Merged after approval in Slack.');
  await repo.commitHere({ 'README.md': '# calc\n\nmoved on\n' }, 'Docs');
  // Published again after main moved: the recorded base is now past where the branch started.
  await host.openPullRequest({
    repo: { owner: 'local', name: 'calc' }, head: 'baton/ENG-15-range', base: 'main', title: 'ENG-15: range stops one short', body: 'Fixes range.', draft: false, labels: [],
  });
  await host.mergeApproved({ repo: { owner: 'local', name: 'calc' }, number: pr.number, approvedSha: head, method: 'merge', mergedBy: 'Avery' });
});
after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await world.close();
});

const get = async (path: string, init?: RequestInit) => {
  const res = await fetch(`${base}${path}`, init);
  return { status: res.status, body: res.headers.get('content-type')?.includes('json') ? ((await res.json()) as Record<string, unknown>) : await res.text() };
};

test('GET /_/pulls lists the pull requests with their branches and page URLs', async () => {
  const { status, body } = await get('/_/pulls');
  assert.equal(status, 200);
  const { ok, pulls } = body as { ok: boolean; pulls: Record<string, unknown>[] };
  assert.equal(ok, true);
  assert.equal(pulls.length, 1);
  const [pull] = pulls;
  assert.deepEqual(Object.keys(pull!).sort(), ['base_ref', 'head_ref', 'head_sha', 'id', 'number', 'repo', 'state', 'title', 'url']);
  assert.equal(pull!.repo, 'local/calc');
  assert.equal(pull!.state, 'merged');
  assert.equal(pull!.url, `${world.pageUrl}/pulls/${String(pull!.id)}`);
});

test('GET /_/pulls/<id> gives the pull request, its diff against where it branched, the checks and the comments', async () => {
  checks = async (pull) => {
    asked.push(pull);
    return [{ name: 'npm test', conclusion: 'success', summary: '2 tests pass; 1 failed before the fix' }];
  };
  const id = ((await get('/_/pulls')).body as { pulls: { id: number }[] }).pulls[0]!.id;
  const { status, body } = await get(`/_/pulls/${id}`);
  assert.equal(status, 200);
  const { pull, diff, checks: shown, comments } = body as { pull: Record<string, unknown>; diff: string; checks: unknown[]; comments: Record<string, unknown>[] };
  assert.equal(pull.title, 'ENG-15: range stops one short');
  assert.equal(pull.body, 'Fixes range.');
  assert.equal(pull.state, 'merged');
  assert.equal(pull.merged_by, 'Avery');
  assert.match(String(pull.merge_sha), /^[0-9a-f]{40}$/);
  assert.match(String(pull.created_at), /^\d{4}-\d\d-\d\dT/);
  assert.match(diff, /^diff --git a\/src\/calc\.js b\/src\/calc\.js$/m);
  assert.match(diff, /^- {2}for \(let i = start; i < end; i\+\+\) out\.push\(i\);$/m);
  assert.match(diff, /^\+ {2}for \(let i = start; i <= end; i\+\+\) out\.push\(i\);$/m);
  assert.doesNotMatch(diff, /README/, 'what main gained meanwhile is not the pull request’s change');
  assert.deepEqual(shown, [{ name: 'npm test', conclusion: 'success', summary: '2 tests pass; 1 failed before the fix' }]);
  assert.equal(asked.at(-1)?.id, id, 'checks are asked for this pull request');
  assert.deepEqual(comments.map((c) => [c.author, c.body]), [['Baton', 'Merged after approval in Slack.']]);
});

test('checks that cannot be read leave the rest of the page', async () => {
  checks = async () => {
    throw new Error('no evidence recorded');
  };
  const id = ((await get('/_/pulls')).body as { pulls: { id: number }[] }).pulls[0]!.id;
  const { status, body } = await get(`/_/pulls/${id}`);
  assert.equal(status, 200);
  const page = body as { checks: unknown[]; checks_error: string; diff: string };
  assert.deepEqual(page.checks, []);
  assert.equal(page.checks_error, 'no evidence recorded');
  assert.match(page.diff, /src\/calc\.js/);
});

test('unknown ids, other methods and other paths', async () => {
  assert.deepEqual(await get('/_/pulls/999999'), { status: 404, body: { ok: false, error: 'pull_not_found' } });
  assert.deepEqual(await get('/_/pulls/abc'), { status: 404, body: { ok: false, error: 'pull_not_found' } });
  assert.deepEqual(await get('/_/pulls/01'), { status: 404, body: { ok: false, error: 'pull_not_found' } });
  assert.deepEqual(await get('/_/pulls/1/merge'), { status: 404, body: { ok: false, error: 'not_found' } });
  assert.deepEqual(await get('/_/pulls', { method: 'POST', body: '{}' }), { status: 405, body: { ok: false, error: 'method_not_allowed' } });
  assert.deepEqual(await get('/_/pullsx'), { status: 418, body: 'not mine' });
  assert.deepEqual(await get('/_/tickets'), { status: 418, body: 'not mine' });
});
