import { appendAudit } from '../db/audit-log.ts';
import type { Pool } from '../db/pool.ts';
import {
  agentIsWorking, getRun, releaseThreadLease, setStatusMessage, setStatusReason, setThreadRoot, setTicketDetails, takeThreadLease, transitionRun,
} from '../db/runs.ts';
import { withTransaction } from '../db/pool.ts';
import { waitForAgent } from '../db/run-agent.ts';
import { isActive, type Run } from '../domain/run.ts';
import type { Ticket } from '../domain/ticket.ts';
import { slackErrorCode, type MessageTag, type SlackClient, type TaggedWhere } from '../integrations/slack.ts';
import { TrackerError } from '../integrations/trackers/ticket-tracker.ts';
import type { Logger } from '../logger.ts';
import { statusMessage, threadRootMessage } from '../bot/views/run-messages.ts';
import { PermanentError, RetryableError } from './errors.ts';
import type { Queue } from './queue.ts';
import type { ResolvedTicket, TrackerRoutes } from './tracker-routes.ts';
import { withAgentSlot } from './with-agent-slot.ts';
import { releaseRunWorkspace, type RunWorkspaceDeps } from './release-run-workspace.ts';
import { refreshThread } from './refresh-thread.ts';
import { announceRunEnd } from './announce-run-end.ts';
import { cancelForClosedTicket, closureOf } from './cancel-for-closed-ticket.ts';
import { FAILED_BY } from './fail-run.ts';
import type { AgentStep } from '../agents/agent-step.ts';
import { applyAgentOutcome } from './apply-agent-outcome.ts';

export type { AgentStep } from '../agents/agent-step.ts';

export interface RunFixDeps extends RunWorkspaceDeps {
  pool: Pool;
  queue: Queue;
  slack: SlackClient | undefined;
  routes: TrackerRoutes;
  log: Logger;
  /** keepPlaceSeconds: see with-agent-slot.ts; 3 × slotRetrySeconds unless set. */
  agentSlots: { capacity: number; leaseSeconds?: number; keepPlaceSeconds?: number };
  /** Undefined when no model is configured: the run then waits, saying what is missing (`agentMissing`). */
  agent?: AgentStep;
  /** Why there is no agent, shown as the run's status (default AGENT_NOT_CONFIGURED). */
  agentMissing?: string;
  /** baton.yml agent.limits.raise_factor, for the budget prompt's Continue. */
  raiseFactor?: number;
  /** How long a worker may take to open a thread before another may try. */
  threadLeaseSeconds?: number;
  /** How long a run that found every agent slot taken waits before its job is tried again. */
  slotRetrySeconds?: number;
}

/** What a run says once its ticket is read when no model is configured (config.anthropicMissing). */
export function agentNotConfiguredReason(missing: readonly string[]): string {
  const what = missing.length ? missing.join(' and ') : 'the model API';
  return `Ticket read. The agent cannot start: ${what} ${missing.length > 1 ? 'are' : 'is'} not set on the Baton server, so this run waits. It starts by itself once an admin sets it (or ANTHROPIC_BASE_URL for a gateway) and restarts Baton.`;
}

export const AGENT_NOT_CONFIGURED = agentNotConfiguredReason(['ANTHROPIC_API_KEY']);

// Message metadata tagging the two messages openThread posts, so a retry can find what an earlier
// attempt posted but never recorded (the worker killed, or the database gone, right after Slack's ok).
const ROOT_EVENT = 'baton_run';
const STATUS_EVENT = 'baton_run_status';
// The run's created_at is the database's clock and a ts is Slack's: the root is looked for from a
// little before the run began.
const CLOCK_MARGIN_SECONDS = 600;

/**
 * A message an earlier holder of the thread lease may have posted, found by its tag; undefined when
 * none is found, or when Baton may not read the channel's history (missing_scope, not_in_channel):
 * then a duplicate is the lesser harm than a run that cannot start.
 */
async function postedEarlier(
  slack: SlackClient, channel: string, tag: MessageTag, where: TaggedWhere, log: Logger,
): Promise<string | undefined> {
  try {
    const ts = await slack.findTagged(channel, tag, where);
    if (ts) log.info({ ts, event: tag.eventType }, 'found the message an earlier attempt posted; adopting it');
    return ts;
  } catch (error) {
    const code = slackErrorCode(error);
    if (code !== 'missing_scope' && code !== 'not_in_channel') throw error;
    log.warn({ err: error, event: tag.eventType }, 'cannot read the channel to find an earlier attempt’s message; posting again');
    return undefined;
  }
}

