import type { Run, RunOutcome } from '../domain/run.ts';
import { PROGRESS_STEPS, type ProgressStep } from '../domain/run-progress.ts';
import type { Queryable } from './pool.ts';
import { toRun, type RunRow } from './runs.ts';

/*
 * What the coder agent records on its run. State changes are conditional on the status they
 * leave (a cancel that landed meanwhile wins) and return the run, or undefined when the condition
 * did not hold. Parking (clarification, budget) releases nothing itself: the caller returns from
 * its agent, and withAgentSlot gives the slot back; the run then holds no worker and no slot.
 */

/*
 * The agent's clock for agent.limits.minutes (migration 0006): it runs while an agent works on the
 * run, across redeliveries (a worker that died mid-loop spent that time too), and stops while the
 * run waits for a person. A park folds the running time into agent_elapsed_ms.
 */
const STOP_AGENT_CLOCK = `agent_elapsed_ms = agent_elapsed_ms + COALESCE(
         floor(extract(epoch FROM (now() - agent_clock_started_at)) * 1000)::bigint, 0),
       agent_clock_started_at = NULL`;

async function oneRun(db: Queryable, sql: string, values: unknown[]): Promise<Run | undefined> {
  const { rows } = await db.query<RunRow>(sql, values);
  return rows[0] ? toRun(rows[0]) : undefined;
}

/**
 * Marks a checklist step done, keeping the steps in checklist order. Idempotent: undefined when
 * the step was already marked (or the run does not exist), so the caller edits Slack only on news.
 */
export function markProgress(db: Queryable, runId: string, step: ProgressStep): Promise<Run | undefined> {
  return oneRun(
    db,
    `UPDATE runs SET progress = ARRAY(
         SELECT s FROM unnest($3::text[]) WITH ORDINALITY AS o(s, i)
         WHERE s = ANY(runs.progress) OR s = $2 ORDER BY i),
       updated_at = now()
     WHERE id = $1 AND NOT ($2 = ANY(progress))
     RETURNING *`,
    [runId, step, PROGRESS_STEPS],
  );
}

/** Baton's tests for this run ran without a sandbox: every view of the run says so from now on. */
export function markUnsandboxed(db: Queryable, runId: string): Promise<Run | undefined> {
  return oneRun(db, 'UPDATE runs SET unsandboxed = true, updated_at = now() WHERE id = $1 AND NOT unsandboxed RETURNING *', [runId]);
}

/**
 * Saves the conversation so far (Anthropic MessageParam[]), replacing the last save. Kept as json
 * text, byte for byte: thinking blocks must go back to the API unchanged.
 */
export async function saveConversation(db: Queryable, runId: string, messages: readonly unknown[]): Promise<void> {
  await db.query(
    `INSERT INTO agent_conversations (run_id, messages) VALUES ($1, $2::json)
     ON CONFLICT (run_id) DO UPDATE SET messages = EXCLUDED.messages, saved_at = now()`,
    [runId, JSON.stringify(messages)],
  );
}

/**
 * The last saved conversation, or undefined when none was saved. Baton wrote it (saveConversation),
 * so its shape is the caller's type; nothing from outside reaches this table unwrapped.
 */
export async function loadConversation<T = unknown>(db: Queryable, runId: string): Promise<T[] | undefined> {
  const { rows } = await db.query<{ messages: T[] }>('SELECT messages FROM agent_conversations WHERE run_id = $1', [runId]);
  return rows[0]?.messages;
}

/** Sets the run's dollar cap (the policy's, fixed at the start, or a raised one) while it is active. */
export function setCostCap(db: Queryable, runId: string, usd: number): Promise<Run | undefined> {
  return oneRun(
    db,
    `UPDATE runs SET cost_cap_usd = $2, updated_at = now()
     WHERE id = $1 AND NOT run_status_ended(status) RETURNING *`,
    [runId, usd],
  );
}

const CLARIFY_REASON = 'Waiting for an answer: reply in this thread, or update the ticket.';

/**
 * `running → needs_clarification` with the question, and the conversation saved in the same
 * transaction (pass one), so a resume always finds the conversation that asked.
 */
export async function parkForClarification(tx: Queryable, runId: string, question: string, conversation: readonly unknown[]): Promise<Run | undefined> {
  const parked = await oneRun(
    tx,
    `UPDATE runs SET status = 'needs_clarification', status_reason = $3, question = $2, clarification_answer = NULL,
       clarification_answered_by = NULL, ${STOP_AGENT_CLOCK}, updated_at = now()
     WHERE id = $1 AND status = 'running' RETURNING *`,
    [runId, question, CLARIFY_REASON],
  );
  if (parked) await saveConversation(tx, runId, conversation);
  return parked;
}

/**
 * `needs_clarification → queued` with the answer and who gave it (a thread reply; both null when
 * the ticket's edit is the answer, which run.fix reads afresh). The caller enqueues run.fix in the
 * same transaction.
 */
export function answerClarification(
  tx: Queryable,
  runId: string,
  answer: { text: string; by: string } | null,
  reason: string,
): Promise<Run | undefined> {
  return oneRun(
    tx,
    `UPDATE runs SET status = 'queued', status_reason = $3, clarification_answer = $2, clarification_answered_by = $4, updated_at = now()
     WHERE id = $1 AND status = 'needs_clarification' RETURNING *`,
    [runId, answer?.text ?? null, reason, answer?.by ?? null],
  );
}

