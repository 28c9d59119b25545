import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import pino from 'pino';
import { recordOutcome } from '../../src/db/run-agent.ts';
import { getRun, setStatusMessage, setThreadRoot, transitionRun } from '../../src/db/runs.ts';
import { createGitHubClient } from '../../src/integrations/github/create-github-client.ts';
import { createSlackClient } from '../../src/integrations/slack.ts';
import { createSlackUploader } from '../../src/integrations/slack-upload.ts';
import { createLinearTracker } from '../../src/integrations/trackers/linear-tracker.ts';
import { createRedactor } from '../../src/logger.ts';
import { policySchema } from '../../src/policy.ts';
import { runPublish, type RunPublishDeps } from '../../src/jobs/run-publish.ts';
import { RetryableError } from '../../src/jobs/errors.ts';
import { createTrackerRoutes } from '../../src/jobs/tracker-routes.ts';
import { startPublishFixture } from '../support/agent-publish-fixture.ts';
import { openRequestFor } from '../../src/db/approvals.ts';
import { storeConsensus } from '../../src/db/consensus-results.ts';
import { computeConsensus } from '../../src/domain/consensus.ts';
import { DEFAULT_REVIEW_WEIGHTS, REVIEWERS, type ReviewerResult } from '../../src/domain/review.ts';
import { createQueue } from '../../src/jobs/queue.ts';
import { ACTIONS, parseGateButtonValue } from '../../src/bot/views/action-ids.ts';
import { REPORTS } from '../agents/reviewers/review-script.ts';

/*
 * run.publish on real parts: a bare repository as the remote, the fake GitHub, Linear and Slack.
 * The run is where run.fix leaves a proven one: `reviewing`, its outcome recorded, a commit on its
 * branch in the worktree.
 */

async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  const { db, github, linear, slack, remote, git, workspaces, run: inserted, workspace } = await startPublishFixture(t, {
    cart: 'export const total = (items) => items.length;\n',
  });
  const slackClient = createSlackClient({ apiUrl: slack.apiUrl, token: slack.botToken, retries: 0 });
  const root = await slackClient.postMessage('C1', { text: 'ENG-7' });
  await setThreadRoot(db.pool, inserted.id, root.ts, null);
  await setStatusMessage(db.pool, inserted.id, (await slackClient.postMessage('C1', { text: 'status' }, root.ts)).ts);
  const headSha = (await git(['rev-parse', 'HEAD'], workspace.path)).trim();
  const diff = await git(['diff', workspace.baseSha, 'HEAD'], workspace.path);

  await transitionRun(db.pool, inserted.id, ['queued'], 'running', null);
  await recordOutcome(db.pool, inserted.id, {
    summary: 'Empty carts total 0.',
    headSha,
    diffStats: { files: 1, added: 1, removed: 0 },
    evidence: { testFiles: ['cart.test.js'], sandboxed: true, runs: [{ label: 'change', command: 'npm test', exitCode: 0, timedOut: false, durationMs: 1200 }] },
  });
  await transitionRun(db.pool, inserted.id, ['running'], 'reviewing', 'proven');
  // What run.review leaves: the three reviewers' consensus for the proven head.
  const reviews = REVIEWERS.map((reviewer) => ({ reviewer, status: 'answered', report: REPORTS[reviewer], model: 'claude-sonnet-5-5', costUsd: 0.01 }) as ReviewerResult);
  const consensus = computeConsensus({ headSha, reviews, weights: DEFAULT_REVIEW_WEIGHTS, coderGates: { held: true, failures: [] } });
  await storeConsensus(db.pool, inserted.id, { consensus, reviews, diff });
  const queue = createQueue({ pool: db.pool, schema: `${db.schema}_jobs`, pollIntervalSeconds: 1, log: pino({ level: 'silent' }), supervise: false, listen: false });
  await queue.start();
  t.after(() => queue.stop(1));
  const policy = policySchema.parse({
    teams: { ENG: { tracker: 'linear', channel: 'C1', repo: 'acme/app' } },
    repos: { 'acme/app': {} },
    gates: { merge: { approvers: ['U0APPROVER'] } },
  });
  const deps: RunPublishDeps = {
    pool: db.pool,
    slack: slackClient,
    uploadFile: createSlackUploader({ apiUrl: slack.apiUrl, token: slack.botToken, retries: 0 }),
    github: createGitHubClient({ apiUrl: github.url, auth: { kind: 'token', token: 'ghs_test' }, retries: 0 }),
    workspaces,
    routes: createTrackerRoutes(policy.teams, { linear: createLinearTracker({ apiUrl: linear.apiUrl, apiKey: linear.apiKey }) }),
    policy,
    queue,
    log: pino({ level: 'silent' }),
    redact: createRedactor([]),
  };
  const payload = { runId: inserted.id, workspace, diff };
  return { db, github, slack, remote, deps, payload, runId: inserted.id, threadTs: root.ts };
}

