import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { askClarification, bash, fixSteps, lastToolResults } from '../agents/coder-fixture.ts';
import { eventBody, sendSignedSlack } from '../fakes/sign-slack-request.ts';
import { SLACK_DEFAULTS } from '../fakes/slack-defaults.ts';
import { CHANNEL, startAgentFlow, TICKET, type AgentFlow, PUBLISHED } from '../support/agent-flow.ts';
import { startAgentWorld } from '../support/agent-world.ts';
import { createDemoRepo, DEMO_TEST_COMMAND } from '../support/demo-repo.ts';
import { eventually } from '../support/eventually.ts';

/*
 * repos.<r>.install, end to end: it runs once on the base commit of the freshly prepared worktree,
 * in the sandbox, before the agent's first turn, so the agent's bash finds what it installed; an
 * install that fails (or leaves files Baton would commit) ends the run with a reason a person can
 * act on, and the agent never starts. Three repositories, one per team: ENG's installs fine, OPS's
 * install fails, WEB's leaves an untracked file behind.
 */

// Proves it ran on the base: the unfixed loop is there. node_modules/ is ignored by the repository.
const GOOD_INSTALL = 'grep -q "i < end" src/calc.js && mkdir -p node_modules && echo "installed on the base" > node_modules/marker && echo once >> node_modules/count';
const BAD_INSTALL = 'echo "npm ERR! 404 Not Found - GET https://registry.npmjs.org/@acme%2fprivate"; exit 7';
const MESSY_INSTALL = 'echo cache > build-cache.txt';

let flow: AgentFlow;

interface RunRow {
  id: string;
  status: string;
  status_reason: string | null;
  thread_ts: string;
  progress: string[];
}

before(async () => {
  const world = await startAgentWorld({
    files: { '.gitignore': 'node_modules/\n' },
    tickets: [{ team: 'ENG', number: 43 }, { team: 'OPS', number: 7 }, { team: 'WEB', number: 9 }],
  });
  const broken = await createDemoRepo(join(world.dir, 'broken'));
  const messy = await createDemoRepo(join(world.dir, 'messy'));
  flow = await startAgentFlow({
    world,
    policy: {
      teams: {
        OPS: { tracker: 'linear', channel: CHANNEL, repo: 'acme/broken' },
        WEB: { tracker: 'linear', channel: CHANNEL, repo: 'acme/messy' },
      },
      repos: {
        'acme/calc': { install: GOOD_INSTALL },
        'acme/broken': { install: BAD_INSTALL, test: DEMO_TEST_COMMAND, clone_url: broken.remote.url },
        'acme/messy': { install: MESSY_INSTALL, test: DEMO_TEST_COMMAND, clone_url: messy.remote.url },
      },
    },
  });
});

after(async () => {
  await flow?.stop();
});

async function command(key: string): Promise<void> {
  assert.equal((await flow.command(`fix ${key}`)).status, 200);
}

async function runIn(key: string, statuses: string[], timeoutMs = 180_000): Promise<RunRow> {
  return eventually(async () => {
    // A run at its PR counts once publishing has told the thread everything (PUBLISHED).
    const { rows } = await flow.db.pool.query<RunRow>(
      `SELECT * FROM runs WHERE ticket_key = $1 AND status = ANY($2) AND (status <> 'awaiting_approval' OR ${PUBLISHED})`,
      [key, statuses],
    );
    return rows[0];
  }, timeoutMs, `the ${key} run to be ${statuses.join(' or ')}`);
}

async function runEnded(key: string): Promise<RunRow> {
  await command(key);
  return runIn(key, ['awaiting_approval', 'failed', 'cancelled']);
}

/** Every text Slack would render from the thread's messages. */
function threadText(threadTs: string): string {
  return JSON.stringify(flow.slack.repliesTo(threadTs));
}

test("the install runs on the base before the agent's first turn, and the agent's bash sees what it installed", async () => {
  flow.anthropic.script(bash('cat node_modules/marker'), ...fixSteps());
  const run = await runEnded(TICKET.key);
  assert.equal(run.status, 'awaiting_approval', run.status_reason ?? '');
  const first = flow.anthropic.requests()[1];
  assert.ok(first, 'the model was called after its first tool call');
  assert.match(lastToolResults(first).join('\n'), /installed on the base/, "the first command's output shows the install's file");
  // What the install wrote is ignored by the repository, so nothing of it reached the pushed branch.
  const pr = flow.github.pulls('acme', 'calc')[0];
  assert.ok(pr, 'a PR was opened');
  assert.ok(!JSON.stringify(flow.slack.uploads().map((u) => u.data?.toString())).includes('node_modules'), 'the diff holds no installed file');
});

test('a failing install on the base ends the run with the command, how it failed and its output, before any model call', async () => {
  const calls = flow.anthropic.requests().length;
  const run = await runEnded('OPS-7');
  assert.equal(run.status, 'failed');
  const reason = run.status_reason ?? '';
  assert.ok(reason.startsWith(`The install command \`${BAD_INSTALL}\` exited 7 on acme/broken's base commit `), reason);
  assert.match(reason, /before the agent started/);
  assert.match(reason, /repos\.acme\/broken\.install in baton\.yml/);
  assert.match(reason, /npm ERR! 404 Not Found - GET https:\/\/registry\.npmjs\.org\/@acme%2fprivate/);
  assert.equal(flow.anthropic.requests().length, calls, 'the agent never started');
  assert.ok(!run.progress.includes('workspace_ready'), 'the workspace is not shown ready');
  await eventually(async () => threadText(run.thread_ts).includes('exited 7 on acme/broken') || undefined, 20_000, 'the thread to say why');
  assert.ok(flow.app.logs.some((line) => line.includes(run.id) && line.includes('"code":"install_failed"')));
});

test('an install that leaves files .gitignore does not cover ends the run: Baton would commit them with the fix', async () => {
  const calls = flow.anthropic.requests().length;
  const run = await runEnded('WEB-9');
  assert.equal(run.status, 'failed');
  assert.match(run.status_reason ?? '', /left files that the repository's \.gitignore does not cover \(build-cache\.txt\)/);
  assert.match(run.status_reason ?? '', /Ignore them in acme\/messy's \.gitignore/);
  assert.equal(flow.anthropic.requests().length, calls, 'the agent never started');
});

test('a run resumed after a question goes on in its worktree without installing again', async () => {
  flow.anthropic.script(bash('cat node_modules/marker'), askClarification('Should range include its end?'));
  await command('ENG-43');
  const parked = await runIn('ENG-43', ['needs_clarification'], 60_000);
  const ts = `${Math.floor(Date.now() / 1000)}.${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
  const body = eventBody({ type: 'message', channel: CHANNEL, channel_type: 'channel', ts, thread_ts: parked.thread_ts, user: SLACK_DEFAULTS.userId, text: 'Yes, both ends.' });
  const before = flow.anthropic.requests().length;
  flow.anthropic.script(bash('wc -l < node_modules/count'), ...fixSteps());
  assert.equal((await sendSignedSlack(flow.app.slackEventsUrl, 'event', body, { secret: SLACK_DEFAULTS.signingSecret })).status, 200);
  const done = await runIn('ENG-43', ['awaiting_approval', 'failed', 'cancelled']);
  assert.equal(done.status, 'awaiting_approval', done.status_reason ?? '');
  const afterResume = flow.anthropic.requests()[before + 1];
  assert.ok(afterResume, 'the resumed agent ran its first command');
  assert.match(lastToolResults(afterResume).join('\n'), /^1$/m, 'the install ran once, on the base, not again on the resume');
});
