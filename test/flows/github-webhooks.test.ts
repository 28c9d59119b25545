import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { setPullRequest } from '../../src/db/runs.ts';
import { AGENT_NOT_CONFIGURED } from '../../src/jobs/run-fix.ts';
import { FakeSlack, type SlackMessage } from '../fakes/fake-slack.ts';
import { FakeLinear } from '../fakes/fake-linear.ts';
import { FakeGitHub } from '../fakes/fake-github.ts';
import { sendSignedSlack, slashCommandBody } from '../fakes/sign-slack-request.ts';
import { SLACK_DEFAULTS } from '../fakes/slack-defaults.ts';
import { fixture } from '../bot/webhooks/load-fixture.ts';
import { flipOneByte, hmacHex } from '../bot/webhooks/sign.ts';
import { count, createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { startTestBaton, type TestBaton } from '../support/start-test-baton.ts';
import { jobFinished } from '../support/job-finished.ts';
import { eventually } from '../support/eventually.ts';

/*
 * GitHub deliveries end to end: signed bytes over HTTP into Baton as `npm start` builds it (with
 * GITHUB_TOKEN set, so the intake.event worker handles GitHub events), the delivery row and
 * intake.event job in PostgreSQL, and what the worker does to the run, its audit log and its Slack
 * thread. Each test starts its own run with `/agent fix ENG-n` and attaches a PR to it the way
 * publishing does (setPullRequest), so tests do not depend on each other.
 */

const SECRET = 'gh_wh_current_7c41e0b2';
const PREVIOUS = 'gh_wh_previous_29fd5a18';
const GITHUB_TOKEN = 'ghp_GitHubWebhooksFlowToken_0123456789';
const OWNER = 'acme';
const NAME = 'shop';
const REPO = `${OWNER}/${NAME}`;
const channel = SLACK_DEFAULTS.channelId;

let db: TestDatabase;
let slack: FakeSlack;
let linear: FakeLinear;
let github: FakeGitHub;
let app: TestBaton;
let jobs: string;

before(async () => {
  db = await createTestDatabase();
  jobs = `${db.schema}_jobs.job`;
  slack = new FakeSlack();
  linear = new FakeLinear();
  github = new FakeGitHub({ token: GITHUB_TOKEN });
  await Promise.all([slack.start(), linear.start(), github.start()]);
  linear.addTeam({ key: 'ENG', name: 'Engineering' });
  for (let n = 1; n <= 20; n++) linear.addIssue({ team: 'ENG', number: n, title: `GitHub flow ticket ${n}` });
  // The runs' PRs exist, open, on GitHub too, so a reconcile tick that polls them changes nothing.
  github.seedRepo({ owner: OWNER, name: NAME });
  app = await startTestBaton({
    db,
    slack,
    linear,
    env: {
      GITHUB_TOKEN,
      GITHUB_API_URL: github.url,
      GITHUB_WEBHOOK_SECRET: SECRET,
      GITHUB_WEBHOOK_SECRET_PREVIOUS: PREVIOUS,
    },
    policy: {
      scheduling: { reconcile_interval_minutes: 60 },
      teams: { ENG: { tracker: 'linear', channel: 'C0ENG' } },
    },
  });
});

after(async () => {
  await app?.stop();
  await Promise.all([slack?.stop(), linear?.stop(), github?.stop()]);
  await db?.drop();
});

// ---- runs with a PR ------------------------------------------------------------------------

interface RunRow {
  id: string;
  ticket_key: string;
  status: string;
  status_reason: string | null;
  thread_ts: string | null;
  status_ts: string | null;
  pr_number: number | null;
  head_sha: string | null;
}

interface RunWithPr {
  id: string;
  key: string;
  threadTs: string;
  number: number;
  branch: string;
  headSha: string;
}

let nextTicket = 1;

async function runOf(id: string): Promise<RunRow> {
  const { rows } = await db.pool.query<RunRow>('SELECT * FROM runs WHERE id = $1', [id]);
  assert.equal(rows.length, 1, `run ${id} exists`);
  return rows[0]!;
}

/** Waits for a job to finish and fails with pg-boss's output if it did not complete. */
const finished = (where: string, values: unknown[], what: string): Promise<void> => jobFinished(db.pool, jobs, where, values, what);

/**
 * `/agent fix ENG-n`, then waits for run.fix to open the thread and finish (the agent is not
 * built, so the run stays queued), then records a PR on it as publishing would: the PR is opened
 * on the fake GitHub from a baton/ branch, and its number, branch and head are set on the run.
 */
async function runWithPullRequest(): Promise<RunWithPr> {
  const key = `ENG-${nextTicket++}`;
  const answer = await sendSignedSlack(app.slackEventsUrl, 'command', slashCommandBody({ text: `fix ${key}`, channel_id: channel }), {
    secret: SLACK_DEFAULTS.signingSecret,
  });
  assert.equal(answer.status, 200);
  const created = await eventually(async () => {
    const { rows } = await db.pool.query<RunRow>('SELECT * FROM runs WHERE ticket_key = $1', [key]);
    return rows[0];
  }, 10_000, `a run for ${key}`);
  await finished(`name = 'run.fix' AND data->>'runId' = $1`, [created.id], `run.fix for ${key}`);
  const run = await runOf(created.id);
  assert.ok(run.thread_ts && run.status_ts, `${key}'s thread is open with its status message`);
  assert.equal(run.status, 'queued');
  assert.equal(run.status_reason, AGENT_NOT_CONFIGURED);

  const branch = `baton/${key}-fix-checkout-button`;
  const headSha = github.setHead(OWNER, NAME, branch, randomBytes(20).toString('hex'));
  const number = github.seedPull(OWNER, NAME, { head: branch, title: `${key}: Fix checkout button` });
  const url = `https://github.com/${REPO}/pull/${number}`;
  const withPr = await setPullRequest(db.pool, run.id, { repo: REPO, branch, number, url, headSha });
  assert.equal(withPr?.prNumber, number);
  return { id: run.id, key, threadTs: run.thread_ts, number, branch, headSha };
}

const replies = (run: RunWithPr): SlackMessage[] => slack.repliesTo(run.threadTs);
/** A message's text and blocks, as one string to search. */
const shown = (m: SlackMessage): string => `${m.text ?? ''}\n${JSON.stringify(m.blocks ?? [])}`;
const audits = (runId: string, action?: string): Promise<{ actor: string; action: string; detail: Record<string, unknown> }[]> =>
  db.pool
    .query<{ actor: string; action: string; detail: Record<string, unknown> }>(
      `SELECT actor, action, detail FROM audit_log WHERE run_id = $1 AND ($2::text IS NULL OR action = $2) ORDER BY id`,
      [runId, action ?? null],
    )
    .then((r) => r.rows);

// ---- GitHub deliveries ---------------------------------------------------------------------

type Json = Record<string, unknown>;

interface GitHubDelivery {
  deliveryId: string;
  event: string;
  body: Buffer;
  headers: Record<string, string>;
}

interface SignOptions {
  /** Signs X-Hub-Signature-256 with this secret; `null` sends no signature header. */
  secret?: string | null;
  deliveryId?: string;
  /** Replaces the whole X-Hub-Signature-256 value. */
  signatureHeader?: string;
  extraHeaders?: Record<string, string>;
}

/** The exact bytes of a payload, signed and addressed as GitHub sends them. */
function delivery(event: string, payload: Json, sign: SignOptions = {}): GitHubDelivery {
  const body = Buffer.from(JSON.stringify(payload));
  const deliveryId = sign.deliveryId ?? randomUUID();
  const secret = sign.secret === undefined ? SECRET : sign.secret;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/a1b2c3d',
    'x-github-event': event,
    'x-github-delivery': deliveryId,
    'x-github-hook-id': '482910374',
    ...sign.extraHeaders,
  };
  if (sign.signatureHeader !== undefined) headers['x-hub-signature-256'] = sign.signatureHeader;
  else if (secret !== null) headers['x-hub-signature-256'] = `sha256=${hmacHex(secret, body)}`;
  return { deliveryId, event, body, headers };
}

