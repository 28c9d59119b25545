import type { NewRun, Run, RunOutcome, RunStatus } from '../domain/run.ts';
import { isProgressStep } from '../domain/run-progress.ts';
import type { Queryable } from './pool.ts';

/** A `runs` row as pg returns it (SELECT * / RETURNING *); db/run-agent.ts maps it too. */
export interface RunRow {
  id: string;
  ticket_key: string;
  source: Run['source'];
  status: RunStatus;
  status_reason: string | null;
  requested_by: string;
  channel_id: string | null;
  response_url: string | null;
  thread_ts: string | null;
  status_ts: string | null;
  thread_url: string | null;
  priority: number;
  ticket_title: string | null;
  ticket_url: string | null;
  repo: string | null;
  branch: string | null;
  pr_number: number | null;
  pr_url: string | null;
  head_sha: string | null;
  // numeric arrives as a string (pg keeps its precision); the cap check needs no more than a float's.
  cost_usd: string;
  cost_cap_usd: string | null;
  cost_cap_raised_by: string | null;
  progress: string[];
  question: string | null;
  clarification_answer: string | null;
  unsandboxed: boolean;
  waiting_for_agent: boolean;
  outcome: RunOutcome | null;
  created_at: Date;
  updated_at: Date;
}

export function toRun(row: RunRow): Run {
  return {
    id: row.id,
    ticketKey: row.ticket_key,
    source: row.source,
    status: row.status,
    statusReason: row.status_reason,
    requestedBy: row.requested_by,
    channelId: row.channel_id,
    responseUrl: row.response_url,
    threadTs: row.thread_ts,
    statusTs: row.status_ts,
    threadUrl: row.thread_url,
    priority: row.priority,
    ticketTitle: row.ticket_title,
    ticketUrl: row.ticket_url,
    repo: row.repo,
    branch: row.branch,
    prNumber: row.pr_number,
    prUrl: row.pr_url,
    headSha: row.head_sha,
    costUsd: Number(row.cost_usd),
    costCapUsd: row.cost_cap_usd === null ? null : Number(row.cost_cap_usd),
    costCapRaisedBy: row.cost_cap_raised_by,
    progress: row.progress.filter(isProgressStep),
    question: row.question,
    clarificationAnswer: row.clarification_answer,
    unsandboxed: row.unsandboxed,
    waitingForAgent: row.waiting_for_agent === true && row.status === 'queued',
    outcome: row.outcome,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Inserts a run unless the ticket already has an active one (the partial unique index decides,
 * so two racing requests cannot both win). Returns undefined when one is already active.
 */
export async function insertRun(db: Queryable, run: NewRun & { priority: number }): Promise<Run | undefined> {
  const { rows } = await db.query<RunRow>(
    `INSERT INTO runs (ticket_key, source, requested_by, channel_id, response_url, priority, ticket_priority)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (ticket_key) WHERE NOT run_status_ended(status) DO NOTHING
     RETURNING *`,
    [run.ticketKey, run.source, run.requestedBy, run.channelId, run.responseUrl ?? null, run.priority, run.ticketPriority ?? null],
  );
  return rows[0] ? toRun(rows[0]) : undefined;
}

export async function findActiveRun(db: Queryable, ticketKey: string): Promise<Run | undefined> {
  const { rows } = await db.query<RunRow>(
    `SELECT * FROM runs WHERE ticket_key = $1 AND NOT run_status_ended(status)`,
    [ticketKey],
  );
  return rows[0] ? toRun(rows[0]) : undefined;
}

export async function getRun(db: Queryable, id: string): Promise<Run | undefined> {
  const { rows } = await db.query<RunRow>('SELECT * FROM runs WHERE id = $1', [id]);
  return rows[0] ? toRun(rows[0]) : undefined;
}

export async function listActiveRuns(db: Queryable, limit = 20): Promise<Run[]> {
  const { rows } = await db.query<RunRow>(
    `SELECT * FROM runs WHERE NOT run_status_ended(status)
     ORDER BY created_at DESC LIMIT $1`,
    [limit],
  );
  return rows.map(toRun);
}

export async function latestRunForTicket(db: Queryable, ticketKey: string): Promise<Run | undefined> {
  const { rows } = await db.query<RunRow>(
    'SELECT * FROM runs WHERE ticket_key = $1 ORDER BY created_at DESC LIMIT 1',
    [ticketKey],
  );
  return rows[0] ? toRun(rows[0]) : undefined;
}

/**
 * Takes the lease for opening the run's thread. Only the holder posts; a second delivery of the
 * same job finds the lease held and backs off. Returns the run when the lease was taken, and
 * whether it had been taken before: then an earlier attempt may have posted the root or the status
 * message and died (or lost the database) before recording it.
 */
export async function takeThreadLease(db: Queryable, id: string, seconds: number): Promise<{ run: Run; takenBefore: boolean } | undefined> {
  const { rows } = await db.query<RunRow & { taken_before: boolean }>(
    `UPDATE runs r SET thread_lease_until = now() + make_interval(secs => $2), updated_at = now()
     FROM (SELECT id, thread_lease_until IS NOT NULL AS taken_before FROM runs WHERE id = $1 FOR UPDATE) earlier
     WHERE r.id = earlier.id AND (r.thread_lease_until IS NULL OR r.thread_lease_until <= now())
       AND (r.thread_ts IS NULL OR r.status_ts IS NULL)
     RETURNING r.*, earlier.taken_before`,
    [id, seconds],
  );
  const row = rows[0];
  return row ? { run: toRun(row), takenBefore: row.taken_before } : undefined;
}

/** Frees the lease; the time stays (not NULL) so the next taker knows an attempt came before. */
export async function releaseThreadLease(db: Queryable, id: string): Promise<void> {
  await db.query('UPDATE runs SET thread_lease_until = now() WHERE id = $1', [id]);
}

export async function setThreadRoot(db: Queryable, id: string, threadTs: string, threadUrl: string | null): Promise<boolean> {
  const result = await db.query(
    `UPDATE runs SET thread_ts = $2, thread_url = $3, updated_at = now() WHERE id = $1 AND thread_ts IS NULL`,
    [id, threadTs, threadUrl],
  );
  return result.rowCount === 1;
}

export async function setStatusMessage(db: Queryable, id: string, statusTs: string): Promise<boolean> {
  const result = await db.query(
    `UPDATE runs SET status_ts = $2, thread_lease_until = NULL, updated_at = now() WHERE id = $1 AND status_ts IS NULL`,
    [id, statusTs],
  );
  return result.rowCount === 1;
}

/**
 * The run's status, and whether an agent holds a live lease on it (so is working in its worktree),
 * with its row locked until the caller's transaction ends: an agent releasing its slot writes the
 * same row, so it either sees the end recorded here, or this sees its lease gone.
 */
export async function lockRunForEnd(db: Queryable, id: string): Promise<{ status: RunStatus; agentWorking: boolean } | undefined> {
  const { rows } = await db.query<{ status: RunStatus; agent_working: boolean }>(
    `SELECT status, (agent_holder IS NOT NULL AND agent_lease_until > statement_timestamp()) AS agent_working
     FROM runs WHERE id = $1 FOR NO KEY UPDATE`,
    [id],
  );
  return rows[0] ? { status: rows[0].status, agentWorking: rows[0].agent_working } : undefined;
}

/** Whether an agent holds a live lease on the run right now. */
export async function agentIsWorking(db: Queryable, id: string): Promise<boolean> {
  const { rows } = await db.query<{ working: boolean }>(
    'SELECT (agent_holder IS NOT NULL AND agent_lease_until > statement_timestamp()) AS working FROM runs WHERE id = $1',
    [id],
  );
  return rows[0]?.working ?? false;
}

/** Conditional state change: succeeds only from `from`, so two workers cannot both move a run. */
export async function transitionRun(
  db: Queryable,
  id: string,
  from: RunStatus[],
  to: RunStatus,
  reason: string | null,
): Promise<Run | undefined> {
  const { rows } = await db.query<RunRow>(
    `UPDATE runs SET status = $3, status_reason = $4, updated_at = now(),
       finished_at = CASE WHEN run_status_ended($3) THEN now() ELSE finished_at END
     WHERE id = $1 AND status = ANY($2::text[])
     RETURNING *`,
    [id, from, to, reason],
  );
  return rows[0] ? toRun(rows[0]) : undefined;
}

/** The honest one-line "where it stands" shown under the status, while the run is in `status`. */
export async function setStatusReason(db: Queryable, id: string, status: RunStatus, reason: string): Promise<Run | undefined> {
  const { rows } = await db.query<RunRow>(
    'UPDATE runs SET status_reason = $3, updated_at = now() WHERE id = $1 AND status = $2 RETURNING *',
    [id, status, reason],
  );
  return rows[0] ? toRun(rows[0]) : undefined;
}

/** What run.fix learned from the tracker. */
export async function setTicketDetails(
  db: Queryable,
  id: string,
  ticket: { title: string; url: string; priority: string },
): Promise<Run | undefined> {
  const { rows } = await db.query<RunRow>(
    `UPDATE runs SET ticket_title = $2, ticket_url = $3, ticket_priority = $4, updated_at = now()
     WHERE id = $1 RETURNING *`,
    [id, ticket.title, ticket.url, ticket.priority],
  );
  return rows[0] ? toRun(rows[0]) : undefined;
}

/** Records the PR a run opened (idempotent: the same PR again changes nothing but the head). */
export async function setPullRequest(
  db: Queryable,
  id: string,
  pr: { repo: string; branch: string; number: number; url: string; headSha: string },
): Promise<Run | undefined> {
  const { rows } = await db.query<RunRow>(
    `UPDATE runs SET repo = $2, branch = $3, pr_number = $4, pr_url = $5, head_sha = $6, updated_at = now()
     WHERE id = $1 RETURNING *`,
    [id, pr.repo, pr.branch, pr.number, pr.url, pr.headSha],
  );
  return rows[0] ? toRun(rows[0]) : undefined;
}

// Repository names compare without case: baton.yml may say acme/Shop where GitHub's events say acme/shop.

/** The newest run for a PR: GitHub events name the repository and the PR number. */
export async function findRunByPullRequest(db: Queryable, repo: string, prNumber: number): Promise<Run | undefined> {
  const { rows } = await db.query<RunRow>(
    'SELECT * FROM runs WHERE lower(repo) = lower($1) AND pr_number = $2 ORDER BY created_at DESC LIMIT 1',
    [repo, prNumber],
  );
  return rows[0] ? toRun(rows[0]) : undefined;
}

/** The newest run on a branch: check suites name the branch and SHA, not always a PR. */
export async function findRunByBranch(db: Queryable, repo: string, branch: string): Promise<Run | undefined> {
  const { rows } = await db.query<RunRow>(
    'SELECT * FROM runs WHERE lower(repo) = lower($1) AND branch = $2 ORDER BY created_at DESC LIMIT 1',
    [repo, branch],
  );
  return rows[0] ? toRun(rows[0]) : undefined;
}

/**
 * The commit Baton last pushed to a branch, by this run or an earlier run of the same ticket: the
 * lease for the next push, so Baton replaces only its own commits and never a person's.
 */
export async function lastPushedSha(db: Queryable, repo: string, branch: string): Promise<string | undefined> {
  const { rows } = await db.query<{ head_sha: string }>(
    `SELECT head_sha FROM runs
     WHERE lower(repo) = lower($1) AND branch = $2 AND head_sha IS NOT NULL
     ORDER BY updated_at DESC, created_at DESC LIMIT 1`,
    [repo, branch],
  );
  return rows[0]?.head_sha;
}

/** Active runs with an open PR, waiting for a person: reconcile polls their PR's state. */
export async function listRunsWithOpenPullRequests(db: Queryable, limit = 200): Promise<Run[]> {
  const { rows } = await db.query<RunRow>(
    `SELECT * FROM runs
     WHERE NOT run_status_ended(status) AND pr_number IS NOT NULL
     ORDER BY updated_at LIMIT $1`,
    [limit],
  );
  return rows.map(toRun);
}

/** Active runs, oldest first: reconcile asks the tracker whether their tickets are still open. */
export async function listActiveRunsOldestFirst(db: Queryable, limit = 200): Promise<Run[]> {
  const { rows } = await db.query<RunRow>(
    `SELECT * FROM runs WHERE NOT run_status_ended(status)
     ORDER BY created_at LIMIT $1`,
    [limit],
  );
  return rows.map(toRun);
}

/** Moves the run's head to a commit pushed onto its branch, only from the head Baton knew (so two deliveries move it once). */
export async function moveRunHead(db: Queryable, id: string, from: string, to: string): Promise<Run | undefined> {
  const { rows } = await db.query<RunRow>(
    'UPDATE runs SET head_sha = $3, updated_at = now() WHERE id = $1 AND head_sha = $2 RETURNING *',
    [id, from, to],
  );
  return rows[0] ? toRun(rows[0]) : undefined;
}
