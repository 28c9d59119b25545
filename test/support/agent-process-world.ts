import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { SLACK_DEFAULTS } from '../fakes/slack-defaults.ts';
import { agentPolicy, startAgentWorld, type AgentWorld, type RunRow } from './agent-world.ts';
import { spawnBaton, type BatonProcess } from './spawn-baton.ts';

export { TICKET } from './agent-world.ts';

/**
 * The agent flow of agent-flow.ts with Baton as real separate processes (`baton start --role …`,
 * as deployed): the world of agent-world.ts lives in the test process, the processes share the
 * machine's PostgreSQL (DATABASE_URL, a schema of their own) and one data directory, as a worker
 * restarted on the same volume would. Needs DATABASE_URL: processes cannot share the embedded
 * database.
 */
export interface AgentProcessWorld extends Omit<AgentWorld, 'command' | 'env' | 'runWhere' | 'stop'> {
  /** Starts `baton start --role <role>` on the world's configuration; stopped with the world. */
  spawn(role: 'web' | 'worker' | 'all'): Promise<BatonProcess>;
  /** Sends `/agent <text>`, signed, to a process serving Slack. */
  command(web: BatonProcess, text: string): Promise<{ status: number; json?: unknown }>;
  /** The ticket's run once `where` (SQL on runs) holds. */
  runWhere(where: string, what: string, timeoutMs?: number): Promise<RunRow>;
  stop(): Promise<void>;
}

export async function startAgentProcessWorld(options: { policy?: Record<string, unknown> } = {}): Promise<AgentProcessWorld> {
  const world = await startAgentWorld();
  const { command, env: agentEnv, runWhere, stop, ...parts } = world;
  writeFileSync(join(world.dir, 'baton.yml'), stringify(agentPolicy(world, { queue: { poll_interval_seconds: 0.5, shutdown_grace_seconds: 1 } }, options.policy ?? {})));
  const env = {
    DATABASE_URL: world.db.url,
    DATABASE_SCHEMA: world.db.schema,
    HTTP_RETRIES: '0',
    LOG_LEVEL: 'debug',
    SLACK_BOT_TOKEN: SLACK_DEFAULTS.botToken,
    SLACK_SIGNING_SECRET: SLACK_DEFAULTS.signingSecret,
    SLACK_API_URL: world.slack.apiUrl,
    LINEAR_API_KEY: world.linear.apiKey,
    LINEAR_API_URL: world.linear.apiUrl,
    ...agentEnv,
  };
  const processes: BatonProcess[] = [];

  return {
    ...parts,
    async spawn(role) {
      const baton = await spawnBaton({ cwd: world.dir, env, args: ['--role', role] });
      processes.push(baton);
      return baton;
    },
    command: (web, text) => command(`${web.url}/slack/events`, text),
    runWhere: (where, what, timeoutMs) => runWhere(where, what, timeoutMs),
    async stop() {
      // SIGKILL: a process left by a failed test must not keep the file from ending.
      await Promise.all(processes.map((p) => p.stop('SIGKILL')));
      await stop();
    },
  };
}