interface Answer {
  status: number;
  json: Json;
}

async function send(d: GitHubDelivery, body: Buffer = d.body): Promise<Answer> {
  const response = await fetch(`${app.url}/webhooks/github`, { method: 'POST', headers: d.headers, body });
  const text = await response.text();
  return { status: response.status, json: JSON.parse(text) as Json };
}

/** The pull_request fields a payload carries for the run's PR (number, page, head branch and SHA). */
function pointAt(pr: Json, run: Pick<RunWithPr, 'number' | 'branch' | 'headSha'>): void {
  pr.number = run.number;
  pr.html_url = `https://github.com/${REPO}/pull/${run.number}`;
  Object.assign(pr.head as Json, { ref: run.branch, sha: run.headSha });
}

function pullRequestClosed(run: Pick<RunWithPr, 'number' | 'branch' | 'headSha'>, merged: boolean, repo = REPO): Json {
  const payload = fixture(merged ? 'github-pull-request-closed-merged.json' : 'github-pull-request-closed-unmerged.json');
  payload.number = run.number;
  pointAt(payload.pull_request as Json, run);
  (payload.repository as Json).full_name = repo;
  return payload;
}

function checkSuiteCompleted(run: RunWithPr, sha: string, conclusion: string): Json {
  const payload = fixture('github-check-suite-completed.json');
  const suite = payload.check_suite as Json;
  Object.assign(suite, { head_sha: sha, head_branch: run.branch, conclusion, after: sha });
  const [pr] = suite.pull_requests as Json[];
  pr!.number = run.number;
  Object.assign(pr!.head as Json, { ref: run.branch, sha });
  return payload;
}

