import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Octokit } from '@octokit/rest';
import { FakeGitHub } from './fake-github.ts';

const fake = new FakeGitHub();
let gh: Octokit;

before(async () => {
  await fake.start();
  gh = new Octokit({ auth: 'ghs_test', baseUrl: fake.url, request: { retries: 0 } });
});

after(() => fake.stop());

/** Octokit's RequestError, checked by shape so the test needs no transitive import. */
function httpError(status: number, text?: string) {
  return (error: unknown): boolean => {
    const e = error as { status?: number; message?: string };
    assert.equal(e.status, status, `expected HTTP ${status}, got ${e.status}: ${e.message}`);
    if (text) assert.ok(e.message?.includes(text), `"${e.message}" should include "${text}"`);
    return true;
  };
}

test('PR create, list by head, get, label, comment and merge with sha', async () => {
  fake.seedRepo({ owner: 'acme', name: 'app', branches: { 'baton/fix-1': 'a'.repeat(40) } });

  const { data: repo } = await gh.repos.get({ owner: 'acme', repo: 'app' });
  assert.equal(repo.default_branch, 'main');

  const created = await gh.pulls.create({ owner: 'acme', repo: 'app', head: 'baton/fix-1', base: 'main', title: 'Fix #1', body: 'Closes ENG-1' });
  assert.equal(created.status, 201);
  assert.equal(created.data.html_url, `https://github.com/acme/app/pull/${created.data.number}`);

  const { data: byHead } = await gh.pulls.list({ owner: 'acme', repo: 'app', head: 'acme:baton/fix-1', state: 'open' });
  assert.deepEqual(byHead.map((p) => p.number), [created.data.number]);
  const { data: noMatch } = await gh.pulls.list({ owner: 'acme', repo: 'app', head: 'acme:other', state: 'open' });
  assert.equal(noMatch.length, 0);

  const { data: pr } = await gh.pulls.get({ owner: 'acme', repo: 'app', pull_number: created.data.number });
  assert.equal(pr.state, 'open');
  assert.equal(pr.merged, false);
  assert.equal(pr.mergeable, true);
  assert.equal(pr.mergeable_state, 'clean');
  assert.equal(pr.head.sha, 'a'.repeat(40));
  assert.equal(pr.head.ref, 'baton/fix-1');
  assert.equal(pr.base.ref, 'main');

  await gh.pulls.update({ owner: 'acme', repo: 'app', pull_number: pr.number, title: 'Fix #1 (v2)' });
  const { data: labels } = await gh.issues.addLabels({ owner: 'acme', repo: 'app', issue_number: pr.number, labels: ['baton'] });
  assert.deepEqual(labels.map((l) => l.name), ['baton']);
  const comment = await gh.issues.createComment({ owner: 'acme', repo: 'app', issue_number: pr.number, body: 'Ready for review' });
  assert.equal(comment.status, 201);
  assert.deepEqual(fake.comments('acme', 'app', pr.number), ['Ready for review']);

  const { data: merge } = await gh.pulls.merge({ owner: 'acme', repo: 'app', pull_number: pr.number, sha: pr.head.sha, merge_method: 'squash' });
  assert.equal(merge.merged, true);
  assert.match(merge.sha, /^[0-9a-f]{40}$/);

  const { data: after } = await gh.pulls.get({ owner: 'acme', repo: 'app', pull_number: pr.number });
  assert.equal(after.title, 'Fix #1 (v2)');
  assert.equal(after.state, 'closed');
  assert.equal(after.merged, true);
  assert.equal(after.merge_commit_sha, merge.sha);
  assert.equal(fake.pulls('acme', 'app').length, 1);
});

test('a second PR for the same head is rejected with 422 like GitHub', async () => {
  fake.seedRepo({ owner: 'acme', name: 'dup', branches: { 'baton/dup': 'b'.repeat(40) } });
  await gh.pulls.create({ owner: 'acme', repo: 'dup', head: 'baton/dup', base: 'main', title: 'first' });
  await assert.rejects(
    gh.pulls.create({ owner: 'acme', repo: 'dup', head: 'baton/dup', base: 'main', title: 'second' }),
    (error: unknown) => {
      httpError(422, 'A pull request already exists for acme:baton/dup.')(error);
      const data = (error as { response: { data: { errors: { code: string }[] } } }).response.data;
      assert.equal(data.errors[0]?.code, 'custom');
      return true;
    },
  );
});

