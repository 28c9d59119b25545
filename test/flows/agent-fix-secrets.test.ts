import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type Anthropic from '@anthropic-ai/sdk';
import { bash, createFailingTest, editor, finish, fixBug, lastToolResults, runTests, viewCalc } from '../agents/coder-fixture.ts';
import type { FakeAnthropic, ScriptedMessage, ScriptedResponse } from '../fakes/fake-anthropic.ts';
import type { FakeGitHub } from '../fakes/fake-github.ts';
import type { FakeLinear } from '../fakes/fake-linear.ts';
import type { FakeServer } from '../fakes/fake-server.ts';
import type { FakeSlack } from '../fakes/fake-slack.ts';
import { eventually } from '../support/eventually.ts';
import { startAgentFlow, TICKET, type AgentFlow, type RunRow, PUBLISHED } from '../support/agent-flow.ts';
import { startAgentWorld } from '../support/agent-world.ts';
import type { DemoRepo } from '../support/demo-repo.ts';
import type { TestDatabase } from '../support/test-database.ts';

/*
 * "Secrets never reach the agent's tools, the test sandbox, Slack, a PR body or a log", end to end.
 * Baton runs with distinctive secrets in its configuration AND in its own process environment (as
 * `npm start` would have them), plus a host-only secret it knows nothing about (so its log
 * redaction cannot hide a leak). The repository's test suite prints every variable, /proc's
 * environ files and the open descriptors; the configured test and install commands run `env`; the
 * scripted model runs `env`, reads /proc, looks for the mirror and the data directory and asks git
 * for its config, and tries the editor on /proc and the data directory. No secret may appear in
 * anything that left Baton: the model's requests, Slack, GitHub, Linear, the pushed branch, or logs.
 */

const execFileAsync = promisify(execFile);

const SECRETS = {
  SLACK_BOT_TOKEN: 'xoxb-r1leak-slack-bot-7f3a9c11',
  SLACK_SIGNING_SECRET: 'r1leak-slack-signing-5b2e8d44',
  LINEAR_API_KEY: 'lin_api_r1leak_linear_c4d1e977',
  LINEAR_WEBHOOK_SECRET: 'r1leak-linear-webhook-0a9b3f21',
  GITHUB_TOKEN: 'ghs_r1leakGithubToken91afd0c3',
  GITHUB_WEBHOOK_SECRET: 'r1leak-github-webhook-66e1c2aa',
  ANTHROPIC_API_KEY: 'sk-ant-r1leak-anthropic-2e7b5d90',
};
const DB_PASSWORD = 'r1leak-db-password-6c0f3e18';
/** In the process environment only: Baton's config does not know it, so its log redaction cannot either. */
const HOST_ONLY = { AWS_SECRET_ACCESS_KEY: 'r1leak-aws-host-only-88d2b7f4' };
const ALL_SECRETS = [...Object.values(SECRETS), DB_PASSWORD, ...Object.values(HOST_ONLY)];

/** A test file that passes and prints everything a test can see of its process and the machine. */
const ENV_TEST = `import { test } from 'node:test';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
const show = (label, read) => { try { console.log(label, read()); } catch (e) { console.log(label, 'unreadable:', e.code); } };
test('prints the whole environment', () => {
  console.log('ENV-DUMP-BEGIN');
  for (const [k, v] of Object.entries(process.env)) console.log(\`\${k}=\${v}\`);
  for (const file of ['/proc/self/environ', '/proc/1/environ', '/proc/1/cmdline']) show(file, () => readFileSync(file, 'utf8').split('\\0').join('\\n'));
  for (const fd of readdirSync('/proc/self/fd')) show(\`fd \${fd}\`, () => readlinkSync(\`/proc/self/fd/\${fd}\`));
  console.log('ENV-DUMP-END');
});
`;

let flow: AgentFlow;
let db: TestDatabase;
let slack: FakeSlack;
let linear: FakeLinear;
let github: FakeGitHub;
let anthropic: FakeAnthropic;
let demo: DemoRepo;
let app: AgentFlow['app'];
const savedEnv: Record<string, string | undefined> = {};

function withPassword(url: string, password: string): string {
  const parsed = new URL(url);
  parsed.password = password;
  return parsed.toString();
}