function reviewSubmitted(run: RunWithPr, body: string, user: { login: string; type: string }): Json {
  const payload = fixture('github-pull-request-review-submitted.json');
  pointAt(payload.pull_request as Json, run);
  const review = payload.review as Json;
  Object.assign(review.user as Json, user);
  review.body = body;
  review.html_url = `https://github.com/${REPO}/pull/${run.number}#pullrequestreview-1`;
  return payload;
}

function issueCommentCreated(run: RunWithPr, body: string, user: { login: string; type: string }): Json {
  const payload = fixture('github-issue-comment-created.json');
  const issue = payload.issue as Json;
  issue.number = run.number;
  const comment = payload.comment as Json;
  Object.assign(comment.user as Json, user);
  comment.body = body;
  comment.html_url = `https://github.com/${REPO}/pull/${run.number}#issuecomment-1`;
  return payload;
}

function reviewCommentCreated(run: RunWithPr, body: string): Json {
  // The fixture's commenter is sonarcloud[bot], a Bot user.
  const payload = fixture('github-pull-request-review-comment-created.json');
  pointAt(payload.pull_request as Json, run);
  (payload.comment as Json).body = body;
  return payload;
}

const deliveryRows = (d: GitHubDelivery): Promise<number> =>
  count(db.pool, `SELECT 1 FROM deliveries WHERE source = 'github' AND delivery_id = $1`, [d.deliveryId]);
const intakeJobs = (d: GitHubDelivery): Promise<number> =>
  count(db.pool, `SELECT 1 FROM ${jobs} WHERE name = 'intake.event' AND data->>'deliveryId' = $1`, [d.deliveryId]);

/** Everything a webhook request can write: delivery rows and intake jobs (only webhooks make either). */
async function written(): Promise<{ deliveries: number; intakeJobs: number }> {
  return {
    deliveries: await count(db.pool, 'SELECT 1 FROM deliveries'),
    intakeJobs: await count(db.pool, `SELECT 1 FROM ${jobs} WHERE name = 'intake.event'`),
  };
}