test('merge refuses a moved head (409), a disallowed method (405) and an unmergeable PR (405)', async () => {
  fake.seedRepo({ owner: 'acme', name: 'strict', mergeMethods: ['squash'], requiredChecks: ['ci'] });
  const number = fake.seedPull('acme', 'strict', { head: 'baton/strict', title: 'strict' });
  const { data: pr } = await gh.pulls.get({ owner: 'acme', repo: 'strict', pull_number: number });
  const oldSha = pr.head.sha;

  fake.setHead('acme', 'strict', 'baton/strict', 'c'.repeat(40));
  const { data: moved } = await gh.pulls.get({ owner: 'acme', repo: 'strict', pull_number: number });
  assert.equal(moved.head.sha, 'c'.repeat(40));
  await assert.rejects(
    gh.pulls.merge({ owner: 'acme', repo: 'strict', pull_number: number, sha: oldSha, merge_method: 'squash' }),
    httpError(409, 'Head branch was modified. Review and try the merge again.'),
  );
  await assert.rejects(
    gh.pulls.merge({ owner: 'acme', repo: 'strict', pull_number: number, sha: moved.head.sha, merge_method: 'merge' }),
    httpError(405, 'Merge commits are not allowed on this repository.'),
  );

  assert.equal(moved.mergeable_state, 'blocked');
  await assert.rejects(
    gh.pulls.merge({ owner: 'acme', repo: 'strict', pull_number: number, sha: moved.head.sha, merge_method: 'squash' }),
    httpError(405, 'Required status check "ci" is expected.'),
  );

  fake.updatePull('acme', 'strict', number, { mergeable: false });
  await assert.rejects(
    gh.pulls.merge({ owner: 'acme', repo: 'strict', pull_number: number, merge_method: 'squash' }),
    httpError(405, 'Pull Request is not mergeable'),
  );

  fake.updatePull('acme', 'strict', number, { mergeable: true });
  fake.addCheckRun('acme', 'strict', 'baton/strict', { name: 'ci', conclusion: 'success' });
  const { data: merged } = await gh.pulls.merge({ owner: 'acme', repo: 'strict', pull_number: number, sha: moved.head.sha, merge_method: 'squash' });
  assert.equal(merged.merged, true);
});

test('merges record the commit title and message sent, or GitHub\'s defaults; a rebase writes no merge commit', async () => {
  fake.seedRepo({ owner: 'acme', name: 'history' });
  const titled = fake.seedPull('acme', 'history', { head: 'baton/a', title: 'Fix A' });
  const plain = fake.seedPull('acme', 'history', { head: 'baton/b', title: 'Fix B' });
  const rebased = fake.seedPull('acme', 'history', { head: 'baton/c', title: 'Fix C' });
  await gh.pulls.merge({ owner: 'acme', repo: 'history', pull_number: titled, merge_method: 'squash', commit_title: 'Fix A (#1)', commit_message: 'Approved by @ada' });
  await gh.pulls.merge({ owner: 'acme', repo: 'history', pull_number: plain, merge_method: 'merge' });
  await gh.pulls.merge({ owner: 'acme', repo: 'history', pull_number: rebased, merge_method: 'rebase', commit_title: 'ignored' });
  assert.deepEqual(
    fake.merges('acme', 'history').map(({ sha: _sha, ...rest }) => rest),
    [
      { number: titled, method: 'squash', commitTitle: 'Fix A (#1)', commitMessage: 'Approved by @ada' },
      { number: plain, method: 'merge', commitTitle: `Merge pull request #${plain} from acme/baton/b`, commitMessage: 'Fix B' },
      { number: rebased, method: 'rebase', commitTitle: null, commitMessage: null },
    ],
  );
});

test('pushToPull moves an open PR\'s head and says what it moved from; a closed PR is not updated by a push', async () => {
  fake.seedRepo({ owner: 'acme', name: 'pushes', branches: { 'baton/p': 'e'.repeat(40) } });
  const number = fake.seedPull('acme', 'pushes', { head: 'baton/p' });
  const pushed = fake.pushToPull('acme', 'pushes', number, 'f'.repeat(40));
  assert.deepEqual(pushed, { before: 'e'.repeat(40), after: 'f'.repeat(40) });
  const { data: pr } = await gh.pulls.get({ owner: 'acme', repo: 'pushes', pull_number: number });
  assert.equal(pr.head.sha, 'f'.repeat(40));
  const generated = fake.pushToPull('acme', 'pushes', number);
  assert.equal(generated.before, 'f'.repeat(40));
  assert.match(generated.after, /^[0-9a-f]{40}$/);
  assert.notEqual(generated.after, generated.before);
  await gh.pulls.update({ owner: 'acme', repo: 'pushes', pull_number: number, state: 'closed' });
  assert.throws(() => fake.pushToPull('acme', 'pushes', number), /is closed/);
});

