import { join } from 'node:path';
import type Anthropic from '@anthropic-ai/sdk';
import { FakeAnthropic, type RequestHandler } from '../fakes/fake-anthropic.ts';
import { reviewersHandler } from '../agents/reviewers/review-script.ts';
import { FakeGitHub, type RepoSeed } from '../fakes/fake-github.ts';
import { FakeLinear } from '../fakes/fake-linear.ts';
import { FakeSlack } from '../fakes/fake-slack.ts';
import { sendSignedSlack, slashCommandBody } from '../fakes/sign-slack-request.ts';
import { SLACK_DEFAULTS } from '../fakes/slack-defaults.ts';
import { tempDir, type Remote } from '../integrations/git/git-fixtures.ts';
import { createDemoRepo, DEMO_TEST_COMMAND, demoTicket, type DemoRepo } from './demo-repo.ts';
import { eventually } from './eventually.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

/*
 * The world the agent's end-to-end tests run Baton in, whether in-process (agent-flow.ts) or as
 * spawned processes (agent-process-world.ts): the calc demo repository as a bare remote, the fake
 * GitHub (learning pushed branches from the remote, as GitHub learns them from a push), the fake
 * Linear holding the ticket, the fake Slack, the fake Anthropic scripted by the test, and a fresh
 * PostgreSQL schema.
 */

export const CHANNEL = SLACK_DEFAULTS.channelId;
export const TICKET = demoTicket();

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

export interface AgentWorldOptions {
  /** Files committed on the calc repository's main beside its own. */
  files?: Record<string, string>;
  /** The credentials the fakes accept (and the world's env carries); each fake's default otherwise. */
  credentials?: { slackBotToken?: string; linearApiKey?: string; githubToken?: string; anthropicApiKey?: string };
  /**
   * Linear tickets beside ENG-42, labelled bug, with ENG-42's title and description unless given.
   * A team not in Linear yet is added (named by its key) with its In Review state.
   */
  tickets?: { team: string; number: number; title?: string; description?: string }[];
  /**
   * Answers the three reviewers' requests (the cache warm-up included); by default they answer
   * their sample reports (reviewersHandler(): no veto).
   */
  reviewers?: RequestHandler;
  /** acme/calc as the fake GitHub seeds it: its workflows (deploys), merge methods, required checks. */
  githubRepo?: Omit<RepoSeed, 'owner' | 'name'>;
}

export interface AgentWorld {
  /** A temporary directory, removed by stop(): the demo remote lives under it. */
  dir: string;
  /** DATA_DIR for Baton. */
  dataDir: string;
  db: TestDatabase;
  slack: FakeSlack;
  linear: FakeLinear;
  github: FakeGitHub;
  anthropic: FakeAnthropic;
  demo: DemoRepo;
  /** What Baton needs besides the database, Slack and Linear: DATA_DIR, GITHUB_* and ANTHROPIC_*. */
  env: Record<string, string>;
  /** Sends `/agent <text>`, signed, to Slack events at `url`. */
  command(url: string, text: string, options?: { userId?: string; secret?: string }): Promise<{ status: number; json?: unknown }>;
  /** The run of `ticketKey` (ENG-42 unless given) once `where` (SQL on runs) holds. */
  runWhere(where: string, what: string, timeoutMs?: number, ticketKey?: string): Promise<RunRow>;
  /** Stops the fakes, drops the schema and removes `dir` (Baton is the caller's to stop first). */
  stop(): Promise<void>;
}

/** GitHub learns of pushed branches from the push itself; the fake reads them from the bare remote before each request. */
export function githubFollows(github: FakeGitHub, remote: Remote, owner: string, name: string, seed: Omit<RepoSeed, 'owner' | 'name'> = {}): void {
  github.seedRepo({ ...seed, owner, name });
  github.onRequest(async () => {
    for (const [ref, sha] of await remote.refs()) if (ref.startsWith('refs/heads/')) github.setHead(owner, name, ref.slice(11), sha);
  });
}