test('run.publish twice: one PR, one review card with Approve / Reject pinned to the head, one open approval request, one diff file, and the run waits for people', async (t) => {
  const { db, github, slack, deps, payload, runId, threadTs } = await setup(t);
  await runPublish(payload, deps);
  await runPublish(payload, deps);

  assert.equal(github.pulls('acme', 'app').length, 1);
  const run = (await getRun(db.pool, runId))!;
  assert.equal(run.status, 'awaiting_approval');
  // The PR description carries the stored review: the score and every finding the card leaves out.
  const body = (github.pulls('acme', 'app')[0] as { body: string }).body;
  assert.match(body, /## Reviewer consensus\n\n\*\*Consensus 0\.\d\d\*\* · passes/);
  assert.ok(body.includes('No input validation on range bounds'), 'the security finding');
  assert.ok(!body.includes('consensus pending'));
  assert.ok(run.progress.includes('pr_open'));
  const cards = slack.repliesTo(threadTs).filter((m) => JSON.stringify(m.blocks ?? []).includes(ACTIONS.gateApprove));
  assert.equal(cards.length, 1, 'one card');
  const card = JSON.stringify(cards[0]!.blocks);
  assert.ok(card.includes(run.prUrl!));
  assert.ok(card.includes('items.length'), 'the diff preview');
  const approve = (cards[0]!.blocks as { type: string; elements?: { action_id?: string; value?: string }[] }[])
    .flatMap((b) => b.elements ?? []).find((e) => e.action_id === ACTIONS.gateApprove);
  assert.deepEqual(parseGateButtonValue(approve?.value), { ok: true, value: { runId, gate: 'merge', headSha: run.headSha } });
  const request = await openRequestFor(db.pool, runId, 'merge');
  assert.equal(request?.headSha, run.headSha, 'one open request, for the pushed head');
  assert.equal(request?.messageTs, cards[0]!.ts, 'which knows its card');
  const uploads = slack.uploads().filter((u) => u.completed);
  assert.equal(uploads.length, 1, 'one file');
  assert.equal(uploads[0]!.thread_ts, threadTs);
  assert.equal(uploads[0]!.data!.toString(), payload.diff);
});

test('a run cancelled before run.publish came is not published', async (t) => {
  const { db, github, slack, deps, payload, runId, threadTs } = await setup(t);
  await transitionRun(db.pool, runId, ['reviewing'], 'cancelled', 'cancelled by hand');
  await runPublish(payload, deps);
  assert.equal(github.pulls('acme', 'app').length, 0);
  assert.equal(slack.uploads().length, 0);
  assert.equal(slack.repliesTo(threadTs).length, 1, 'only the status message');
});

test('run.publish on a worker that does not see the worktree hands the job back with the reason, publishing nothing', async (t) => {
  const { db, github, remote, deps, payload, runId } = await setup(t);
  // As on a worker whose DATA_DIR is not the one run.fix used.
  await rm(payload.workspace.path, { recursive: true, force: true });
  await assert.rejects(runPublish(payload, deps), (error: unknown) => {
    assert.ok(error instanceof RetryableError);
    assert.equal(error.code, 'workspace_not_here');
    assert.match(error.message, /share one DATA_DIR/);
    return true;
  });
  assert.equal(github.pulls('acme', 'app').length, 0);
  assert.ok(![...(await remote.refs()).keys()].some((ref) => ref.startsWith('refs/heads/baton/')), 'nothing pushed');
  assert.equal((await getRun(db.pool, runId))!.status, 'reviewing');
});
