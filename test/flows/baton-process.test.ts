import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeSlack } from '../fakes/fake-slack.ts';
import { FakeLinear } from '../fakes/fake-linear.ts';
import { sendSignedSlack, slashCommandBody } from '../fakes/sign-slack-request.ts';
import { SLACK_DEFAULTS } from '../fakes/slack-defaults.ts';
import { spawnBaton } from '../support/spawn-baton.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { eventually } from '../support/eventually.ts';

let slack: FakeSlack;
let linear: FakeLinear;
const slackEnv = (): Record<string, string> => ({
  SLACK_BOT_TOKEN: SLACK_DEFAULTS.botToken,
  SLACK_SIGNING_SECRET: SLACK_DEFAULTS.signingSecret,
  SLACK_API_URL: slack.apiUrl,
  LINEAR_API_KEY: linear.apiKey,
  LINEAR_API_URL: linear.apiUrl,
});
/** A working directory whose baton.yml routes KEEP and ROLE tickets to the fake Linear. */
function batonDir(): string {
  const cwd = mkdtempSync(join(tmpdir(), 'baton-proc-'));
  const team = { tracker: 'linear', channel: SLACK_DEFAULTS.channelId };
  writeFileSync(join(cwd, 'baton.yml'), stringify({ teams: { KEEP: team, ROLE: team } }));
  return cwd;
}
/** The `msg` of each log line, in order (every line is JSON with LOG_PRETTY=false). */
const messages = (output: string[]): string[] => output.map((line) => (JSON.parse(line) as { msg: string }).msg);
const agent = (url: string, text: string) =>
  sendSignedSlack(`${url}/slack/events`, 'command', slashCommandBody({ text }), { secret: SLACK_DEFAULTS.signingSecret });

before(async () => {
  slack = new FakeSlack();
  await slack.start();
  linear = new FakeLinear();
  await linear.start();
  for (const key of ['KEEP', 'ROLE']) {
    linear.addTeam({ key, name: key });
    linear.addIssue({ team: key, number: 1, title: `${key} ticket` });
  }
});
after(async () => {
  await slack.stop();
  await linear.stop();
});

test('with no Slack settings and no DATABASE_URL, `baton start` comes up on the embedded database and says what to set', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'baton-proc-'));
  const baton = await spawnBaton({ cwd, env: {} });
  try {
    assert.equal((await fetch(`${baton.url}/healthz`)).status, 200);
    const readyz = await fetch(`${baton.url}/readyz`);
    assert.equal(readyz.status, 200);
    assert.deepEqual(((await readyz.json()) as { checks: unknown }).checks, { database: 'ok', queue: 'ok', slack: 'not connected' });
    const log = baton.output.join('');
    const [first, second, third] = messages(baton.output);
    // Said before the wait, not after it: the embedded database takes seconds to open.
    assert.equal(first, 'Baton is starting');
    assert.equal(second, `DATABASE_URL is unset: starting the embedded PostgreSQL under ${join(cwd, '.data')} (a few seconds; the first start takes longer)…`);
    assert.equal(third, 'the embedded PostgreSQL is up');
    const noTeams = messages(baton.output).find((m) => m.startsWith('No teams are configured'));
    assert.ok(noTeams, 'the log says no teams are configured');
    assert.ok(noTeams.includes(join(cwd, 'baton.yml')), 'and which file it read');
    assert.match(noTeams, /\n {2}teams:\n {4}ENG: \{ tracker: linear, channel: C\w+ \}/, 'and what to add');
    assert.match(log, /SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are not set/);
    assert.match(log, /manifest\.yml/);
    assert.match(log, /Bot User OAuth Token/);
  } finally {
    assert.equal(await baton.stop('SIGTERM'), 0, 'SIGTERM is a clean exit');
  }
  assert.match(baton.output.join(''), /Baton stopped/);
});

test('the embedded database keeps runs across a restart', async () => {
  const cwd = batonDir();
  const first = await spawnBaton({ cwd, env: slackEnv() });
  try {
    const reply = (await agent(first.url, 'fix KEEP-1')).json as { text: string };
    assert.match(reply.text, /Queued KEEP-1/);
    await slack.waitForCall((c) => c.path === '/api/chat.postMessage' && String(c.rawBody).includes('KEEP-1'), 15_000);
  } finally {
    assert.equal(await first.stop(), 0);
  }
  const second = await spawnBaton({ cwd, env: slackEnv() });
  try {
    const status = (await agent(second.url, 'status KEEP-1')).json as { text: string };
    assert.match(status.text, /KEEP-1 · queued/);
    const again = (await agent(second.url, 'fix KEEP-1')).json as { text: string };
    assert.match(again.text, /KEEP-1 is already running/);
    assert.ok(!messages(second.output).some((m) => m.startsWith('No teams')), 'teams are configured: no notice');
  } finally {
    await second.stop();
  }
});

test('a second process on the same embedded data directory is refused with a clear message', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'baton-proc-'));
  const first = await spawnBaton({ cwd, env: {} });
  try {
    await assert.rejects(spawnBaton({ cwd, env: {} }), /in use by another Baton process.*set DATABASE_URL/s);
  } finally {
    await first.stop();
  }
});

test('web and worker roles run apart and share one PostgreSQL', { skip: !process.env.DATABASE_URL && 'needs DATABASE_URL (a PostgreSQL several processes can share)' }, async () => {
  let db: TestDatabase | undefined = await createTestDatabase();
  const cwd = batonDir();
  const env = { ...slackEnv(), DATABASE_URL: db.url, DATABASE_SCHEMA: db.schema };
  const web = await spawnBaton({ cwd, env, args: ['--role', 'web'] });
  const worker = await spawnBaton({ cwd, env, args: ['--role', 'worker'] });
  try {
    assert.equal((await fetch(`${worker.url}/slack/events`, { method: 'POST' })).status, 503, 'a worker does not serve Slack');
    assert.match(((await agent(web.url, 'fix ROLE-1')).json as { text: string }).text, /Queued ROLE-1/);
    const row = await eventually(async () => {
      const { rows } = await db!.pool.query('SELECT thread_ts FROM runs WHERE ticket_key = $1 AND status_ts IS NOT NULL', ['ROLE-1']);
      return rows[0] as { thread_ts: string } | undefined;
    }, 15_000, 'the worker process to open the thread');
    assert.ok(slack.threadRoots(SLACK_DEFAULTS.channelId).some((m) => m.ts === row.thread_ts));
  } finally {
    await Promise.all([web.stop(), worker.stop()]);
    await db.drop();
    db = undefined;
  }
});