/** The worker has taken the delivery's intake.event job and completed it. */
const processed = (d: GitHubDelivery): Promise<void> =>
  finished(`name = 'intake.event' AND data->>'deliveryId' = $1`, [d.deliveryId], `intake.event of delivery ${d.deliveryId}`);

async function sendQueued(d: GitHubDelivery): Promise<void> {
  const answer = await send(d);
  assert.equal(answer.status, 200, JSON.stringify(answer.json));
  assert.deepEqual(answer.json, { status: 'queued' });
  assert.equal(await deliveryRows(d), 1);
  assert.equal(await intakeJobs(d), 1);
}

/** Sends a delivery that must be queued, and waits until the worker has handled it. */
async function deliver(d: GitHubDelivery): Promise<void> {
  await sendQueued(d);
  await processed(d);
}

// ---- 1. signatures -------------------------------------------------------------------------

test('tampered or unsigned deliveries are refused with 401 and nothing is recorded or enqueued; the previous secret (rotation) is accepted', async () => {
  const run = await runWithPullRequest();
  const payload = pullRequestClosed(run, true);
  const signed = delivery('pull_request', payload);
  const before = await written();

  const attempts: { what: string; d: GitHubDelivery; body?: Buffer; reason: RegExp }[] = [
    { what: 'one byte changed after signing', d: signed, body: flipOneByte(signed.body), reason: /does not match/ },
    { what: 'no signature header', d: delivery('pull_request', payload, { secret: null }), reason: /missing X-Hub-Signature-256/ },
    { what: 'signed with a secret Baton does not have', d: delivery('pull_request', payload, { secret: 'gh_wh_someone_elses' }), reason: /does not match/ },
    {
      // The right digest under the wrong scheme: the prefix is checked, not just the hex.
      what: 'sha1= prefix on the sha256 digest',
      d: delivery('pull_request', payload, { signatureHeader: `sha1=${hmacHex(SECRET, signed.body)}` }),
      reason: /not a sha256= signature/,
    },
    {
      // GitHub's legacy SHA-1 header alone, correctly signed, is not enough.
      what: 'only the legacy X-Hub-Signature: sha1=',
      d: delivery('pull_request', payload, {
        secret: null,
        extraHeaders: { 'x-hub-signature': `sha1=${createHmac('sha1', SECRET).update(signed.body).digest('hex')}` },
      }),
      reason: /missing X-Hub-Signature-256/,
    },
  ];
  for (const attempt of attempts) {
    const answer = await send(attempt.d, attempt.body);
    assert.equal(answer.status, 401, `${attempt.what}: ${JSON.stringify(answer.json)}`);
    assert.equal(answer.json.error, 'invalid_signature', attempt.what);
    assert.match(String(answer.json.reason), attempt.reason, attempt.what);
    assert.equal(await deliveryRows(attempt.d), 0, `${attempt.what}: no delivery row`);
    assert.equal(await intakeJobs(attempt.d), 0, `${attempt.what}: no intake.event job`);
  }
  assert.deepEqual(await written(), before, 'no refused delivery wrote anything');
  assert.equal((await runOf(run.id)).status, 'queued', 'the run is untouched');
  assert.equal(replies(run).length, 1, 'only the status message is in the thread');

  // The same payload, signed with the secret being rotated out, is taken and acts on the run:
  // so the refusals above were about the signatures, not about a payload Baton would ignore.
  const rotated = delivery('pull_request', payload, { secret: PREVIOUS });
  await deliver(rotated);
  assert.equal((await runOf(run.id)).status, 'succeeded');
});

// ---- 2. redelivery -------------------------------------------------------------------------