test('check runs and commit statuses are readable per ref', async () => {
  fake.seedRepo({ owner: 'acme', name: 'ci', branches: { 'baton/ci': 'd'.repeat(40) } });
  const number = fake.seedPull('acme', 'ci', { head: 'baton/ci' });
  fake.addCheckRun('acme', 'ci', 'baton/ci', { name: 'build', status: 'in_progress' });
  fake.addCheckRun('acme', 'ci', 'baton/ci', { name: 'build', conclusion: 'success' });
  fake.addCheckRun('acme', 'ci', 'd'.repeat(40), { name: 'lint', conclusion: 'failure' });
  fake.setStatus('acme', 'ci', 'baton/ci', 'deploy/preview', 'pending');

  const { data: checks } = await gh.checks.listForRef({ owner: 'acme', repo: 'ci', ref: 'd'.repeat(40) });
  assert.equal(checks.total_count, 2);
  assert.deepEqual(
    checks.check_runs.map((r) => [r.name, r.status, r.conclusion]),
    [['build', 'completed', 'success'], ['lint', 'completed', 'failure']],
  );
  const { data: all } = await gh.checks.listForRef({ owner: 'acme', repo: 'ci', ref: 'baton/ci', filter: 'all' });
  assert.equal(all.total_count, 3);

  let { data: combined } = await gh.repos.getCombinedStatusForRef({ owner: 'acme', repo: 'ci', ref: 'baton/ci' });
  assert.equal(combined.state, 'pending');
  assert.equal(combined.sha, 'd'.repeat(40));
  fake.setStatus('acme', 'ci', 'baton/ci', 'deploy/preview', 'success', { targetUrl: 'https://preview.example' });
  ({ data: combined } = await gh.repos.getCombinedStatusForRef({ owner: 'acme', repo: 'ci', ref: 'baton/ci' }));
  assert.equal(combined.state, 'success');
  assert.equal(combined.statuses[0]?.target_url, 'https://preview.example');

  const { data: pr } = await gh.pulls.get({ owner: 'acme', repo: 'ci', pull_number: number });
  assert.equal(pr.mergeable_state, 'unstable', 'a failing non-required check makes the PR unstable');
});