before(async () => {
  // Baton's own process environment holds the secrets too, as it would in production.
  const processEnv = { ...SECRETS, ...HOST_ONLY };
  for (const [name, value] of Object.entries(processEnv)) {
    savedEnv[name] = process.env[name];
    process.env[name] = value;
  }
  const world = await startAgentWorld({
    credentials: {
      slackBotToken: SECRETS.SLACK_BOT_TOKEN,
      linearApiKey: SECRETS.LINEAR_API_KEY,
      githubToken: SECRETS.GITHUB_TOKEN,
      anthropicApiKey: SECRETS.ANTHROPIC_API_KEY,
    },
    files: { 'test/env.test.js': ENV_TEST },
    tickets: [{ team: 'ENG', number: 43, title: 'add(0.1, 0.2) is not 0.3', description: 'Round it.' }],
  });
  const databaseUrl = withPassword(world.db.url, DB_PASSWORD);
  savedEnv.DATABASE_URL = process.env.DATABASE_URL;
  process.env.DATABASE_URL = databaseUrl;

  flow = await startAgentFlow({
    world,
    env: { ...SECRETS, DATABASE_URL: databaseUrl },
    policy: {
      repos: {
        'acme/calc': {
          install: 'env; cat /proc/1/environ | tr "\\0" "\\n"',
          // `env` after the suite, so a failing run's quoted tail (the gate's reason, in the thread) holds it.
          test: 'npm test; status=$?; env; exit $status',
        },
      },
      // The first failed gate ends the run, with its reason (the suite's output tail) in the thread.
      agent: { limits: { gate_attempts: 0 } },
    },
  });
  ({ db, slack, linear, github, anthropic, demo, app } = flow);
});

