import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Anthropic from '@anthropic-ai/sdk';
import { stringify } from 'yaml';
import { ACTIONS } from '../../src/bot/views/action-ids.ts';
import { bash, editor, finish, lastToolResults } from '../agents/coder-fixture.ts';
import type { RequestInfo, ScriptedResponse } from '../fakes/fake-anthropic.ts';
import type { SignedResponse } from '../fakes/sign-slack-request.ts';
import { SLACK_DEFAULTS } from '../fakes/slack-defaults.ts';
import type { SlackMessage } from '../fakes/fake-slack.ts';
import { agentPolicy, isReviewerRequest, startAgentWorld, type AgentWorld } from './agent-world.ts';
import { DEMO_FIX, DEMO_NEW_TEST } from './demo-repo.ts';
import { clickButton } from './slack-interactions.ts';
import { spawnBaton, type BatonProcess } from './spawn-baton.ts';

/*
 * The chaos test's world: agent-world.ts's fakes and calc repository, with one Linear ticket per
 * run (ENG-101…), and Baton as real separate processes (`baton start --role web|worker`) that the
 * test SIGKILLs and starts again. Every fake answers by request content, never by order, so any
 * process (a restarted one included) can serve any run's next step.
 */

/** The approver who clicks every card (the requester may not approve their own run). */
export const CHAOS_APPROVER = 'U0CHAOSAPPROVER';

/**
 * `node --test` straight, not `npm test`: npm's start-up would be most of each of the five suite
 * runs a run makes (the coder's two, Baton's base, change and FAIL_TO_PASS runs).
 */
export const CHAOS_TEST_COMMAND = 'node --test';

/** The agent's lease at the policy's minimum: a dead worker's run is noticed soonest. */
export const CHAOS_LEASE_SECONDS = 10;

/** The ticket of run `i` (0-based). */
export const chaosTicket = (i: number): string => `ENG-${101 + i}`;

/**
 * The coder of every run, by the turn of its own conversation: look, write the failing test, see
 * it fail, fix, see it pass, finish. A new agent after a kill starts again at turn 0 from the
 * ticket, so whichever process asks gets the step its conversation is at.
 */
function coderStep(request: Anthropic.MessageCreateParams, info: RequestInfo): ScriptedResponse {
  switch (info.turn) {
    case 0: return editor({ command: 'view', path: '/repo/src/calc.js' }, 'Looking at range first.');
    case 1: return editor({ command: 'create', path: DEMO_NEW_TEST.path, file_text: DEMO_NEW_TEST.content });
    case 2: return bash(CHAOS_TEST_COMMAND);
    case 3: return editor({ command: 'str_replace', path: DEMO_FIX.path, old_str: DEMO_FIX.oldStr, new_str: DEMO_FIX.newStr });
    case 4: return bash(CHAOS_TEST_COMMAND);
    default:
      // Green after the fix: finish. Anything else is a script mistake the run's failure will show.
      return /# fail 0/.test(lastToolResults(request).join('\n'))
        ? finish('range stopped one short of its end (`i < end`); it now includes it. test/range.test.js covers it.')
        : { content: [{ type: 'text', text: `unexpected turn ${info.turn}: the suite is not green` }] };
  }
}

export type ChaosRole = 'web' | 'worker';

/** One place in the deployment: a role whose process may be killed and started again. */
export interface ChaosSlot {
  name: string;
  role: ChaosRole;
  /** The running process, or undefined between a kill and its restart. */
  process: BatonProcess | undefined;
  /** Processes started in this slot so far (1 once the first is up). */
  starts: number;
}

export interface ChaosWorld extends Omit<AgentWorld, 'command' | 'env' | 'runWhere' | 'stop'> {
  runs: number;
  slots: ChaosSlot[];
  /** Starts the slot's process (again); resolves once it says it is up. */
  start(slot: ChaosSlot): Promise<BatonProcess>;
  /** SIGKILLs the slot's process and waits for it to be gone. */
  kill(slot: ChaosSlot): Promise<number>;
  /** A live web process's URL, waiting (up to a minute) for one if every web process is down. */
  webUrl(): Promise<string>;
  /** `/agent fix KEY` as the requester, to a live web process. Throws when the request dies with the process. */
  fix(ticketKey: string): Promise<{ status: number; json?: unknown }>;
  /** The run's newest merge card with an Approve button, if its thread has one. */
  approveCard(threadTs: string): ChaosCard | undefined;
  /** A signed Approve click on the card by CHAOS_APPROVER, to a live web process. */
  approve(card: ChaosCard): Promise<SignedResponse>;
  /** The pg-boss job table. */
  jobs: string;
  stop(): Promise<void>;
}

export interface ChaosCard {
  ts: string;
  threadTs: string;
  text: string;
  blocks: unknown[];
  approve: { value: string; text: string };
}

export interface ChaosWorldOptions {
  runs: number;
  slots: { name: string; role: ChaosRole }[];
  /** Writes every process's output here (a file per process), for a post-mortem. */
  logDir?: string;
}

