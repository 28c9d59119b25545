import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeGitHub } from '../../fakes/fake-github.ts';
import type { GitHubClient } from '../../../src/integrations/github/create-github-client.ts';
import type { WorkflowRunResult } from '../../../src/domain/pull-request.ts';
import { clientFor, rejectsWithCode } from './github-fixtures.ts';

const fake = new FakeGitHub();
const repo = { owner: 'acme', name: 'ops' };
let github: GitHubClient;

before(async () => {
  await fake.start();
  fake.seedRepo({ owner: 'acme', name: 'ops', branches: { release: 'e'.repeat(40) }, workflows: [{ id: 77, name: 'Deploy', path: '.github/workflows/deploy.yml' }] });
  github = clientFor(fake);
});
// Earlier tests' runs become two minutes old: "before the dispatch" for the test that follows.
beforeEach(() => {
  fake.reset();
  for (const run of fake.store.runs) run.createdAt = new Date(Date.parse(run.createdAt) - 120_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
});
after(() => fake.stop());

const deploy = (environment: string, ref = 'main') =>
  github.dispatchWorkflow({ repo, workflow: 'deploy.yml', ref, inputs: { environment, sha: 'abc1234', dry_run: false } });

test('dispatch sends the ref and inputs and returns the run GitHub names', async () => {
  const run = await deploy('staging');
  const [record] = fake.dispatches().slice(-1);
  assert.deepEqual({ ref: record?.ref, inputs: record?.inputs }, { ref: 'main', inputs: { environment: 'staging', sha: 'abc1234', dry_run: false } });
  assert.deepEqual(run, { id: record?.runId, url: `https://github.com/acme/ops/actions/runs/${record?.runId}`, status: 'queued', conclusion: null });
  assert.equal(fake.callsTo('POST', '/repos/acme/ops/actions/workflows/deploy.yml/dispatches')[0]?.status, 200);
  assert.equal(fake.callsTo('GET', /\/runs$/).length, 0, 'no listing needed');
});

test('a server that answers 204 (no run id): the run is found by listing, once it appears', async () => {
  fake.setDispatchBehaviour({ runDetails: false, hiddenListings: 2 });
  const run = await deploy('production');
  const [record] = fake.dispatches().slice(-1);
  assert.equal(run.id, record?.runId);
  assert.deepEqual([run.status, run.conclusion], ['queued', null]);
  const listings = fake.callsTo('GET', '/repos/acme/ops/actions/workflows/deploy.yml/runs');
  assert.equal(listings.length, 3, 'polled until the run was listed');
  assert.deepEqual([listings[0]?.query.get('event'), listings[0]?.query.get('branch')], ['workflow_dispatch', 'main']);
  assert.match(listings[0]?.query.get('created') ?? '', /^>=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});

test('a dispatch run from before the call (someone else\'s) is never taken for ours', async () => {
  fake.setDispatchBehaviour({ runDetails: false });
  const earlier = fake.store.dispatch(fake.store.repo('acme', 'ops'), 'deploy.yml', 'main', {});
  earlier.createdAt = new Date(Date.now() - 120_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const fresh = clientFor(fake); // claims nothing yet
  const run = await fresh.dispatchWorkflow({ repo, workflow: 'deploy.yml', ref: 'main' });
  assert.notEqual(run.id, earlier.id);
  assert.equal(run.id, fake.dispatches().at(-1)?.runId);
});

test('a server that rejects return_run_details (older GHES) is asked again without it', async () => {
  fake.setDispatchBehaviour({ runDetails: false });
  fake.fail({
    status: 422, body: { message: 'Invalid request.\n\n"return_run_details" is not a permitted key.' },
    match: (req) => req.method === 'POST' && (req.body as { return_run_details?: boolean }).return_run_details === true,
  });
  const dispatched = fake.dispatches().length;
  const run = await deploy('staging');
  assert.equal(fake.dispatches().length, dispatched + 1, 'one run dispatched');
  assert.equal(run.id, fake.dispatches().at(-1)?.runId);
  const posts = fake.callsTo('POST', /\/dispatches$/);
  assert.deepEqual(posts.map((c) => [c.status, (c.body as Record<string, unknown>).return_run_details]), [[422, true], [204, undefined]]);
});

test('two dispatches close together each get their own run', async () => {
  fake.setDispatchBehaviour({ runDetails: false });
  const first = await deploy('staging', 'release');
  const second = await deploy('staging', 'release');
  assert.notEqual(first.id, second.id);
  assert.deepEqual([first.id, second.id], fake.dispatches().slice(-2).map((d) => d.runId));
});

test('a run that never appears is a not_found GitHubError that says what to check', async () => {
  fake.setDispatchBehaviour({ runDetails: false, hiddenListings: 100 });
  const error = await rejectsWithCode(deploy('staging'), 'not_found');
  assert.match(error.message, /no run appeared .* check that the workflow has a workflow_dispatch trigger on main/);
  assert.equal(fake.callsTo('GET', /\/runs$/).length, 5);
});

test('dispatching an unknown workflow is not_found; an unknown ref is invalid', async () => {
  await rejectsWithCode(github.dispatchWorkflow({ repo, workflow: 'nope.yml', ref: 'main' }), 'not_found');
  const error = await rejectsWithCode(github.dispatchWorkflow({ repo, workflow: 77, ref: 'no-such-branch' }), 'invalid');
  assert.match(error.message, /No ref found for: no-such-branch/);
});

test('followWorkflowRun reports each change and ends with success and the run link', async () => {
  const run = await deploy('staging');
  const updates: WorkflowRunResult[] = [];
  let polls = 0;
  fake.onRequest((req) => {
    if (req.method !== 'GET' || !req.path.endsWith(`/actions/runs/${run.id}`)) return;
    polls += 1;
    if (polls === 2) fake.startWorkflowRun(run.id);
    if (polls === 4) fake.completeWorkflowRun(run.id, 'success');
  });
  const final = await github.followWorkflowRun(repo, run.id, { intervalMs: 5, timeoutMs: 5000, onUpdate: (u) => void updates.push(u) });
  assert.deepEqual(final, { id: run.id, url: `https://github.com/acme/ops/actions/runs/${run.id}`, status: 'completed', conclusion: 'success' });
  assert.deepEqual(updates.map((u) => [u.status, u.conclusion]), [['queued', null], ['in_progress', null], ['completed', 'success']]);
  assert.equal(polls, 4);
});

test('followWorkflowRun reports a failed run as completed with conclusion failure', async () => {
  const run = await deploy('production');
  fake.completeWorkflowRun(run.id, 'failure');
  const final = await github.followWorkflowRun(repo, run.id, { intervalMs: 5, timeoutMs: 1000 });
  assert.deepEqual([final.status, final.conclusion], ['completed', 'failure']);
});

test('followWorkflowRun gives up at its timeout with the last state it saw', async () => {
  const run = await deploy('staging');
  fake.startWorkflowRun(run.id);
  const final = await github.followWorkflowRun(repo, run.id, { intervalMs: 20, timeoutMs: 100 });
  assert.deepEqual([final.status, final.conclusion], ['in_progress', null]);
  await rejectsWithCode(github.followWorkflowRun(repo, 987654, { intervalMs: 5, timeoutMs: 100 }), 'not_found');
});
