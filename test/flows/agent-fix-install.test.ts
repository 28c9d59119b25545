import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { askClarification, bash, fixSteps, lastToolResults } from '../agents/coder-fixture.ts';
import { FakeAnthropic } from '../fakes/fake-anthropic.ts';
import { FakeGitHub } from '../fakes/fake-github.ts';
import { FakeLinear } from '../fakes/fake-linear.ts';
import { FakeSlack } from '../fakes/fake-slack.ts';
import { eventBody, sendSignedSlack, slashCommandBody } from '../fakes/sign-slack-request.ts';
import { SLACK_DEFAULTS } from '../fakes/slack-defaults.ts';
import { tempDir } from '../integrations/git/git-fixtures.ts';
import { createDemoRepo, DEMO_TEST_COMMAND, demoTicket, type DemoRepo } from '../support/demo-repo.ts';
import { eventually } from '../support/eventually.ts';
import { startTestBaton, type TestBaton } from '../support/start-test-baton.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

/*
 * repos.<r>.install, end to end: it runs once on the base commit of the freshly prepared worktree,
 * in the sandbox, before the agent's first turn, so the agent's bash finds what it installed; an
 * install that fails (or leaves files Baton would commit) ends the run with a reason a person can
 * act on, and the agent never starts. Three repositories, one per team: ENG's installs fine, OPS's
 * install fails, WEB's leaves an untracked file behind.
 */

const CHANNEL = SLACK_DEFAULTS.channelId;
const TICKET = demoTicket();
// Proves it ran on the base: the unfixed loop is there. node_modules/ is ignored by the repository.
const GOOD_INSTALL = 'grep -q "i < end" src/calc.js && mkdir -p node_modules && echo "installed on the base" > node_modules/marker && echo once >> node_modules/count';
const BAD_INSTALL = 'echo "npm ERR! 404 Not Found - GET https://registry.npmjs.org/@acme%2fprivate"; exit 7';
const MESSY_INSTALL = 'echo cache > build-cache.txt';

let cleanupDir: () => Promise<void>;
let db: TestDatabase;
let slack: FakeSlack;
let linear: FakeLinear;
let github: FakeGitHub;
let anthropic: FakeAnthropic;
let calc: DemoRepo;
let app: TestBaton;

interface RunRow {
  id: string;
  status: string;
  status_reason: string | null;
  thread_ts: string;
  progress: string[];
}

before(async () => {
  const { dir, cleanup } = await tempDir('baton-agent-install-');
  cleanupDir = cleanup;
  db = await createTestDatabase();
  slack = new FakeSlack();
  linear = new FakeLinear();
  github = new FakeGitHub();
  anthropic = new FakeAnthropic();
  await Promise.all([slack.start(), linear.start(), github.start(), anthropic.start()]);
  calc = await createDemoRepo(join(dir, 'calc'), { '.gitignore': 'node_modules/\n' });
  const broken = await createDemoRepo(join(dir, 'broken'));
  const messy = await createDemoRepo(join(dir, 'messy'));
  github.seedRepo({ owner: 'acme', name: 'calc' });
  github.onRequest(async () => {
    for (const [ref, sha] of await calc.remote.refs()) if (ref.startsWith('refs/heads/')) github.setHead('acme', 'calc', ref.slice(11), sha);
  });
  linear.addLabel({ name: 'bug' });
  for (const team of ['ENG', 'OPS', 'WEB']) {
    linear.addTeam({ key: team, name: team });
    linear.addState(team, { name: 'In Review', type: 'started' });
  }
  linear.addIssue({ team: 'ENG', number: 42, title: TICKET.title, description: TICKET.description, labels: ['bug'] });
  linear.addIssue({ team: 'ENG', number: 43, title: TICKET.title, description: TICKET.description, labels: ['bug'] });
  linear.addIssue({ team: 'OPS', number: 7, title: TICKET.title, description: TICKET.description, labels: ['bug'] });
  linear.addIssue({ team: 'WEB', number: 9, title: TICKET.title, description: TICKET.description, labels: ['bug'] });

  app = await startTestBaton({
    db,
    slack,
    linear,
    env: {
      DATA_DIR: join(dir, 'data'),
      GITHUB_TOKEN: 'ghs_test',
      GITHUB_API_URL: github.url,
      ANTHROPIC_API_KEY: 'sk-ant-test',
      ANTHROPIC_BASE_URL: anthropic.url,
    },
    policy: {
      teams: {
        ENG: { tracker: 'linear', channel: CHANNEL, repo: 'acme/calc' },
        OPS: { tracker: 'linear', channel: CHANNEL, repo: 'acme/broken' },
        WEB: { tracker: 'linear', channel: CHANNEL, repo: 'acme/messy' },
      },
      repos: {
        'acme/calc': { install: GOOD_INSTALL, test: DEMO_TEST_COMMAND, clone_url: calc.remote.url },
        'acme/broken': { install: BAD_INSTALL, test: DEMO_TEST_COMMAND, clone_url: broken.remote.url },
        'acme/messy': { install: MESSY_INSTALL, test: DEMO_TEST_COMMAND, clone_url: messy.remote.url },
      },
      agent: { models: ['claude-sonnet-5-5'] },
    },
  });
});

