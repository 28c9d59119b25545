import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureDemoRepo } from '../../src/local/demo-content.ts';
import { ACTIONS } from '../../src/bot/views/action-ids.ts';
import { reviewersHandler } from '../agents/reviewers/review-script.ts';
import { FakeAnthropic } from '../fakes/fake-anthropic.ts';
import { FakeSlack, type SlackMessage } from '../fakes/fake-slack.ts';
import { sendSignedSlack, slashCommandBody } from '../fakes/sign-slack-request.ts';
import { SLACK_DEFAULTS } from '../fakes/slack-defaults.ts';
import { isReviewerRequest, PUBLISHED } from '../support/agent-world.ts';
import { eventually } from '../support/eventually.ts';
import { CODER_STEPS, freePort } from '../support/local-mode.ts';
import { clickButton } from '../support/slack-interactions.ts';
import { startTestBaton, type TestBaton } from '../support/start-test-baton.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

/*
 * The local tracker and a repository on disk are configuration, not a demo: with a real Slack
 * configuration (the fake Slack, signed requests) and LOCAL_MODE=off, a team with `tracker: local`
 * and a repository with `path:` go from `/agent fix` to a merge into that repository's main.
 * The local server runs for their tickets and pull requests, without the emulator.
 */

const git = async (repo: string, ...args: string[]): Promise<string> => (await promisify(execFile)('git', ['-C', repo, ...args])).stdout.trim();
const REQUESTER = SLACK_DEFAULTS.userId;
const APPROVER = 'U0APPROVER';

