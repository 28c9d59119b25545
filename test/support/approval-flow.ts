import assert from 'node:assert/strict';
import type Anthropic from '@anthropic-ai/sdk';
import { ACTIONS } from '../../src/bot/views/action-ids.ts';
import { fixSteps } from '../agents/coder-fixture.ts';
import { reviewersHandler } from '../agents/reviewers/review-script.ts';
import type { RequestHandler, RequestInfo } from '../fakes/fake-anthropic.ts';
import type { SignedResponse } from '../fakes/sign-slack-request.ts';
import { SLACK_DEFAULTS } from '../fakes/slack-defaults.ts';
import type { SlackMessage } from '../fakes/fake-slack.ts';
import { startAgentFlow, type AgentFlow, type RunRow } from './agent-flow.ts';
import { eventually } from './eventually.ts';
import { jobFinished } from './job-finished.ts';
import { clickButton, submitView } from './slack-interactions.ts';
import { sendDelivery, type WebhookAnswer, type WebhookDelivery } from './webhook-deliveries.ts';

/*
 * The approval gates end to end: Baton in-process on the agent world (agent-flow.ts), runs that
 * reach their review card through the scripted coder and the reviewers, and people acting on the
 * card through signed block_actions and view_submissions. Who may do what is set here once:
 * APPROVER approves both gates, MERGE_ONLY the merge alone, DEPLOYER production alone, OUTSIDER
 * nothing, and the requester (Slack's default user) is a merge approver too, to prove that being
 * one does not let them approve their own run.
 */

export const REQUESTER = SLACK_DEFAULTS.userId;
export const APPROVER = 'U0APPROVER';
export const MERGE_ONLY = 'U0MERGEONLY';
export const DEPLOYER = 'U0DEPLOYER';
export const OUTSIDER = 'U0OUTSIDER';
export const GITHUB_WEBHOOK_SECRET = 'github-webhook-secret-for-approval-flows';

export const DEPLOY = { staging: 'deploy-staging.yml', production: 'deploy-production.yml', poll_seconds: 0.05 } as const;
const WORKFLOWS = [
  { name: 'Deploy staging', path: `.github/workflows/${DEPLOY.staging}` },
  { name: 'Deploy production', path: `.github/workflows/${DEPLOY.production}` },
];

export type GateName = 'merge' | 'production';

/** A button as the card shows it. */
export interface CardButton {
  actionId: string;
  value: string;
  text: string;
  confirm?: { title: { text: string }; text: { text: string } };
}

/** A message in a run's thread carrying gate buttons, as the clicker sees it. */
export interface Card {
  ts: string;
  threadTs: string;
  text: string;
  blocks: unknown[];
  buttons: CardButton[];
  /** Parsed from the first gate button: what the card is pinned to. */
  gate: GateName;
  headSha: string;
  button(actionId: string): CardButton;
}

export interface ApprovalFlowOptions {
  /** Tickets besides ENG-42 (team ENG), by number. */
  tickets?: number[];
  /** Merged over the approval policy (gates, deploy). */
  policy?: Record<string, unknown>;
  /** Whether acme/calc deploys (staging then production); default true. */
  deploy?: boolean;
  /** Reviewer handlers by ticket key; the others answer their sample reports (no veto). */
  reviewers?: Record<string, RequestHandler>;
}

export interface ApprovalFlow extends AgentFlow {
  /** `/agent fix KEY` as the requester, then the run once its publish told the thread everything (card, file). */
  publish(key: string): Promise<RunRow>;
  /** The run's row now. */
  run(key: string): Promise<RunRow>;
  /** The thread's messages with buttons of `gate`, oldest first. */
  cards(run: RunRow, gate?: GateName): Card[];
  /** The newest card of `gate` once there is one (and, with `not`, one other than that ts). */
  card(run: RunRow, gate?: GateName, not?: string): Promise<Card>;
  /** The newest message with a Retry button (a merge GitHub refused), once there is one. */
  retryCard(run: RunRow): Promise<Card>;
  /** A signed click on the card's button, as `userId`; `value` replaces what the button carries. */
  click(card: Card, actionId: string, userId: string, extra?: { value?: string; secret?: string; triggerId?: string }): Promise<SignedResponse>;
  /** Clicks, and resolves with the ephemeral the clicker is then shown (the click's answer). */
  clickForEphemeral(card: Card, actionId: string, userId: string, extra?: { value?: string }): Promise<string>;
  /** Submits a view as Slack does (signed view_submission). */
  submit(view: Record<string, unknown>, userId: string, values: Record<string, Record<string, string>>): Promise<SignedResponse>;
  /** approvals rows of the run, oldest first. */
  approvals(runId: string): Promise<{ gate: string; head_sha: string; decision: string; decided_by: string; via: string; reason: string | null }[]>;
  /** approval_requests rows of the run, oldest first. */
  requests(runId: string): Promise<{ id: string; gate: string; head_sha: string; state: string; message_ts: string | null }[]>;
  /** The run's audit actions, oldest first. */
  audit(runId: string): Promise<{ action: string; actor: string; gate: string | null; head_sha: string | null }[]>;
  /** A reconcile tick (trackers, stranded runs, expired approval requests) through Baton's own queue, waited for. */
  reconcileNow(): Promise<void>;
  /** POSTs a webhook delivery to Baton. */
  deliver(delivery: WebhookDelivery): Promise<WebhookAnswer>;
  /** Waits until every job of `name` for the run has settled, and each completed. */
  jobsSettled(name: string, runId: string): Promise<void>;
}