test('the same delivery sent three times: queued once, then duplicate; one row, one job, one thread message', async () => {
  const run = await runWithPullRequest();
  const first = delivery('pull_request_review', reviewSubmitted(run, 'Ship it once.', { login: 'grace-h', type: 'User' }));
  const answers: Answer[] = [];
  // A manual "Redeliver" in GitHub's UI sends the same X-GitHub-Delivery and the same bytes.
  for (let i = 0; i < 3; i++) answers.push(await send(first));
  assert.deepEqual(
    answers.map((a) => [a.status, a.json.status]),
    [[200, 'queued'], [200, 'duplicate'], [200, 'duplicate']],
  );
  assert.equal(await deliveryRows(first), 1);
  assert.equal(await intakeJobs(first), 1);
  await processed(first);
  const relayed = replies(run).filter((m) => shown(m).includes('Ship it once.'));
  assert.equal(relayed.length, 1, `the review reached the thread once: ${replies(run).map(shown).join(' | ')}`);
});

test('a captured signed body resent under a new X-GitHub-Delivery is a duplicate: nothing enqueued, nothing relayed again', async () => {
  const run = await runWithPullRequest();
  const original = delivery('issue_comment', issueCommentCreated(run, 'Said once.', { login: 'grace-h', type: 'User' }));
  assert.equal((await send(original)).json.status, 'queued');
  await processed(original);
  const replayed: GitHubDelivery = { ...original, deliveryId: randomUUID() };
  replayed.headers = { ...original.headers, 'x-github-delivery': replayed.deliveryId };
  const answer = await send(replayed);
  assert.deepEqual([answer.status, answer.json.status], [200, 'duplicate']);
  assert.equal(await intakeJobs(replayed), 0);
  assert.equal(await deliveryRows(replayed), 0);
  assert.equal(replies(run).filter((m) => shown(m).includes('Said once.')).length, 1);
});

test('three concurrent copies of one delivery: exactly one is queued', async () => {
  const run = await runWithPullRequest();
  const copy = delivery('pull_request_review', reviewSubmitted(run, 'Racing copies.', { login: 'grace-h', type: 'User' }));
  const answers = await Promise.all([send(copy), send(copy), send(copy)]);
  assert.deepEqual(answers.map((a) => a.status), [200, 200, 200]);
  assert.deepEqual(answers.map((a) => a.json.status).sort(), ['duplicate', 'duplicate', 'queued']);
  assert.equal(await deliveryRows(copy), 1);
  assert.equal(await intakeJobs(copy), 1);
  await processed(copy);
  assert.equal(replies(run).filter((m) => shown(m).includes('Racing copies.')).length, 1);
});

// ---- 3. PR closed outside Baton ------------------------------------------------------------

test('the run’s PR merged on GitHub: the run succeeds naming the PR and the merger, audited, told in the thread', async () => {
  const run = await runWithPullRequest();
  const other = await runWithPullRequest();
  const merged = delivery('pull_request', pullRequestClosed(run, true));
  await deliver(merged);

  const after = await runOf(run.id);
  assert.equal(after.status, 'succeeded');
  assert.match(after.status_reason ?? '', new RegExp(`PR #${run.number}\\b`));
  assert.match(after.status_reason ?? '', /merged/);
  // merged_by (grace-h) is named, not the PR's author (baton-app[bot]).
  assert.match(after.status_reason ?? '', /@grace-h\b/);

  const audit = await audits(run.id, 'pr.merged_outside');
  assert.equal(audit.length, 1);
  assert.equal(audit[0]!.actor, 'github:grace-h');
  assert.equal(audit[0]!.detail.number, run.number);

  const notices = replies(run).slice(1);
  assert.equal(notices.length, 1, `one new thread message: ${replies(run).map(shown).join(' | ')}`);
  assert.match(notices[0]!.text ?? '', new RegExp(`PR #${run.number} was merged on GitHub by @grace-h`));
  assert.match(shown(notices[0]!), new RegExp(`https://github.com/${REPO}/pull/${run.number}`));

  // The thread's root and status message now show the run as done, with the reason.
  const root = slack.messages(channel).find((m) => m.ts === run.threadTs);
  assert.match(root?.text ?? '', / · done$/);
  const status = replies(run)[0]!;
  assert.equal(status.text, `${run.key}: done`);
  assert.match(shown(status), /was merged on GitHub by @grace-h/);

  // Only that run ended.
  assert.equal((await runOf(other.id)).status, 'queued');
  assert.equal((await audits(other.id, 'pr.merged_outside')).length, 0);
  assert.equal(replies(other).length, 1);
});

