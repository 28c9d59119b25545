import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { Octokit } from '@octokit/rest';
import { migrate } from '../../src/db/migrate.ts';
import { auditForRun } from '../../src/db/audit-log.ts';
import { getRun, insertRun, setPullRequest, setStatusMessage, setThreadRoot, transitionRun } from '../../src/db/runs.ts';
import type { Run } from '../../src/domain/run.ts';
import { createGitHubClient } from '../../src/integrations/github/create-github-client.ts';
import { createSlackClient, type SlackClient } from '../../src/integrations/slack.ts';
import { pollPullRequests, type PollPullRequestsDeps } from '../../src/jobs/poll-pull-requests.ts';
import { createLogger } from '../../src/logger.ts';
import { policySchema } from '../../src/policy.ts';
import { FakeGitHub } from '../fakes/fake-github.ts';
import { FakeSlack } from '../fakes/fake-slack.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

/*
 * pollPullRequests on real parts: PostgreSQL for the runs, the fake GitHub over HTTP for the PRs
 * (merged or closed through its REST routes, as a person on GitHub would), the fake Slack for the
 * threads. GitHub never redelivers a missed webhook, so this poll is how a merge or close that
 * Baton did not hear about still ends the run.
 */

const TOKEN = 'ghp_PollPullRequestsToken_0123456789abcdef';
const OWNER = 'acme';
const NAME = 'shop';
const CHANNEL = 'C0ENG';

let db: TestDatabase;
let github: FakeGitHub;
let fakeSlack: FakeSlack;
let slack: SlackClient;
let people: Octokit;
let deps: PollPullRequestsDeps;
const logs: string[] = [];
let nextTicket = 1;

before(async () => {
  db = await createTestDatabase();
  await migrate(db.pool, db.schema);
  github = new FakeGitHub({ token: TOKEN });
  fakeSlack = new FakeSlack();
  await Promise.all([github.start(), fakeSlack.start()]);
  github.seedRepo({ owner: OWNER, name: NAME });
  slack = createSlackClient({ apiUrl: fakeSlack.apiUrl, token: fakeSlack.botToken, retries: 0 });
  // Someone on GitHub, merging and closing PRs through the same REST API.
  people = new Octokit({ auth: TOKEN, baseUrl: github.url });
  const log = createLogger({
    level: 'debug',
    pretty: false,
    secrets: [TOKEN],
    destination: new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs.push(chunk.toString());
        done();
      },
    }),
  });
  deps = {
    pool: db.pool,
    slack,
    log,
    github: createGitHubClient({ apiUrl: github.url, auth: { kind: 'token', token: TOKEN }, retries: 0, log }),
    // Only a push to a run's branch enqueues or reads policy; this file's events never do.
    queue: { enqueue: async () => assert.fail('nothing is enqueued'), notify: () => undefined },
    policy: policySchema.parse({}),
  };
});

after(async () => {
  await Promise.all([github?.stop(), fakeSlack?.stop()]);
  await db?.drop();
});

interface RunWithPr {
  run: Run;
  number: number;
  threadTs: string;
}

/** A run as publishing leaves it: thread open with its status message, PR open on GitHub and recorded on the run. */
async function runWithOpenPullRequest(): Promise<RunWithPr> {
  const ticketKey = `ENG-${nextTicket++}`;
  const inserted = await insertRun(db.pool, { ticketKey, source: 'slack', requestedBy: 'U0ALICE', channelId: CHANNEL, priority: 0 });
  assert.ok(inserted);
  const root = await slack.postMessage(CHANNEL, { text: `${ticketKey} · queued` });
  assert.ok(await setThreadRoot(db.pool, inserted.id, root.ts, null));
  const status = await slack.postMessage(CHANNEL, { text: `${ticketKey}: queued` }, root.ts);
  assert.ok(await setStatusMessage(db.pool, inserted.id, status.ts));

  const branch = `baton/${ticketKey}-fix`;
  const headSha = github.setHead(OWNER, NAME, branch);
  const number = github.seedPull(OWNER, NAME, { head: branch, title: `${ticketKey}: fix` });
  const run = await setPullRequest(db.pool, inserted.id, {
    repo: `${OWNER}/${NAME}`, branch, number, url: `https://github.com/${OWNER}/${NAME}/pull/${number}`, headSha,
  });
  assert.ok(run);
  return { run, number, threadTs: root.ts };
}

const current = async (r: RunWithPr): Promise<Run> => {
  const run = await getRun(db.pool, r.run.id);
  assert.ok(run);
  return run;
};
const notices = (r: RunWithPr): string[] => fakeSlack.repliesTo(r.threadTs).slice(1).map((m) => m.text);
const pullRequestReads = (number: number): number =>
  github.callsTo('GET', `/repos/${OWNER}/${NAME}/pulls/${number}`).length;