export async function startChaosWorld(options: ChaosWorldOptions): Promise<ChaosWorld> {
  const world = await startAgentWorld({
    tickets: Array.from({ length: options.runs }, (_, i) => ({ team: 'ENG', number: 101 + i })),
  });
  const { command: _command, env: agentEnv, runWhere: _runWhere, stop, ...parts } = world;
  world.anthropic.handle((request, info) => (isReviewerRequest(request) ? undefined : coderStep(request, info)));
  world.slack.addUser({ id: CHAOS_APPROVER, name: 'ada' });
  writeFileSync(join(world.dir, 'baton.yml'), stringify(agentPolicy(world, {
    queue: { poll_interval_seconds: 0.5, shutdown_grace_seconds: 1 },
    scheduling: { agent_concurrency: 4, agent_lease_seconds: CHAOS_LEASE_SECONDS, reconcile_interval_minutes: 1 },
    repos: { 'acme/calc': { test: CHAOS_TEST_COMMAND } },
    gates: { merge: { approvers: [CHAOS_APPROVER] } },
  })));
  const env = {
    DATABASE_URL: world.db.url,
    DATABASE_SCHEMA: world.db.schema,
    HTTP_RETRIES: '0',
    LOG_LEVEL: 'info',
    SLACK_BOT_TOKEN: SLACK_DEFAULTS.botToken,
    SLACK_SIGNING_SECRET: SLACK_DEFAULTS.signingSecret,
    SLACK_API_URL: world.slack.apiUrl,
    LINEAR_API_KEY: world.linear.apiKey,
    LINEAR_API_URL: world.linear.apiUrl,
    ...agentEnv,
  };
  if (options.logDir) mkdirSync(options.logDir, { recursive: true });
  const slots: ChaosSlot[] = options.slots.map((s) => ({ ...s, process: undefined, starts: 0 }));
  const all: BatonProcess[] = [];

  const start = async (slot: ChaosSlot): Promise<BatonProcess> => {
    const baton = await spawnBaton({ cwd: world.dir, env, args: ['--role', slot.role] });
    all.push(baton);
    slot.starts += 1;
    slot.process = baton;
    if (options.logDir) {
      const file = join(options.logDir, `${slot.name}.${slot.starts}.log`);
      writeFileSync(file, baton.output.join(''));
      baton.child.stdout!.on('data', (chunk: Buffer) => appendFileSync(file, chunk));
      baton.child.stderr!.on('data', (chunk: Buffer) => appendFileSync(file, chunk));
    }
    return baton;
  };

  const webUrl = async (): Promise<string> => {
    for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
      const web = slots.find((s) => s.role === 'web' && s.process && s.process.child.exitCode === null && s.process.child.signalCode === null);
      if (web) return web.process!.url;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('no web process has been up for a minute');
  };

  const cards = (threadTs: string): ChaosCard[] =>
    world.slack.repliesTo(threadTs).flatMap((m) => {
      const card = approveCardOf(m, threadTs);
      return card ? [card] : [];
    });

  return {
    ...parts,
    runs: options.runs,
    slots,
    start,
    async kill(slot) {
      const baton = slot.process;
      if (!baton) throw new Error(`${slot.name} has no process to kill`);
      slot.process = undefined;
      return (await baton.stop('SIGKILL')) ?? -1;
    },
    webUrl,
    fix: async (ticketKey) => world.command(`${await webUrl()}/slack/events`, `fix ${ticketKey}`),
    approveCard: (threadTs) => cards(threadTs).at(-1),
    async approve(card) {
      return clickButton(`${await webUrl()}/slack/events`, {
        actionId: ACTIONS.gateApprove, value: card.approve.value, messageTs: card.ts, threadTs: card.threadTs,
        userId: CHAOS_APPROVER, message: { text: card.text, blocks: card.blocks }, buttonText: card.approve.text,
      });
    },
    jobs: `${world.db.schema}_jobs.job`,
    async stop() {
      // SIGKILL: a process left by a failed test must not keep the file from ending.
      await Promise.all(all.map((p) => p.stop('SIGKILL')));
      await stop();
    },
  };
}

/** A message in the thread with a merge gate's Approve button, as the clicker sees it. */
function approveCardOf(message: SlackMessage, threadTs: string): ChaosCard | undefined {
  for (const block of (message.blocks ?? []) as { type?: string; elements?: Record<string, unknown>[] }[]) {
    if (block.type !== 'actions') continue;
    for (const element of block.elements ?? []) {
      if (element.type !== 'button' || element.action_id !== ACTIONS.gateApprove) continue;
      const value = String(element.value);
      if ((JSON.parse(value) as { gate?: string }).gate !== 'merge') continue;
      return {
        ts: message.ts, threadTs, text: message.text, blocks: message.blocks ?? [],
        approve: { value, text: String((element.text as { text: string }).text) },
      };
    }
  }
  return undefined;
}