test('the run’s PR closed without merging: the run is cancelled and the thread says so', async () => {
  const run = await runWithPullRequest();
  await deliver(delivery('pull_request', pullRequestClosed(run, false)));

  const after = await runOf(run.id);
  assert.equal(after.status, 'cancelled');
  assert.match(after.status_reason ?? '', new RegExp(`PR #${run.number} was closed without merging on GitHub by @ada-l`));
  const audit = await audits(run.id, 'pr.closed_outside');
  assert.equal(audit.length, 1);
  assert.equal(audit[0]!.actor, 'github:ada-l');
  assert.equal((await audits(run.id, 'pr.merged_outside')).length, 0);

  const notices = replies(run).slice(1);
  assert.equal(notices.length, 1);
  assert.match(notices[0]!.text ?? '', new RegExp(`PR #${run.number} was closed on GitHub by @ada-l without merging`));
  assert.match(notices[0]!.text ?? '', /cancelled/);
  assert.match(notices[0]!.text ?? '', new RegExp(`/agent fix ${run.key}`));
  assert.match(slack.messages(channel).find((m) => m.ts === run.threadTs)?.text ?? '', / · cancelled$/);
  assert.equal(replies(run)[0]!.text, `${run.key}: cancelled`);
});

test('a merged PR that no run published (another number and branch, or the same number in another repo): 200, nothing changes', async () => {
  const run = await runWithPullRequest();
  const auditRows = await count(db.pool, 'SELECT 1 FROM audit_log');
  const statuses = await db.pool.query('SELECT id, status, status_reason FROM runs ORDER BY id');
  const messages = slack.messages().length;

  const strangers = [
    delivery('pull_request', pullRequestClosed({ number: 9_999, branch: 'feature/not-from-baton', headSha: randomBytes(20).toString('hex') }, true)),
    // Same PR number and branch as a live run, but a different repository.
    delivery('pull_request', pullRequestClosed(run, true, 'someone-else/shop')),
  ];
  for (const stranger of strangers) await deliver(stranger);

  assert.deepEqual((await db.pool.query('SELECT id, status, status_reason FROM runs ORDER BY id')).rows, statuses.rows);
  assert.equal(await count(db.pool, 'SELECT 1 FROM audit_log'), auditRows);
  assert.equal(slack.messages().length, messages);
  assert.equal((await runOf(run.id)).status, 'queued');
});

// ---- 4. CI ---------------------------------------------------------------------------------