after(async () => {
  await flow?.stop();
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

/** A new test that fails on the base and with the change alike: the suite stays red. */
const ROUND_TEST = `import { test } from 'node:test';
import assert from 'node:assert/strict';
import { add } from '../src/calc.js';
test('add rounds', () => assert.equal(add(0.1, 0.2), 0.3));
`;

/** Several tool calls in one assistant turn, as a model sends them. */
function toolCalls(...calls: { name: string; input: unknown }[]): ScriptedMessage {
  return { content: calls.map(({ name, input }) => ({ type: 'tool_use' as const, name, input })) };
}

const finishWhenGreen = (request: Anthropic.MessageCreateParams): ScriptedResponse => {
  const results = lastToolResults(request).join('\n');
  if (!/# fail 0/.test(results)) return { content: [{ type: 'text', text: `The tests still fail:\n${results.slice(0, 200)}` }] };
  return finish('range stopped one short of its end (`i < end`); it now includes it. test/range.test.js covers it.');
};

/** Every secret found in `text`, by name of where it was seen. */
function leaks(where: string, text: string): string[] {
  return ALL_SECRETS.filter((secret) => text.includes(secret)).map((secret) => `${where}: ${secret}`);
}

/**
 * What a fake received in request bodies. The credential each service checks travels in a header,
 * or for Slack's form-encoded calls (Bolt's auth.test) in the `token` field: that one is left out.
 */
function bodies(fake: FakeServer): string {
  return fake.calls
    .map((call) => {
      let body = call.rawBody.toString('utf8');
      if (/x-www-form-urlencoded/.test(String(call.headers['content-type']))) {
        const form = new URLSearchParams(body);
        form.delete('token');
        body = form.toString() + '\n' + [...form.values()].join('\n');
      }
      return `${call.method} ${call.path}\n${body}`;
    })
    .join('\n');
}

async function runEnded(ticketKey: string, fixCommand: string): Promise<RunRow> {
  const response = await flow.command(fixCommand);
  assert.equal(response.status, 200);
  return flow.runWhere(`(status IN ('failed', 'cancelled') OR ${PUBLISHED})`, `the ${ticketKey} run to end or open its PR`, 180_000, ticketKey);
}

/** Every secret in anything that left Baton or that it keeps: fakes' bodies, Slack as shown, PRs, the ticket, logs, the remote, the runs table. */
async function everyLeak(): Promise<string[]> {
  const found = [
    ...leaks('the model (tool results and every request)', bodies(anthropic)),
    ...leaks('Slack', bodies(slack)),
    ...leaks('Slack messages as shown', JSON.stringify(slack.messages()) + JSON.stringify(slack.uploads().map((u) => u.data?.toString()))),
    ...leaks('GitHub', bodies(github)),
    ...leaks('GitHub PRs', JSON.stringify(github.pulls())),
    ...leaks('Linear', bodies(linear)),
    ...leaks('Linear tickets', JSON.stringify([linear.getIssue('ENG-42'), linear.getIssue('ENG-43')])),
    ...leaks("Baton's logs", app.logs.join('')),
  ];
  const { stdout: pushed } = await execFileAsync('git', ['log', '-p', '--all'], { cwd: demo.remote.path, maxBuffer: 64 * 1024 * 1024 });
  found.push(...leaks('the pushed branches', pushed));
  const { rows } = await db.pool.query('SELECT * FROM runs');
  found.push(...leaks('the runs table', JSON.stringify(rows)));
  return found;
}

test('a repository and a model that print and hunt for every secret: the run reaches a PR and no secret leaves Baton', async () => {
  const { dataDir } = flow;
  anthropic.script(
    viewCalc,
    createFailingTest,
    // The suite prints the whole environment (test/env.test.js) and fails on the new test.
    runTests,
    bash('env; echo ---; tr "\\0" "\\n" < /proc/self/environ; echo ---; tr "\\0" "\\n" < /proc/1/environ; echo ---; ls -l /proc/self/fd /proc/1/fd'),
    bash("ls -la /; find / -maxdepth 4 -name '*.git' 2>/dev/null; echo ---; git config -l; echo ---; cat /repo/.git"),
    bash(
      `ls -la ${dataDir} ${dataDir}/mirrors ${dataDir}/git-home; cat ${dataDir}/git-home/.gitconfig ${dataDir}/git-home/credential-helper; ` +
        'cat "$(sed -n "s/^gitdir: //p" /repo/.git)/../../config"; echo ---; cat /proc/*/environ 2>&1 | tr "\\0" "\\n"',
    ),
    toolCalls(
      { name: 'str_replace_based_edit_tool', input: { command: 'view', path: '/proc/self/environ' } },
      { name: 'str_replace_based_edit_tool', input: { command: 'view', path: '../../git-home/.gitconfig' } },
      { name: 'str_replace_based_edit_tool', input: { command: 'view', path: `${dataDir}/git-home/credential-helper` } },
    ),
    fixBug,
    runTests,
    finishWhenGreen,
  );
  const run = await runEnded(TICKET.key, `fix ${TICKET.key}`);
  assert.equal(run.status, 'awaiting_approval', `the run still reaches a PR: ${run.status_reason ?? ''}`);
  assert.equal(anthropic.remaining(), 0, 'every scripted model turn was used');
  assert.equal(github.pulls('acme', 'calc').length, 1, 'one PR');
  assert.ok(run.pr_url);

  // The probes really ran: the tool results show the suite's dump, the sandbox's own environment and the refusals.
  const results = anthropic.requests().flatMap((request) => lastToolResults(request)).join('\n');
  assert.match(results, /ENV-DUMP-BEGIN[\s\S]*ENV-DUMP-END/, 'the repository printed its environment to the model');
  assert.match(results, /^HOME=\/home\/sandbox$/m, '`env` ran in the sandbox');
  assert.match(results, /\/proc\/self\/environ is outside the repository/, 'the editor refused /proc');
  assert.match(results, /climbs out of the repository/, 'the editor refused ../..');
  // What a command inside holds open: stdio, ls's own listing, and /dev/null over anything Baton inherited.
  const fds = /^\/proc\/self\/fd:\n[\s\S]*?(?=\nExit code)/m.exec(results)?.[0] ?? '';
  const held = [...fds.matchAll(/ (\d+) -> (.+)$/gm)].filter(([, fd]) => Number(fd) > 2).map(([, fd, target]) => `${fd} -> ${target}`);
  assert.ok(fds !== '', 'the model listed its descriptors');
  assert.deepEqual(held.filter((entry) => !/ -> (\/dev\/null|\/proc\/\d+\/fd)$/.test(entry)), [], fds);

  assert.deepEqual(await everyLeak(), [], 'no secret reached anything outside Baton');
});

test("a failing suite's output, `env` included, goes to the thread as the gate's reason: still no secret", async () => {
  anthropic.script(
    editor({ command: 'create', path: 'test/round.test.js', file_text: ROUND_TEST }),
    finish('add now rounds (it does not: this run is meant to fail its gates).'),
  );
  const run = await runEnded('ENG-43', 'fix ENG-43');
  assert.equal(run.status, 'failed', 'the suite fails with the change, and no gate attempt is left');
  // Not vacuous: the sandbox's `env` output, quoted from the failing run, is what the thread shows.
  // The failure notice is posted after the row commits, so wait for it rather than race it.
  const thread = await eventually(
    async () => {
      const shown = JSON.stringify(slack.repliesTo(run.thread_ts)) + JSON.stringify(slack.messages());
      return /HOME=\/home\/sandbox/.test(shown) ? shown : undefined;
    },
    10_000,
    "the thread quoting the suite's output, `env` included",
  );
  assert.match(thread, /HOME=\/home\/sandbox/);
  assert.deepEqual(await everyLeak(), [], 'no secret reached anything outside Baton');
});