/**
 * Opens the run's thread exactly once: a root message and one status message, both recorded on
 * the run. A second delivery of the job finds them recorded (or the lease held) and posts nothing.
 * A retry after an attempt that held the lease and failed looks for what that attempt posted (by
 * its metadata tag) before posting, so a post Slack accepted but the run never recorded is adopted.
 */
async function openThread(run: Run, deps: RunFixDeps, log: Logger): Promise<Run> {
  const slack = deps.slack;
  if (!slack) throw new PermanentError('slack_not_connected', 'Slack is not connected, so Baton cannot open a thread');
  const channel = run.channelId;
  if (!channel) throw new PermanentError('no_channel', `no Slack channel is known for ${run.ticketKey}`);
  const lease = await takeThreadLease(deps.pool, run.id, deps.threadLeaseSeconds ?? 120);
  if (!lease) {
    const now = await getRun(deps.pool, run.id);
    if (now?.threadTs && now.statusTs) return now;
    throw new RetryableError('thread_busy', 'another worker is opening this run’s thread');
  }
  const { run: leased, takenBefore } = lease;
  try {
    let threadTs = leased.threadTs;
    let rootIsNew = false;
    if (!threadTs) {
      const tag = { eventType: ROOT_EVENT, payload: { run_id: run.id } };
      const oldest = (leased.createdAt.getTime() / 1000 - CLOCK_MARGIN_SECONDS).toFixed(6);
      const earlierRoot = takenBefore ? await postedEarlier(slack, channel, tag, { oldest }, log) : undefined;
      rootIsNew = earlierRoot === undefined;
      const root = earlierRoot ?? (await slack.postMessage(channel, { ...threadRootMessage(leased), tag })).ts;
      const url = await slack.permalink(channel, root).catch((error: unknown) => {
        log.warn({ err: error }, 'no permalink for the thread; "already running" replies will name the channel instead');
        return null;
      });
      await setThreadRoot(deps.pool, run.id, root, url);
      threadTs = root;
      log.info({ threadTs }, 'thread opened');
    }
    const tag = { eventType: STATUS_EVENT, payload: { run_id: run.id } };
    // A root posted just now has no replies yet; only an older one may hold an unrecorded status.
    const earlierStatus = takenBefore && !rootIsNew ? await postedEarlier(slack, channel, tag, { threadTs }, log) : undefined;
    const statusTs = earlierStatus ?? (await slack.postMessage(channel, { ...statusMessage(leased), tag }, threadTs)).ts;
    await setStatusMessage(deps.pool, run.id, statusTs);
    await appendAudit(deps.pool, { runId: run.id, actor: 'baton', action: 'thread.opened', detail: { threadTs } });
    return (await getRun(deps.pool, run.id)) ?? leased;
  } catch (error) {
    await releaseThreadLease(deps.pool, run.id);
    throw error;
  }
}

/** Reads the ticket; "not found" is final (the key is wrong or out of reach), outages are retried. */
async function fetchTicket(run: Run, route: ResolvedTicket): Promise<Ticket> {
  try {
    return await route.tracker.getTicket(run.ticketKey);
  } catch (error) {
    if (error instanceof TrackerError && error.code === 'not_found') {
      throw new PermanentError('ticket_not_found', `${run.ticketKey} not found in ${route.trackerLabel}`, { cause: error });
    }
    if (error instanceof TrackerError && error.code === 'auth') {
      throw new PermanentError('tracker_auth', `${route.trackerLabel} refused Baton's credentials (${error.message}); check the API key or token`, { cause: error });
    }
    throw error;
  }
}

/** Shows where the run stands in its thread (best effort: logged if it fails). */
async function showProgress(run: Run, deps: RunFixDeps, log: Logger): Promise<void> {
  if (!deps.slack) return;
  try {
    await refreshThread(run, deps.slack);
  } catch (error) {
    log.warn({ err: error }, 'could not update the thread; the next step will try again');
  }
}