type Tree = Record<string, unknown>;

/** The coder of every run: the whole fix, one step per turn of its own conversation (runs may interleave). */
const coderByTurn: RequestHandler = (request: Anthropic.MessageCreateParams, info: RequestInfo) => {
  const step = fixSteps()[info.turn];
  return typeof step === 'function' ? step(request, info) : step;
};

function ticketOfReview(request: Anthropic.MessageCreateParams): string | undefined {
  const first = request.messages[0];
  const text = !first ? '' : typeof first.content === 'string' ? first.content
    : first.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('\n');
  return /Material for the review of ticket (\S+) at head/.exec(text)?.[1];
}

export function approvalPolicy(deploy: boolean): Tree {
  return {
    // Runs of one file work side by side; the schedule's own reconcile ticks stay out of the way.
    scheduling: { agent_concurrency: 4, reconcile_interval_minutes: 60 },
    gates: {
      merge: { approvers: [APPROVER, MERGE_ONLY, REQUESTER] },
      production: { approvers: [APPROVER, DEPLOYER] },
    },
    ...(deploy ? { repos: { 'acme/calc': { deploy: DEPLOY } } } : {}),
  };
}

function buttonsOf(message: SlackMessage): CardButton[] {
  const buttons: CardButton[] = [];
  for (const block of (message.blocks ?? []) as { type?: string; elements?: Record<string, unknown>[] }[]) {
    if (block.type !== 'actions') continue;
    for (const element of block.elements ?? []) {
      if (element.type !== 'button') continue;
      buttons.push({
        actionId: String(element.action_id), value: String(element.value), text: String((element.text as { text: string }).text),
        ...(element.confirm ? { confirm: element.confirm as CardButton['confirm'] } : {}),
      });
    }
  }
  return buttons;
}

function toCard(message: SlackMessage, threadTs: string): Card | undefined {
  const buttons = buttonsOf(message).filter((b) => b.actionId === ACTIONS.gateApprove || b.actionId === ACTIONS.gateRetry || b.actionId === ACTIONS.gateReject);
  if (buttons.length === 0) return undefined;
  const { gate, headSha } = JSON.parse(buttons[0]!.value) as { gate: GateName; headSha: string };
  return {
    ts: message.ts, threadTs, text: message.text, blocks: message.blocks ?? [], buttons, gate, headSha,
    button(actionId) {
      const found = buttons.find((b) => b.actionId === actionId);
      assert.ok(found, `the card ${message.ts} has a ${actionId} button: ${buttons.map((b) => b.actionId).join(', ')}`);
      return found;
    },
  };
}

/**
 * The agent world with deploy workflows on acme/calc that succeed when Baton follows them, the
 * coder answering by turn, per-ticket reviewers, Baton with the approval policy, and the helpers.
 */
