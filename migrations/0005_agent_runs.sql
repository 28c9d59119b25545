-- The coder agent (issue 8): usage and cost per model call, the run's budget and checklist, the
-- question it parked on, the proven outcome, and the saved conversation a parked run resumes from.
-- IF NOT EXISTS throughout, like 0003, so a development database that ran an early draft upgrades.

-- A run paused near its dollar cap waits for Continue / Stop: its own status, so a redelivered
-- run.fix (which moves only queued/running runs) cannot resume it behind the cap, and a ticket
-- edit (which resumes only needs_clarification) cannot either.
ALTER TABLE runs DROP CONSTRAINT IF EXISTS runs_status_check;
ALTER TABLE runs ADD CONSTRAINT runs_status_check
  CHECK (status IN ('queued', 'running', 'needs_clarification', 'awaiting_budget', 'reviewing',
                    'awaiting_approval', 'merging', 'deploying',
                    'succeeded', 'failed', 'cancelled'));

-- What the run has spent (the sum of agent_calls.cost_usd, kept here so the cap check is one read),
-- and its cap: NULL means agent.limits.dollars from baton.yml. Continue raises the cap once; who
-- raised it is kept, so a second Continue is refused.
ALTER TABLE runs ADD COLUMN IF NOT EXISTS cost_usd numeric NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS cost_cap_usd numeric;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS cost_cap_raised_by text;

-- Checklist steps done (src/domain/run-progress.ts), in checklist order.
ALTER TABLE runs ADD COLUMN IF NOT EXISTS progress text[] NOT NULL DEFAULT '{}';

-- The agent's clarification question, and the answer that resumed it (a thread reply; a ticket
-- edit resumes with the ticket itself, and leaves this NULL).
ALTER TABLE runs ADD COLUMN IF NOT EXISTS question text;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS clarification_answer text;

-- Baton's tests ran without bubblewrap (sandbox.when_unavailable: run_unsandboxed): shown loudly.
ALTER TABLE runs ADD COLUMN IF NOT EXISTS unsandboxed boolean NOT NULL DEFAULT false;

-- A proven change: summary, head SHA, diff stats and the test evidence without its output. json,
-- not jsonb: Baton never queries inside it, and jsonb refuses the \u0000 a test or model may print.
ALTER TABLE runs ADD COLUMN IF NOT EXISTS outcome json;

-- One row per model call. cost_usd is computed by Baton from every usage field and the price
-- table in force at the time of the call.
CREATE TABLE IF NOT EXISTS agent_calls (
  id                     bigserial PRIMARY KEY,
  run_id                 uuid NOT NULL REFERENCES runs (id),
  -- Which agent made the call: the coder now, reviewers and incident experts later.
  agent                  text NOT NULL DEFAULT 'coder',
  turn                   integer NOT NULL,
  model                  text NOT NULL,
  input_tokens           integer NOT NULL,
  output_tokens          integer NOT NULL,
  cache_write_5m_tokens  integer NOT NULL DEFAULT 0,
  cache_write_1h_tokens  integer NOT NULL DEFAULT 0,
  cache_read_tokens      integer NOT NULL DEFAULT 0,
  cost_usd               numeric NOT NULL,
  stop_reason            text,
  duration_ms            integer NOT NULL,
  created_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS agent_calls_run ON agent_calls (run_id, id);

-- The conversation a parked run (clarification, budget) resumes from. Its own table, not a column
-- of runs: it grows to megabytes, and runs is read whole (SELECT *) on every step of every job.
-- json, not jsonb: kept byte for byte (thinking blocks go back unchanged) and \u0000 is accepted.
CREATE TABLE IF NOT EXISTS agent_conversations (
  run_id    uuid PRIMARY KEY REFERENCES runs (id),
  messages  json NOT NULL,
  saved_at  timestamptz NOT NULL DEFAULT now()
);