test('a PR merged on GitHub ends its run as succeeded, audited and told in the thread; an open PR’s run is left alone', async () => {
  const merged = await runWithOpenPullRequest();
  const open = await runWithOpenPullRequest();
  await people.pulls.merge({ owner: OWNER, repo: NAME, pull_number: merged.number });

  const problems = await pollPullRequests(deps);
  assert.deepEqual(problems, []);

  const ended = await current(merged);
  assert.equal(ended.status, 'succeeded');
  assert.match(ended.statusReason ?? '', new RegExp(`^PR #${merged.number} was merged on GitHub`));
  // The end and its notice are recorded like every run's end; the notice reached the thread.
  const audit = await auditForRun(db.pool, merged.run.id);
  assert.deepEqual(audit.map((a) => a.action), ['pr.merged_outside', 'run.announced']);
  const end = audit[0]!.detail as { number: number; reason: string };
  assert.deepEqual([end.number, end.reason], [merged.number, ended.statusReason]);
  assert.equal(notices(merged).length, 1);
  assert.match(notices(merged)[0]!, new RegExp(`PR #${merged.number} was merged on GitHub .*this run is done`));

  // Both PRs were asked about; the open one changed nothing.
  assert.equal(pullRequestReads(open.number), 1);
  const still = await current(open);
  assert.equal(still.status, 'queued');
  assert.equal(still.statusReason, null);
  assert.deepEqual(await auditForRun(db.pool, open.run.id), []);
  assert.deepEqual(notices(open), []);

  // The ended run is no longer polled: a second tick asks GitHub only about the open PR.
  const readsBefore = pullRequestReads(merged.number);
  assert.deepEqual(await pollPullRequests(deps), []);
  assert.equal(pullRequestReads(merged.number), readsBefore);
  assert.equal(notices(merged).length, 1, 'the merge is told once');
});

test('a PR closed on GitHub without merging cancels its run, and the thread says how to start again', async () => {
  const closed = await runWithOpenPullRequest();
  await people.pulls.update({ owner: OWNER, repo: NAME, pull_number: closed.number, state: 'closed' });

  assert.deepEqual(await pollPullRequests(deps), []);

  const ended = await current(closed);
  assert.equal(ended.status, 'cancelled');
  assert.match(ended.statusReason ?? '', new RegExp(`^PR #${closed.number} was closed without merging on GitHub`));
  assert.deepEqual((await auditForRun(db.pool, closed.run.id)).map((a) => a.action), ['pr.closed_outside', 'run.announced']);
  assert.equal(notices(closed).length, 1);
  assert.match(notices(closed)[0]!, new RegExp(`PR #${closed.number} was closed on GitHub .*without merging — the run is cancelled`));
  assert.match(notices(closed)[0]!, new RegExp(`/agent fix ${closed.run.ticketKey}`));
});

test('GitHub answering 503: the run is untouched, a problem line is returned instead of a throw, and the next tick ends it', async () => {
  const outage = await runWithOpenPullRequest();
  const bystander = await runWithOpenPullRequest();
  await people.pulls.merge({ owner: OWNER, repo: NAME, pull_number: outage.number });
  await people.pulls.merge({ owner: OWNER, repo: NAME, pull_number: bystander.number });
  const path = `/repos/${OWNER}/${NAME}/pulls/${outage.number}`;
  github.fail({ status: 503, body: { message: 'Service Unavailable' }, match: (req) => req.method === 'GET' && req.path === path });

  const problems = await pollPullRequests(deps);
  assert.equal(problems.length, 1, problems.join('\n'));
  assert.match(problems[0]!, new RegExp(`^${outage.run.ticketKey} PR #${outage.number}: GitHub is unavailable \\(HTTP 503`));
  assert.deepEqual(
    github.callsTo('GET', path).map((c) => c.status),
    [503],
    'one read, answered 503',
  );

  const untouched = await current(outage);
  assert.equal(untouched.status, 'queued');
  assert.equal(untouched.statusReason, null);
  assert.deepEqual(await auditForRun(db.pool, outage.run.id), []);
  assert.deepEqual(notices(outage), []);
  assert.ok(
    logs.some((l) => l.includes('could not read the PR state') && l.includes(outage.run.id)),
    'the failure is logged with the run',
  );
  assert.ok(!logs.some((l) => l.includes(TOKEN)), 'the token never reaches the log');

  // One PR failing does not stop the others.
  assert.equal((await current(bystander)).status, 'succeeded');

  // GitHub is back: the next tick finds the merge.
  assert.deepEqual(await pollPullRequests(deps), []);
  assert.equal((await current(outage)).status, 'succeeded');
  assert.equal(notices(outage).length, 1);
});

test('a run Baton itself is merging is not ended by the poll, even though GitHub shows its PR merged', async () => {
  const merging = await runWithOpenPullRequest();
  assert.ok(await transitionRun(db.pool, merging.run.id, ['queued'], 'merging', 'merging PR'));
  await people.pulls.merge({ owner: OWNER, repo: NAME, pull_number: merging.number });

  assert.deepEqual(await pollPullRequests(deps), []);
  const run = await current(merging);
  assert.equal(run.status, 'merging', 'the merge job owns the run');
  assert.deepEqual(await auditForRun(db.pool, merging.run.id), []);
  assert.deepEqual(notices(merging), []);
});