test('a check suite completed on the run’s head SHA is told in the thread with its conclusion; one on another SHA is not', async () => {
  const run = await runWithPullRequest();
  const older = randomBytes(20).toString('hex');

  // An older push's suite finishing late: the run's head is not that SHA, so nothing is posted.
  await deliver(delivery('check_suite', checkSuiteCompleted(run, older, 'success')));
  assert.equal(replies(run).length, 1, `nothing posted for ${older.slice(0, 7)}: ${replies(run).map(shown).join(' | ')}`);
  assert.equal((await audits(run.id, 'ci.completed')).length, 0);

  await deliver(delivery('check_suite', checkSuiteCompleted(run, run.headSha, 'failure')));
  const notices = replies(run).slice(1);
  assert.equal(notices.length, 1);
  assert.match(notices[0]!.text ?? '', new RegExp(`CI: GitHub Actions failed on ${run.headSha.slice(0, 7)}`));
  assert.match(shown(notices[0]!), new RegExp(`https://github.com/${REPO}/commit/${run.headSha}/checks`));
  const audit = await audits(run.id, 'ci.completed');
  assert.deepEqual(audit.map((a) => a.detail), [{ name: 'GitHub Actions', conclusion: 'failure', sha: run.headSha }]);

  await deliver(delivery('check_suite', checkSuiteCompleted(run, run.headSha, 'success')));
  assert.equal(replies(run).length, 3);
  assert.match(replies(run)[2]!.text ?? '', new RegExp(`CI: GitHub Actions passed on ${run.headSha.slice(0, 7)}`));
  // CI results never end a run.
  assert.equal((await runOf(run.id)).status, 'queued');
});

// ---- 5. reviews and comments ---------------------------------------------------------------

test('a person’s review is relayed to the thread, quoted, with Slack mentions and links made inert', async () => {
  const run = await runWithPullRequest();
  const body = 'Looks wrong <!channel> see <http://evil.example|docs> & @here\nSecond line';
  await deliver(delivery('pull_request_review', reviewSubmitted(run, body, { login: 'grace-h', type: 'User' })));

  const notices = replies(run).slice(1);
  assert.equal(notices.length, 1, `one relayed review: ${replies(run).map(shown).join(' | ')}`);
  const relayed = notices[0]!;
  assert.match(relayed.text ?? '', new RegExp(`@grace-h requested changes on PR #${run.number}`));
  const raw = JSON.stringify(relayed);
  // Nothing the reviewer wrote can ping the channel or become a link.
  assert.ok(!raw.includes('<!channel>'), raw);
  assert.ok(!raw.includes('<http://evil.example'), raw);
  const quote = (relayed.blocks ?? [])
    .map((b) => ((b as { text?: { text?: string } }).text?.text ?? ''))
    .find((t) => t.includes('Looks wrong'));
  assert.ok(quote, `the body is in a block: ${raw}`);
  assert.equal(
    quote,
    '> Looks wrong &lt;!channel&gt; see &lt;http://evil.example|docs&gt; &amp; @\u200Bhere\n> Second line',
  );
});

test('comments by Bot users are not relayed; the same comment by a person is', async () => {
  const run = await runWithPullRequest();
  const bot = { login: 'renovate[bot]', type: 'Bot' };
  await deliver(delivery('issue_comment', issueCommentCreated(run, 'Bot says: dependency bumped.', bot)));
  await deliver(delivery('pull_request_review_comment', reviewCommentCreated(run, 'Bot says: complexity 16.')));
  await deliver(delivery('pull_request_review', reviewSubmitted(run, 'Bot says: approved.', bot)));
  assert.equal(replies(run).length, 1, `nothing relayed from bots: ${replies(run).map(shown).join(' | ')}`);

  // The control: the same issue comment, written by a person, does reach the thread.
  await deliver(delivery('issue_comment', issueCommentCreated(run, 'Person says: dependency bumped.', { login: 'ada-l', type: 'User' })));
  const notices = replies(run).slice(1);
  assert.equal(notices.length, 1);
  assert.match(notices[0]!.text ?? '', new RegExp(`@ada-l commented on PR #${run.number}`));
  assert.match(shown(notices[0]!), /> Person says: dependency bumped\./);
});

// ---- 6. ping -------------------------------------------------------------------------------

test('ping: 200 "ignored", nothing recorded or enqueued', async () => {
  const before = await written();
  const ping = delivery('ping', fixture('github-ping.json'));
  const answer = await send(ping);
  assert.equal(answer.status, 200);
  assert.equal(answer.json.status, 'ignored');
  assert.equal(await deliveryRows(ping), 0);
  assert.equal(await intakeJobs(ping), 0);
  assert.deepEqual(await written(), before);
});