export async function startApprovalFlow(options: ApprovalFlowOptions = {}): Promise<ApprovalFlow> {
  const deploy = options.deploy ?? true;
  const fallback = reviewersHandler();
  const byTicket = options.reviewers ?? {};
  const flow = await startAgentFlow({
    tickets: (options.tickets ?? []).map((number) => ({ team: 'ENG', number })),
    reviewers: (request, info) => (byTicket[ticketOfReview(request) ?? ''] ?? fallback)(request, info),
    githubRepo: { workflows: WORKFLOWS },
    policy: [approvalPolicy(deploy), options.policy ?? {}].reduce(mergeTree),
    env: { GITHUB_WEBHOOK_SECRET },
  });
  flow.anthropic.handle(coderByTurn);
  for (const [id, name] of [[APPROVER, 'ada'], [MERGE_ONLY, 'mel'], [DEPLOYER, 'dee'], [OUTSIDER, 'otto']] as const) flow.slack.addUser({ id, name });
  // A deploy run GitHub starts ends in success the first time Baton looks at it.
  flow.github.onRequest((req) => {
    const match = /\/actions\/runs\/(\d+)$/.exec(req.path);
    if (req.method !== 'GET' || !match) return;
    const run = flow.github.store.run(Number(match[1]));
    if (run.status !== 'completed') flow.github.completeWorkflowRun(run.id, 'success');
  });
  const { db, app } = flow;
  const jobs = `${db.schema}_jobs.job`;

  const cards = (run: RunRow, gate: GateName = 'merge'): Card[] =>
    flow.slack.repliesTo(run.thread_ts).flatMap((m) => {
      const card = toCard(m, run.thread_ts);
      return card && card.gate === gate && card.buttons.some((b) => b.actionId === ACTIONS.gateApprove) ? [card] : [];
    });

  const click: ApprovalFlow['click'] = (card, actionId, userId, extra = {}) => {
    const button = card.button(actionId);
    return clickButton(app.slackEventsUrl, {
      actionId, value: extra.value ?? button.value, messageTs: card.ts, threadTs: card.threadTs, userId,
      message: { text: card.text, blocks: card.blocks }, buttonText: button.text, triggerId: extra.triggerId,
    }, extra.secret);
  };

  return {
    ...flow,
    async publish(key) {
      const response = await flow.command(`fix ${key}`);
      assert.equal(response.status, 200);
      assert.match((response.json as { text: string }).text, new RegExp(`Queued ${key}`));
      return flow.runWhere(
        "EXISTS (SELECT 1 FROM audit_log a WHERE a.run_id = runs.id AND a.action = 'run.published')",
        `${key}'s run to publish its PR and card`, 120_000, key,
      );
    },
    run: (key) => flow.runWhere('true', `${key}'s run`, 5_000, key),
    cards,
    card: (run, gate = 'merge', not) =>
      eventually(async () => cards(run, gate).filter((c) => c.ts !== not).at(-1), 30_000, `a ${gate} card in ${run.thread_ts}${not ? ` other than ${not}` : ''}`),
    retryCard: (run) =>
      eventually(async () => flow.slack.repliesTo(run.thread_ts).map((m) => toCard(m, run.thread_ts))
        .filter((c) => c?.buttons.some((b) => b.actionId === ACTIONS.gateRetry)).at(-1), 30_000, `a Retry button in ${run.thread_ts}`),
    click,
    async clickForEphemeral(card, actionId, userId, extra = {}) {
      const before = flow.slack.ephemerals(userId).length;
      const response = await click(card, actionId, userId, extra);
      assert.equal(response.status, 200, 'Slack gets its ack');
      const shown = await eventually(async () => flow.slack.ephemerals(userId)[before], 15_000, `an ephemeral answer for ${userId}`);
      return shown.text;
    },
    submit: (view, userId, values) => submitView(app.slackEventsUrl, { view, userId, values }),
    async approvals(runId) {
      const { rows } = await db.pool.query('SELECT gate, head_sha, decision, decided_by, via, reason FROM approvals WHERE run_id = $1 ORDER BY decided_at, id', [runId]);
      return rows as never;
    },
    async requests(runId) {
      const { rows } = await db.pool.query('SELECT id::text, gate, head_sha, state, message_ts FROM approval_requests WHERE run_id = $1 ORDER BY id', [runId]);
      return rows as never;
    },
    async audit(runId) {
      const { rows } = await db.pool.query('SELECT action, actor, gate, head_sha FROM audit_log WHERE run_id = $1 ORDER BY id', [runId]);
      return rows as never;
    },
    async reconcileNow() {
      const id = await eventually(async () => {
        try {
          return await app.baton.queue.enqueue(app.baton.pool, 'intake.reconcile', {});
        } catch (error) {
          // Stately: a tick already waiting must run before another can be queued.
          if (/refused the job/.test((error as Error).message)) return undefined;
          throw error;
        }
      }, 10_000, 'room for an intake.reconcile job');
      app.baton.queue.notify('intake.reconcile');
      await jobFinished(db.pool, jobs, 'id = $1', [id], 'intake.reconcile');
    },
    deliver: (delivery) => sendDelivery(app.url, delivery),
    jobsSettled: (name, runId) => jobFinished(db.pool, jobs, `name = $1 AND data->>'runId' = $2`, [name, runId], `${name} of run ${runId}`),
  };
}

function mergeTree(base: Tree, over: Tree): Tree {
  const out = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const mine = out[key];
    out[key] = isTree(mine) && isTree(value) ? mergeTree(mine, value) : value;
  }
  return out;
}

const isTree = (value: unknown): value is Tree => typeof value === 'object' && value !== null && !Array.isArray(value);
