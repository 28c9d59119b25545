import { join } from 'node:path';
import { FakeAnthropic } from '../fakes/fake-anthropic.ts';
import { FakeGitHub } from '../fakes/fake-github.ts';
import { FakeLinear } from '../fakes/fake-linear.ts';
import { FakeSlack } from '../fakes/fake-slack.ts';
import { sendSignedSlack, slashCommandBody } from '../fakes/sign-slack-request.ts';
import { SLACK_DEFAULTS } from '../fakes/slack-defaults.ts';
import { tempDir } from '../integrations/git/git-fixtures.ts';
import { createDemoRepo, DEMO_TEST_COMMAND, demoTicket, type DemoRepo } from './demo-repo.ts';
import { eventually } from './eventually.ts';
import { startTestBaton, type TestBaton } from './start-test-baton.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

export interface AgentFlow {
  db: TestDatabase;
  slack: FakeSlack;
  linear: FakeLinear;
  github: FakeGitHub;
  anthropic: FakeAnthropic;
  demo: DemoRepo;
  app: TestBaton;
  /** Sends `/agent <text>` as the default Slack user, signed. */
  command(text: string, userId?: string): Promise<{ status: number; json?: unknown }>;
  /** The run's row once `where` (SQL on runs) holds. */
  runWhere(where: string, what: string, timeoutMs?: number): Promise<RunRow>;
  stop(): Promise<void>;
}

export interface RunRow {
  id: string;
  status: string;
  status_reason: string | null;
  thread_ts: string;
  status_ts: string;
  channel_id: string;
  branch: string | null;
  pr_url: string | null;
  cost_usd: string;
  cost_cap_usd: string | null;
  question: string | null;
  outcome: { summary: string; headSha: string; evidence: { testFiles: string[]; runs: { label: string; exitCode: number | null }[] } } | null;
}

export const CHANNEL = SLACK_DEFAULTS.channelId;
export const TICKET = demoTicket();

/**
 * Baton as `npm start` builds it, with the coder agent for real: the calc demo repository as a
 * bare remote (cloned through repos.acme/calc.clone_url), the fake GitHub (learning pushed branches
 * from the remote, as GitHub learns them from a push), the fake Linear holding the ticket, the fake
 * Anthropic scripted by the test, real bubblewrap and real PostgreSQL.
 */
export async function startAgentFlow(options: { policy?: Record<string, unknown> } = {}): Promise<AgentFlow> {
  const { dir, cleanup } = await tempDir('baton-agent-flow-');
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

  const { agent: agentPolicy, ...rest } = options.policy ?? {};
  const app = await startTestBaton({
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
      teams: { ENG: { tracker: 'linear', channel: CHANNEL, repo: 'acme/calc' } },
      repos: { 'acme/calc': { test: DEMO_TEST_COMMAND, clone_url: demo.remote.url } },
      agent: { models: ['claude-sonnet-5-5'], ...(agentPolicy as object | undefined) },
      ...rest,
    },
  });
  const runWhere = (where: string, what: string, timeoutMs = 60_000): Promise<RunRow> =>
    eventually(async () => {
      const { rows } = await db.pool.query<RunRow>(`SELECT * FROM runs WHERE ticket_key = $1 AND (${where})`, [TICKET.key]);
      return rows[0];
    }, timeoutMs, what);
  return {
    db, slack, linear, github, anthropic, demo, app, runWhere,
    command: (text, userId = SLACK_DEFAULTS.userId) =>
      sendSignedSlack(app.slackEventsUrl, 'command', slashCommandBody({ text, channel_id: CHANNEL, user_id: userId, response_url: slack.responseUrl('cmd') }), {
        secret: SLACK_DEFAULTS.signingSecret,
      }),
    async stop() {
      await app.stop();
      await Promise.all([slack.stop(), linear.stop(), github.stop(), anthropic.stop()]);
      await db.drop();
      await cleanup();
    },
  };
}