test('workflow dispatch records ref and inputs, and its run can be advanced and read', async () => {
  fake.seedRepo({ owner: 'acme', name: 'ops', workflows: [{ id: 77, name: 'Deploy', path: '.github/workflows/deploy.yml' }] });
  const since = new Date(Date.now() - 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

  const dispatched = await gh.actions.createWorkflowDispatch({
    owner: 'acme', repo: 'ops', workflow_id: 'deploy.yml', ref: 'main', inputs: { environment: 'staging' },
  });
  assert.equal(dispatched.status, 204);
  const [record] = fake.dispatches();
  assert.deepEqual({ ref: record?.ref, inputs: record?.inputs }, { ref: 'main', inputs: { environment: 'staging' } });

  const { data: runs } = await gh.actions.listWorkflowRuns({
    owner: 'acme', repo: 'ops', workflow_id: 77, event: 'workflow_dispatch', branch: 'main', created: `>=${since}`,
  });
  assert.equal(runs.total_count, 1);
  const runId = runs.workflow_runs[0]!.id as number;
  assert.equal(runId, record?.runId);

  let { data: run } = await gh.actions.getWorkflowRun({ owner: 'acme', repo: 'ops', run_id: runId });
  assert.equal(run.status, 'queued');
  assert.equal(run.conclusion, null);
  fake.startWorkflowRun(runId);
  ({ data: run } = await gh.actions.getWorkflowRun({ owner: 'acme', repo: 'ops', run_id: runId }));
  assert.equal(run.status, 'in_progress');
  fake.completeWorkflowRun(runId, 'failure');
  ({ data: run } = await gh.actions.getWorkflowRun({ owner: 'acme', repo: 'ops', run_id: runId }));
  assert.equal(run.status, 'completed');
  assert.equal(run.conclusion, 'failure');
  assert.equal(run.html_url, `https://github.com/acme/ops/actions/runs/${runId}`);

  const detailed = await gh.actions.createWorkflowDispatch({
    owner: 'acme', repo: 'ops', workflow_id: 77, ref: 'main', return_run_details: true,
  });
  assert.equal(detailed.status, 200);
  assert.equal((detailed.data as { workflow_run_id?: number }).workflow_run_id, fake.dispatches()[1]?.runId);

  const { data: none } = await gh.actions.listWorkflowRuns({ owner: 'acme', repo: 'ops', workflow_id: 'deploy.yml', branch: 'release' });
  assert.equal(none.total_count, 0);
  await assert.rejects(
    gh.actions.createWorkflowDispatch({ owner: 'acme', repo: 'ops', workflow_id: 'missing.yml', ref: 'main' }),
    httpError(404),
  );
});

test('deployments: create, add statuses, list them; failing checks block an unscoped deployment', async () => {
  fake.seedRepo({ owner: 'acme', name: 'web' });
  const { data: deployment } = await gh.repos.createDeployment({
    owner: 'acme', repo: 'web', ref: 'main', environment: 'staging', required_contexts: [], auto_merge: false,
  });
  assert.ok('id' in deployment);
  assert.equal(deployment.environment, 'staging');

  const status = await gh.repos.createDeploymentStatus({
    owner: 'acme', repo: 'web', deployment_id: deployment.id, state: 'success', environment_url: 'https://staging.example',
  });
  assert.equal(status.status, 201);
  const { data: statuses } = await gh.repos.listDeploymentStatuses({ owner: 'acme', repo: 'web', deployment_id: deployment.id });
  assert.deepEqual(statuses.map((s) => [s.state, s.environment_url]), [['success', 'https://staging.example']]);
  assert.equal(fake.deployments('acme', 'web')[0]?.statuses.length, 1);

  fake.addCheckRun('acme', 'web', 'main', { name: 'e2e', conclusion: 'failure' });
  await assert.rejects(
    gh.repos.createDeployment({ owner: 'acme', repo: 'web', ref: 'main', environment: 'production' }),
    httpError(409, 'Conflict: Commit status checks failed for main.'),
  );
});

test('a wrong token gets 401 Bad credentials', async () => {
  const stranger = new Octokit({ auth: 'ghs_wrong', baseUrl: fake.url, request: { retries: 0 } });
  await assert.rejects(stranger.repos.get({ owner: 'acme', repo: 'app' }), httpError(401, 'Bad credentials'));
});

test('injected faults and latency reach the client', async () => {
  fake.fail({ status: 503, body: { message: 'Service Unavailable' } });
  await assert.rejects(gh.repos.get({ owner: 'acme', repo: 'app' }), httpError(503, 'Service Unavailable'));

  fake.fail({ delayMs: 150 });
  const started = Date.now();
  const { data } = await gh.repos.get({ owner: 'acme', repo: 'app' });
  assert.equal(data.full_name, 'acme/app');
  assert.ok(Date.now() - started >= 140, 'the answer should have been delayed');
});

test('lists paginate with a link header Octokit follows', async () => {
  fake.seedRepo({ owner: 'acme', name: 'many' });
  for (let i = 0; i < 5; i++) fake.seedPull('acme', 'many', { head: `b${i}` });
  const pulls = await gh.paginate(gh.pulls.list, { owner: 'acme', repo: 'many', per_page: 2 });
  assert.deepEqual(pulls.map((p) => p.number), [5, 4, 3, 2, 1]);
  // GitHub silently ignores a head filter without the `owner:` prefix; so does the fake.
  const { data: bare } = await gh.pulls.list({ owner: 'acme', repo: 'many', head: 'b1' });
  assert.equal(bare.length, 5);
});

test('App auth: a valid RS256 JWT buys a ghs_ token the other routes accept; a bad or expired one is refused', async () => {
  const { generateKeyPairSync, sign } = await import('node:crypto');
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  fake.configureApp({ appId: 9, publicKey, installationId: 31 });
  const jwt = (claims: Record<string, unknown>): string => {
    const part = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
    const unsigned = `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}`;
    return `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), privateKey).toString('base64url')}`;
  };
  const now = Math.floor(Date.now() / 1000);
  const exchange = (token: string, id = 31) =>
    fetch(`${fake.url}/app/installations/${id}/access_tokens`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });

  const ok = await exchange(jwt({ iss: 9, iat: now - 30, exp: now + 540 }));
  assert.equal(ok.status, 201);
  const { token } = (await ok.json()) as { token: string };
  assert.match(token, /^ghs_[A-Za-z0-9]+$/);
  const app = new Octokit({ auth: token, baseUrl: fake.url });
  assert.equal((await app.repos.get({ owner: 'acme', repo: 'app' })).data.name, 'app');

  assert.equal((await exchange(jwt({ iss: 9, iat: now - 700, exp: now - 100 }))).status, 401, 'expired');
  assert.equal((await exchange(jwt({ iss: 9, iat: now, exp: now + 3600 }))).status, 401, 'lives longer than 10 minutes');
  assert.equal((await exchange(jwt({ iss: 8, iat: now, exp: now + 60 }))).status, 401, 'another App');
  assert.equal((await exchange(`${jwt({ iss: 9, iat: now, exp: now + 60 })}x`)).status, 401, 'bad signature');
  assert.equal((await exchange(jwt({ iss: 9, iat: now, exp: now + 60 }), 32)).status, 404, 'not installed there');
});

test('request hooks run before the answer until removed', async () => {
  const seen: string[] = [];
  const remove = fake.onRequest((req) => void seen.push(`${req.method} ${req.path}`));
  await gh.repos.get({ owner: 'acme', repo: 'app' });
  remove();
  await gh.repos.get({ owner: 'acme', repo: 'app' });
  assert.deepEqual(seen, ['GET /repos/acme/app']);
});