after(async () => {
  await app?.stop();
  await Promise.all([slack?.stop(), linear?.stop(), github?.stop(), anthropic?.stop()]);
  await db?.drop();
  await cleanupDir?.();
});

async function command(key: string): Promise<void> {
  const response = await sendSignedSlack(
    app.slackEventsUrl,
    'command',
    slashCommandBody({ text: `fix ${key}`, channel_id: CHANNEL, user_id: SLACK_DEFAULTS.userId, response_url: slack.responseUrl('cmd') }),
    { secret: SLACK_DEFAULTS.signingSecret },
  );
  assert.equal(response.status, 200);
}

async function runIn(key: string, statuses: string[], timeoutMs = 180_000): Promise<RunRow> {
  return eventually(async () => {
    const { rows } = await db.pool.query<RunRow>('SELECT * FROM runs WHERE ticket_key = $1 AND status = ANY($2)', [key, statuses]);
    return rows[0];
  }, timeoutMs, `the ${key} run to be ${statuses.join(' or ')}`);
}

async function runEnded(key: string): Promise<RunRow> {
  await command(key);
  return runIn(key, ['awaiting_approval', 'failed', 'cancelled']);
}

/** Every text Slack would render from the thread's messages. */
function threadText(threadTs: string): string {
  return JSON.stringify(slack.repliesTo(threadTs));
}

test("the install runs on the base before the agent's first turn, and the agent's bash sees what it installed", async () => {
  anthropic.script(bash('cat node_modules/marker'), ...fixSteps());
  const run = await runEnded(TICKET.key);
  assert.equal(run.status, 'awaiting_approval', run.status_reason ?? '');
  const first = anthropic.requests()[1];
  assert.ok(first, 'the model was called after its first tool call');
  assert.match(lastToolResults(first).join('\n'), /installed on the base/, "the first command's output shows the install's file");
  // What the install wrote is ignored by the repository, so nothing of it reached the pushed branch.
  const pr = github.pulls('acme', 'calc')[0];
  assert.ok(pr, 'a PR was opened');
  assert.ok(!JSON.stringify(slack.uploads().map((u) => u.data?.toString())).includes('node_modules'), 'the diff holds no installed file');
});

test('a failing install on the base ends the run with the command, how it failed and its output, before any model call', async () => {
  const calls = anthropic.requests().length;
  const run = await runEnded('OPS-7');
  assert.equal(run.status, 'failed');
  const reason = run.status_reason ?? '';
  assert.ok(reason.startsWith(`The install command \`${BAD_INSTALL}\` exited 7 on acme/broken's base commit `), reason);
  assert.match(reason, /before the agent started/);
  assert.match(reason, /repos\.acme\/broken\.install in baton\.yml/);
  assert.match(reason, /npm ERR! 404 Not Found - GET https:\/\/registry\.npmjs\.org\/@acme%2fprivate/);
  assert.equal(anthropic.requests().length, calls, 'the agent never started');
  assert.ok(!run.progress.includes('workspace_ready'), 'the workspace is not shown ready');
  await eventually(async () => threadText(run.thread_ts).includes('exited 7 on acme/broken') || undefined, 20_000, 'the thread to say why');
  assert.ok(app.logs.some((line) => line.includes(run.id) && line.includes('"code":"install_failed"')));
});

test('an install that leaves files .gitignore does not cover ends the run: Baton would commit them with the fix', async () => {
  const calls = anthropic.requests().length;
  const run = await runEnded('WEB-9');
  assert.equal(run.status, 'failed');
  assert.match(run.status_reason ?? '', /left files that the repository's \.gitignore does not cover \(build-cache\.txt\)/);
  assert.match(run.status_reason ?? '', /Ignore them in acme\/messy's \.gitignore/);
  assert.equal(anthropic.requests().length, calls, 'the agent never started');
});

test('a run resumed after a question goes on in its worktree without installing again', async () => {
  anthropic.script(bash('cat node_modules/marker'), askClarification('Should range include its end?'));
  await command('ENG-43');
  const parked = await runIn('ENG-43', ['needs_clarification'], 60_000);
  const ts = `${Math.floor(Date.now() / 1000)}.${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
  const body = eventBody({ type: 'message', channel: CHANNEL, channel_type: 'channel', ts, thread_ts: parked.thread_ts, user: SLACK_DEFAULTS.userId, text: 'Yes, both ends.' });
  const before = anthropic.requests().length;
  anthropic.script(bash('wc -l < node_modules/count'), ...fixSteps());
  assert.equal((await sendSignedSlack(app.slackEventsUrl, 'event', body, { secret: SLACK_DEFAULTS.signingSecret })).status, 200);
  const done = await runIn('ENG-43', ['awaiting_approval', 'failed', 'cancelled']);
  assert.equal(done.status, 'awaiting_approval', done.status_reason ?? '');
  const afterResume = anthropic.requests()[before + 1];
  assert.ok(afterResume, 'the resumed agent ran its first command');
  assert.match(lastToolResults(afterResume).join('\n'), /^1$/m, 'the install ran once, on the base, not again on the resume');
});
