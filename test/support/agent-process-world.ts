import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { FakeAnthropic } from '../fakes/fake-anthropic.ts';
import { FakeGitHub } from '../fakes/fake-github.ts';
import { FakeLinear } from '../fakes/fake-linear.ts';
import { FakeSlack } from '../fakes/fake-slack.ts';
import { sendSignedSlack, slashCommandBody } from '../fakes/sign-slack-request.ts';
import { SLACK_DEFAULTS } from '../fakes/slack-defaults.ts';
import { tempDir } from '../integrations/git/git-fixtures.ts';
import type { RunRow } from './agent-flow.ts';
import { createDemoRepo, DEMO_TEST_COMMAND, demoTicket, type DemoRepo } from './demo-repo.ts';
import { eventually } from './eventually.ts';
import { spawnBaton, type BatonProcess } from './spawn-baton.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

/**
 * The agent flow of agent-flow.ts with Baton as real separate processes (`baton start --role …`,
 * as deployed): the fakes and the calc demo repository live in the test process, the processes
 * share the machine's PostgreSQL (DATABASE_URL, a schema of their own) and one data directory,
 * as a worker restarted on the same volume would. Needs DATABASE_URL: processes cannot share the
 * embedded database.
 */
export interface AgentProcessWorld {
  db: TestDatabase;
  slack: FakeSlack;
  linear: FakeLinear;
  github: FakeGitHub;
  anthropic: FakeAnthropic;
  demo: DemoRepo;
  /** Starts `baton start --role <role>` on the world's configuration; stopped with the world. */
  spawn(role: 'web' | 'worker' | 'all'): Promise<BatonProcess>;
  /** Sends `/agent <text>`, signed, to a process serving Slack. */
  command(web: BatonProcess, text: string): Promise<{ status: number; json?: unknown }>;
  /** The ticket's run once `where` (SQL on runs) holds. */
  runWhere(where: string, what: string, timeoutMs?: number): Promise<RunRow>;
  stop(): Promise<void>;
}

export const TICKET = demoTicket();

export async function startAgentProcessWorld(options: { policy?: Record<string, unknown> } = {}): Promise<AgentProcessWorld> {
  const { dir, cleanup } = await tempDir('baton-agent-procs-');
  const db = await createTestDatabase();
  const slack = new FakeSlack();
  const linear = new FakeLinear();
  const github = new FakeGitHub();
  const anthropic = new FakeAnthropic();
  await Promise.all([slack.start(), linear.start(), github.start(), anthropic.start()]);
  const demo = await createDemoRepo(dir);
  github.seedRepo({ owner: 'acme', name: 'calc' });
  github.onRequest(async () => {
    for (const [ref, sha] of await demo.remote.refs()) if (ref.startsWith('refs/heads/')) github.setHead('acme', 'calc', ref.slice(11), sha);
  });
  linear.addTeam({ key: 'ENG', name: 'Engineering' });
  linear.addState('ENG', { name: 'In Review', type: 'started' });
  linear.addLabel({ name: 'bug' });
  linear.addIssue({ team: 'ENG', number: 42, title: TICKET.title, description: TICKET.description, labels: ['bug'] });

  const { agent, queue, ...rest } = options.policy ?? {};
  writeFileSync(join(dir, 'baton.yml'), stringify({
    queue: { poll_interval_seconds: 0.5, shutdown_grace_seconds: 1, ...(queue as object | undefined) },
    teams: { ENG: { tracker: 'linear', channel: SLACK_DEFAULTS.channelId, repo: 'acme/calc' } },
    repos: { 'acme/calc': { test: DEMO_TEST_COMMAND, clone_url: demo.remote.url } },
    agent: { models: ['claude-sonnet-5-5'], ...(agent as object | undefined) },
    ...rest,
  }));
  const env = {
    DATABASE_URL: db.url,
    DATABASE_SCHEMA: db.schema,
    DATA_DIR: join(dir, 'data'),
    HTTP_RETRIES: '0',
    LOG_LEVEL: 'debug',
    SLACK_BOT_TOKEN: SLACK_DEFAULTS.botToken,
    SLACK_SIGNING_SECRET: SLACK_DEFAULTS.signingSecret,
    SLACK_API_URL: slack.apiUrl,
    LINEAR_API_KEY: linear.apiKey,
    LINEAR_API_URL: linear.apiUrl,
    GITHUB_TOKEN: 'ghs_test',
    GITHUB_API_URL: github.url,
    ANTHROPIC_API_KEY: 'sk-ant-test',
    ANTHROPIC_BASE_URL: anthropic.url,
  };
  const processes: BatonProcess[] = [];

  return {
    db, slack, linear, github, anthropic, demo,
    async spawn(role) {
      const baton = await spawnBaton({ cwd: dir, env, args: ['--role', role] });
      processes.push(baton);
      return baton;
    },
    command: (web, text) =>
      sendSignedSlack(`${web.url}/slack/events`, 'command', slashCommandBody({ text, channel_id: SLACK_DEFAULTS.channelId, response_url: slack.responseUrl('cmd') }), {
        secret: SLACK_DEFAULTS.signingSecret,
      }),
    runWhere: (where, what, timeoutMs = 60_000) =>
      eventually(async () => {
        const { rows } = await db.pool.query<RunRow>(`SELECT * FROM runs WHERE ticket_key = $1 AND (${where})`, [TICKET.key]);
        return rows[0];
      }, timeoutMs, what),
    async stop() {
      // SIGKILL: a process left by a failed test must not keep the file from ending.
      await Promise.all(processes.map((p) => p.stop('SIGKILL')));
      await Promise.all([slack.stop(), linear.stop(), github.stop(), anthropic.stop()]);
      await db.drop();
      await cleanup();
    },
  };
}