export async function startAgentWorld(options: AgentWorldOptions = {}): Promise<AgentWorld> {
  const { credentials = {} } = options;
  const { dir, cleanup } = await tempDir('baton-agent-');
  const db = await createTestDatabase();
  // ts values near the real time, as Slack mints them: a retry that looks for a message it may have posted reads history by time.
  const slack = new FakeSlack({ botToken: credentials.slackBotToken, clock: Date.now });
  const linear = new FakeLinear({ apiKey: credentials.linearApiKey });
  const github = new FakeGitHub({ token: credentials.githubToken });
  const anthropic = new FakeAnthropic({ apiKey: credentials.anthropicApiKey });
  await Promise.all([slack.start(), linear.start(), github.start(), anthropic.start()]);
  // Every proven change is reviewed: unless a test scripts them, the three reviewers answer their
  // sample reports (no veto), after whatever the test scripted for the coder.
  const reviewers = options.reviewers ?? reviewersHandler();
  anthropic.handle((request, info) => (isReviewerRequest(request) ? reviewers(request, info) : undefined));
  const demo = await createDemoRepo(dir, options.files);
  githubFollows(github, demo.remote, 'acme', 'calc', options.githubRepo);

  linear.addLabel({ name: 'bug' });
  const teams = new Set<string>();
  const tickets = [{ team: 'ENG', number: 42, title: TICKET.title, description: TICKET.description }, ...(options.tickets ?? [])];
  for (const { team, number, title = TICKET.title, description = TICKET.description } of tickets) {
    if (!teams.has(team)) {
      teams.add(team);
      linear.addTeam({ key: team, name: team === 'ENG' ? 'Engineering' : team });
      linear.addState(team, { name: 'In Review', type: 'started' });
      linear.addState(team, { name: 'Done', type: 'completed' });
    }
    linear.addIssue({ team, number, title, description, labels: ['bug'] });
  }

  const dataDir = join(dir, 'data');
  return {
    dir, dataDir, db, slack, linear, github, anthropic, demo,
    env: {
      DATA_DIR: dataDir,
      GITHUB_TOKEN: credentials.githubToken ?? 'ghs_test',
      GITHUB_API_URL: github.url,
      ANTHROPIC_API_KEY: credentials.anthropicApiKey ?? 'sk-ant-test',
      ANTHROPIC_BASE_URL: anthropic.url,
    },
    command: (url, text, { userId = SLACK_DEFAULTS.userId, secret = SLACK_DEFAULTS.signingSecret } = {}) =>
      sendSignedSlack(url, 'command', slashCommandBody({ text, channel_id: CHANNEL, user_id: userId, response_url: slack.responseUrl('cmd') }), { secret }),
    runWhere: (where, what, timeoutMs = 60_000, ticketKey = TICKET.key) =>
      eventually(async () => {
        const { rows } = await db.pool.query<RunRow>(`SELECT * FROM runs WHERE ticket_key = $1 AND (${where})`, [ticketKey]);
        return rows[0];
      }, timeoutMs, what),
    async stop() {
      await Promise.all([slack.stop(), linear.stop(), github.stop(), anthropic.stop()]);
      await db.drop();
      await cleanup();
    },
  };
}

type Tree = Record<string, unknown>;
const isTree = (value: unknown): value is Tree => typeof value === 'object' && value !== null && !Array.isArray(value);

function merge(base: Tree, over: Tree): Tree {
  const out = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = isTree(out[key]) && isTree(value) ? merge(out[key], value) : value;
  return out;
}

/**
 * baton.yml for the world: team ENG on #CHANNEL fixing acme/calc (the demo remote, tested with
 * `npm test`) with one model, each of `overrides` merged over it in turn (objects key by key,
 * anything else replaced).
 */
export function agentPolicy(world: Pick<AgentWorld, 'demo'>, ...overrides: Tree[]): Tree {
  const base: Tree = {
    teams: { ENG: { tracker: 'linear', channel: CHANNEL, repo: 'acme/calc' } },
    repos: { 'acme/calc': { test: DEMO_TEST_COMMAND, clone_url: world.demo.remote.url } },
    agent: { models: ['claude-sonnet-5-5'] },
  };
  return overrides.reduce(merge, base);
}

/** A request from one of the three reviewers (their shared system prompt), not the coder. */
export function isReviewerRequest(request: Anthropic.MessageCreateParams): boolean {
  const system = typeof request.system === 'string' ? request.system : (request.system ?? []).map((b) => b.text).join('\n');
  return system.includes("one of Baton's three code reviewers");
}

/**
 * SQL on `runs`: the run's PR is open and run.publish has told the thread all it owed (the card
 * with its buttons, the diff file, the status). The status alone moves before the card is posted.
 */
export const PUBLISHED =
  "(status IN ('awaiting_approval', 'merging') AND EXISTS (SELECT 1 FROM audit_log a WHERE a.run_id = runs.id AND a.action = 'run.published'))";
