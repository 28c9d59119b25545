import { SLACK_DEFAULTS } from '../fakes/slack-defaults.ts';
import { agentPolicy, startAgentWorld, type AgentWorld, type AgentWorldOptions, type RunRow } from './agent-world.ts';
import { startTestBaton, type TestBaton } from './start-test-baton.ts';

export { CHANNEL, PUBLISHED, TICKET, type RunRow } from './agent-world.ts';

export interface AgentFlow extends Omit<AgentWorld, 'command' | 'env' | 'runWhere' | 'stop'> {
  app: TestBaton;
  /** Sends `/agent <text>` as the default Slack user, signed with Baton's signing secret. */
  command(text: string, userId?: string): Promise<{ status: number; json?: unknown }>;
  /** The run's row (ENG-42's unless `ticketKey`) once `where` (SQL on runs) holds. */
  runWhere(where: string, what: string, timeoutMs?: number, ticketKey?: string): Promise<RunRow>;
  /** Stops Baton, then the world. */
  stop(): Promise<void>;
}

export interface AgentFlowOptions extends AgentWorldOptions {
  /** Merged over agent-world.ts's baton.yml (agentPolicy). */
  policy?: Record<string, unknown>;
  /** Laid over Baton's environment last (HTTP_RETRIES, secrets, DATABASE_URL…). */
  env?: Record<string, string>;
  /** A world already started, for a test that acts between the world and Baton; the flow's stop() stops it. */
  world?: AgentWorld;
}

/**
 * Baton as `npm start` builds it, in-process, in agent-world.ts's world, with the coder agent for
 * real: real bubblewrap and real PostgreSQL, SDK retries off unless `env` turns them on.
 */
export async function startAgentFlow(options: AgentFlowOptions = {}): Promise<AgentFlow> {
  const world = options.world ?? (await startAgentWorld(options));
  const { command, env, runWhere, stop, ...parts } = world;
  const app = await startTestBaton({
    db: world.db,
    slack: world.slack,
    linear: world.linear,
    env: { ...env, ...options.env },
    policy: agentPolicy(world, options.policy ?? {}),
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  const secret = options.env?.SLACK_SIGNING_SECRET ?? SLACK_DEFAULTS.signingSecret;
  return {
    ...parts, app, runWhere,
    command: (text, userId) => command(app.slackEventsUrl, text, { userId, secret }),
    async stop() {
      await app.stop();
      await stop();
    },
  };
}