/** Who answered the run's question in its thread (a Slack user id), or undefined (a ticket edit, or none). */
export async function clarificationAnsweredBy(db: Queryable, runId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ by: string | null }>('SELECT clarification_answered_by AS by FROM runs WHERE id = $1', [runId]);
  return rows[0]?.by ?? undefined;
}

/**
 * Starts the agent's clock unless it runs already (a redelivery after a worker died goes on with
 * it), and says when the agent's work on this run began, as epoch ms, with the time it worked
 * before any park counted in: `now - startedAt` is the agent's time on the run so far. Clears the
 * wait for a model configuration too: the agent is starting.
 */
export async function startAgentClock(db: Queryable, runId: string): Promise<number | undefined> {
  const { rows } = await db.query<{ started_at_ms: string }>(
    `UPDATE runs SET agent_clock_started_at = COALESCE(agent_clock_started_at, now()), waiting_for_agent = false, updated_at = now()
     WHERE id = $1
     RETURNING floor(extract(epoch FROM agent_clock_started_at) * 1000)::bigint - agent_elapsed_ms AS started_at_ms`,
    [runId],
  );
  return rows[0] ? Number(rows[0].started_at_ms) : undefined;
}

/**
 * Run.fix read the ticket while no model is configured: the run stays `queued` with `reason`, and
 * is marked so a worker that starts with the agent configured sends its job again
 * (requeueRunsWaitingForAgent). Conditional on `queued`: a cancel that lands first keeps its reason.
 */
export function waitForAgent(db: Queryable, runId: string, reason: string): Promise<Run | undefined> {
  return oneRun(
    db,
    `UPDATE runs SET status_reason = $2, waiting_for_agent = true, updated_at = now()
     WHERE id = $1 AND status = 'queued' RETURNING *`,
    [runId, reason],
  );
}

/** Queued runs marked by waitForAgent, oldest first. */
export async function listRunsWaitingForAgent(db: Queryable, limit = 500): Promise<Run[]> {
  const { rows } = await db.query<RunRow>(
    `SELECT * FROM runs WHERE waiting_for_agent AND status = 'queued' ORDER BY created_at LIMIT $1`,
    [limit],
  );
  return rows.map(toRun);
}

/**
 * Takes a run off the wait for a model configuration, with `reason` as its status (conditional:
 * still queued and still marked), so of two workers starting at once only one re-sends its job.
 */
export function stopWaitingForAgent(tx: Queryable, runId: string, reason: string): Promise<Run | undefined> {
  return oneRun(
    tx,
    `UPDATE runs SET waiting_for_agent = false, status_reason = $2, updated_at = now()
     WHERE id = $1 AND status = 'queued' AND waiting_for_agent RETURNING *`,
    [runId, reason],
  );
}

/**
 * `running → awaiting_budget`: near its cap the run stops working and asks Continue / Stop in the
 * thread, its conversation saved in the same transaction. Its own status, so neither a redelivered
 * run.fix (it moves only queued and running runs) nor a ticket edit resumes it behind the cap.
 * Stop is a cancel from `awaiting_budget` (cancelRun with that `from`).
 */
export async function parkForBudget(tx: Queryable, runId: string, reason: string, conversation: readonly unknown[]): Promise<Run | undefined> {
  const parked = await oneRun(
    tx,
    `UPDATE runs SET status = 'awaiting_budget', status_reason = $2, ${STOP_AGENT_CLOCK}, updated_at = now()
     WHERE id = $1 AND status = 'running' RETURNING *`,
    [runId, reason],
  );
  if (parked) await saveConversation(tx, runId, conversation);
  return parked;
}

/**
 * Continue at the cost cap: `awaiting_budget → queued` with the cap raised to `capUsd`, once per
 * run (a second raise is refused: undefined). The caller enqueues run.fix in the same transaction.
 */
export function continueAfterBudget(tx: Queryable, runId: string, capUsd: number, by: string, reason: string): Promise<Run | undefined> {
  return oneRun(
    tx,
    `UPDATE runs SET status = 'queued', status_reason = $4, cost_cap_usd = $2, cost_cap_raised_by = $3, updated_at = now()
     WHERE id = $1 AND status = 'awaiting_budget' AND cost_cap_raised_by IS NULL RETURNING *`,
    [runId, capUsd, by, reason],
  );
}

/**
 * Keeps what Baton proved (while the run is still `running`: a cancel wins). It does not set
 * runs.head_sha, which is the commit Baton last *pushed* (the lease of the next push).
 */
export function recordOutcome(tx: Queryable, runId: string, outcome: RunOutcome): Promise<Run | undefined> {
  return oneRun(
    tx,
    `UPDATE runs SET outcome = $2::json, updated_at = now() WHERE id = $1 AND status = 'running' RETURNING *`,
    [runId, JSON.stringify(outcome)],
  );
}

/**
 * Runs waiting for or in their agent that nobody may be working on: `queued` (not waiting for a
 * model configuration, which has no job on purpose) or `running`, with no agent lease taken or
 * renewed in the last `seconds`, and the row unchanged as long. rescue-stranded-runs.ts checks
 * their jobs.
 */
export async function listStrandedRuns(db: Queryable, seconds: number, limit = 100): Promise<Run[]> {
  const { rows } = await db.query<RunRow>(
    `SELECT * FROM runs
      WHERE status IN ('queued', 'running') AND NOT waiting_for_agent
        AND (agent_lease_until IS NULL OR agent_lease_until < now() - $1 * interval '1 second')
        AND updated_at < now() - $1 * interval '1 second'
      ORDER BY updated_at LIMIT $2`,
    [seconds, limit],
  );
  return rows.map(toRun);
}