let dir: string;
let repo: string;
let db: TestDatabase;
let slack: FakeSlack;
let anthropic: FakeAnthropic;
let app: TestBaton;
let localUrl: string;
let baseSha: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'baton-local-repo-'));
  repo = join(dir, 'calc');
  assert.equal(await ensureDemoRepo(repo), true);
  baseSha = await git(repo, 'rev-parse', 'main');
  db = await createTestDatabase();
  slack = new FakeSlack();
  slack.addUser({ id: APPROVER, name: 'ada' });
  anthropic = new FakeAnthropic();
  const reviewers = reviewersHandler();
  anthropic.handle((request, info) => (isReviewerRequest(request) ? reviewers(request, info) : undefined));
  anthropic.script(...CODER_STEPS);
  await Promise.all([slack.start(), anthropic.start()]);
  app = await startTestBaton({
    db, slack,
    env: {
      LOCAL_MODE: 'off', LOCAL_PORT: String(await freePort()), DATA_DIR: join(dir, 'data'),
      ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: anthropic.url,
    },
    policy: {
      teams: { BUG: { tracker: 'local', channel: SLACK_DEFAULTS.channelId, repo: 'local/calc' } },
      repos: { 'local/calc': { path: repo, base: 'main', test: 'node --test' } },
      agent: { models: ['claude-sonnet-5-5'] },
      gates: { merge: { approvers: [APPROVER] } },
    },
  });
  localUrl = app.baton.localUrl!;
});
after(async () => {
  await app?.stop();
  await Promise.all([slack?.stop(), anthropic?.stop()]);
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('LOCAL_MODE=off with a real Slack configuration: the local server runs for the local tracker and code host, without the emulator', async () => {
  assert.equal(app.config.local.emulator, false);
  assert.equal(app.config.local.enabled, true);
  assert.ok(localUrl, 'the local server is up');
  assert.equal(app.config.slack?.apiUrl, slack.apiUrl, 'Baton talks to the configured Slack');
  for (const path of ['/api/auth.test', '/_/slack/state?user=U0LOCALREQ']) {
    assert.equal((await fetch(`${localUrl}${path}`, { method: 'POST' })).status, 404, `${path}: no emulator`);
  }
});

test('a signed /agent fix on a local ticket runs to the review card, and a signed Approve merges into the repository on disk', async () => {
  const created = await fetch(`${localUrl}/_/tickets`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ team: 'BUG', title: 'sumRange(1, 4) returns 6 instead of 10', body: 'range and sumRange should include both ends; sumRange(1, 4) gives 6, not 10.', labels: ['bug'] }),
  });
  const { ticket } = (await created.json()) as { ticket: { key: string; url: string } };
  assert.equal(created.status, 201);
  assert.equal(ticket.key, 'BUG-1');
  assert.equal(ticket.url, `${localUrl}/tickets/BUG-1`);

  const command = await sendSignedSlack(app.slackEventsUrl, 'command',
    slashCommandBody({ text: 'fix BUG-1', channel_id: SLACK_DEFAULTS.channelId, user_id: REQUESTER, response_url: slack.responseUrl('cmd') }), { secret: SLACK_DEFAULTS.signingSecret });
  assert.equal(command.status, 200);
  assert.match((command.json as { text: string }).text, /Queued BUG-1/);

  const run = await eventually(async () => {
    const { rows } = await db.pool.query<{ id: string; thread_ts: string; branch: string; pr_url: string; published: boolean; status: string; status_reason: string }>(
      `SELECT *, ${PUBLISHED} AS published FROM runs WHERE ticket_key = 'BUG-1'`);
    // A run that went wrong fails the test now, with its reason, rather than at the timeout.
    if (rows[0] && ['failed', 'cancelled'].includes(rows[0].status)) throw new Error(`BUG-1's run ended ${rows[0].status}: ${rows[0].status_reason}`);
    return rows[0]?.published ? rows[0] : undefined;
  }, 90_000, "BUG-1's run to publish its card").catch(async (error: Error) => {
    const { rows } = await db.pool.query('SELECT status, status_reason FROM runs WHERE ticket_key = $1', ['BUG-1']);
    const problems = app.logs.filter((line) => /"level":(40|50|60)/.test(line)).slice(-10).join('');
    throw new Error(`${error.message}; the run: ${JSON.stringify(rows)}; warnings and errors:\n${problems}`);
  });
  assert.match(run.branch, /^baton\/BUG-1-/);
  assert.match(run.pr_url, new RegExp(`^${localUrl}/pulls/`), 'the pull request is a local one');
  const pushed = await git(repo, 'rev-parse', `refs/heads/${run.branch}`);
  assert.equal(await git(repo, 'rev-parse', 'main'), baseSha, 'main is untouched until someone approves');

  const card = await eventually(async () => slack.repliesTo(run.thread_ts).find((m) => JSON.stringify(m.blocks ?? []).includes(ACTIONS.gateApprove)), 30_000, 'the review card');
  const approve = buttonOf(card, ACTIONS.gateApprove);
  assert.equal((JSON.parse(approve.value) as { headSha: string }).headSha, pushed, 'the card is pinned to the pushed head');
  const clicked = await clickButton(app.slackEventsUrl, {
    actionId: ACTIONS.gateApprove, value: approve.value, messageTs: card.ts, threadTs: run.thread_ts, userId: APPROVER,
    message: { text: card.text, blocks: card.blocks }, buttonText: 'Approve',
  });
  assert.equal(clicked.status, 200);

  await eventually(async () => (await git(repo, 'rev-parse', 'main')) !== baseSha, 60_000, "main of the repository on disk to move");
  assert.match(await git(repo, 'show', 'main:src/calc.js'), /for \(let i = start; i <= end; i\+\+\)/, 'the fix is on main');
  assert.match(await git(repo, 'show', 'main:test/range.test.js'), /range includes its end/, 'with its test');
  assert.equal(await git(repo, 'rev-parse', 'main~1'), baseSha, 'one commit on top of the base');
  const pulls = (await (await fetch(`${localUrl}/_/pulls`)).json()) as { pulls: { state: string; head_ref: string }[] };
  assert.deepEqual(pulls.pulls.map((p) => [p.head_ref, p.state]), [[run.branch, 'merged']]);
  await eventually(async () => JSON.stringify(slack.repliesTo(run.thread_ts)).includes('Approved by'), 30_000, 'the thread to say who approved');
  const { rows } = await db.pool.query<{ decided_by: string }>("SELECT decided_by FROM approvals WHERE run_id = $1 AND decision = 'approved'", [run.id]);
  assert.deepEqual(rows.map((r) => r.decided_by), [APPROVER]);
});

function buttonOf(message: SlackMessage, actionId: string): { value: string } {
  for (const block of (message.blocks ?? []) as { type?: string; elements?: { action_id?: string; value?: string }[] }[]) {
    const found = block.type === 'actions' ? block.elements?.find((e) => e.action_id === actionId) : undefined;
    if (found?.value) return { value: found.value };
  }
  assert.fail(`no ${actionId} button on ${message.ts}`);
}