export async function runFix(payload: { runId: string }, deps: RunFixDeps): Promise<void> {
  let run = await getRun(deps.pool, payload.runId);
  if (!run) throw new PermanentError('run_not_found', `run ${payload.runId} does not exist`);
  const log = deps.log.child({ runId: run.id, ticket: run.ticketKey, job: 'run.fix' });
  if (!isActive(run.status)) {
    log.info({ status: run.status }, 'run already ended; nothing to do');
    // A worker that died with its agent left the worktree behind; nobody else works in it now.
    if (!(await agentIsWorking(deps.pool, run.id))) await releaseRunWorkspace(run.id, deps);
    // A retry after the failure was recorded but before it was told: finish telling it.
    if (run.status === 'failed' && run.statusReason) await announceRunEnd(run.id, deps, { actor: FAILED_BY, reason: run.statusReason });
    return;
  }
  if (run.status !== 'queued' && run.status !== 'running') {
    // Parked for a person (a question, the budget) or past the agent (proven, publishing, waiting
    // for approval): only a resume (which re-queues the run) gives run.fix anything to do.
    log.info({ status: run.status }, 'run is not waiting for its agent; nothing to do');
    return;
  }
  if (await agentIsWorking(deps.pool, run.id)) {
    // A redelivery (pg-boss re-sends a job whose expiry passed while its agent still works): that
    // agent finishes the run. Ending here, before any tracker or Slack call, keeps this delivery
    // from failing the run (and its worktree) under the working agent.
    log.info('another worker’s agent is working on this run; this delivery ends here');
    return;
  }
  if (!run.threadTs || !run.statusTs) run = await openThread(run, deps, log);
  const route = deps.routes.require(run.ticketKey);
  const ticket = await fetchTicket(run, route);
  run = (await setTicketDetails(deps.pool, run.id, { title: ticket.title, url: ticket.url, priority: ticket.priority })) ?? run;
  // A ticket closed before its run began (the intake event for it may still be on its way, or lost).
  const closure = closureOf(ticket);
  if (closure.kind !== 'open' && (await cancelForClosedTicket(run, closure, `${route.trackerLabel} ticket`, route, deps))) {
    log.info({ state: ticket.state.name }, 'the ticket is closed; run cancelled instead of started');
    return;
  }
  // The ticket may have been closed (and the run cancelled) while it was being read.
  if (!isActive(run.status)) {
    log.info({ status: run.status }, 'run ended while the ticket was read; stopping');
    return;
  }

  if (!deps.agent) {
    // Conditional on `queued`: a cancel that lands now keeps its own reason. No job holds the run
    // now; a worker that starts with the agent configured sends it again (requeue-runs-waiting-for-agent.ts).
    const waiting = await waitForAgent(deps.pool, run.id, deps.agentMissing ?? AGENT_NOT_CONFIGURED);
    log.info('no model is configured; the run waits for a worker that has one');
    // The status says what is missing, with Retry (statusMessage).
    if (waiting) await showProgress(waiting, deps, log);
    return;
  }
  const agent = deps.agent;
  const waitSeconds = deps.slotRetrySeconds ?? 10;
  // Three retries' worth: a place lapses only when the run's job stopped coming back (its run
  // ended, or its worker died), not because one retry was late on a busy queue.
  const slots = { ...deps.agentSlots, keepPlaceSeconds: deps.agentSlots.keepPlaceSeconds ?? 3 * waitSeconds };
  const outcome = await withAgentSlot(run.id, { ...slots, pool: deps.pool, log }, async ({ stop }) => {
    // Conditional: a run cancelled while it waited for a slot does not start its agent.
    const working = await transitionRun(deps.pool, run.id, ['queued', 'running'], 'running', null);
    if (!working) {
      log.info('run ended while it waited for an agent; the agent does not start');
      return;
    }
    await showProgress(working, deps, log);
    const result = await agent({ run: working, ticket, signal: stop });
    // Moved while the slot is still held: a redelivery cannot start a second agent on a run that
    // is still `running` between the agent's end and its outcome.
    if (result) await applyAgentOutcome(working, result, { ...deps, raiseFactor: deps.raiseFactor ?? 2 });
  }).finally(async () => {
    // After the slot is released: a run cancelled while its agent worked left the worktree to
    // this job. The cancel and the release write the same row, so one of the two sees the other.
    const after = await getRun(deps.pool, run.id);
    if (after && !isActive(after.status)) await releaseRunWorkspace(run.id, deps);
  });
  if (outcome.ran) return;
  if (outcome.reason === 'held_elsewhere') {
    // The same redelivery as above, racing the check: the other agent finishes the run.
    log.info('another worker’s agent is working on this run; this delivery ends here');
    return;
  }
  // Every slot is busy, or the free one is kept for a run due earlier: hand the job back with the
  // same priority, rather than hold this worker while it waits. Its place in line for the next
  // free slot is on the run (agent_wait_until) and lasts until it comes back.
  await withTransaction(deps.pool, (tx) =>
    deps.queue.enqueue(tx, 'run.fix', { runId: run.id }, { priority: run.priority, singletonKey: run.ticketKey, startAfterSeconds: waitSeconds }),
  );
  const reason = `Waiting for a free agent (${deps.agentSlots.capacity} work at once).`;
  // Said once: a run that waits a long time must not edit its thread every few seconds.
  if (run.statusReason !== reason) {
    const waiting = await setStatusReason(deps.pool, run.id, 'queued', reason);
    if (waiting) await showProgress(waiting, deps, log);
  }
  log.info({ capacity: deps.agentSlots.capacity, waitSeconds, refusal: outcome.reason }, 'no agent slot for this run yet; it waits its turn');
}
