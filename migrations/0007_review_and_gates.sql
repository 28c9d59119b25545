-- Issue 9: review, consensus and the approval gates.

-- Which statuses end a run, defined once for SQL: the partial unique index and every query ask
-- this function, and test/db/terminal-statuses.test.ts holds it equal to TERMINAL_STATUSES in
-- src/domain/run.ts. IMMUTABLE, so an index predicate may use it.
CREATE OR REPLACE FUNCTION run_status_ended(status text) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT status IN ('succeeded', 'failed', 'cancelled', 'rejected') $$;

-- A run people rejected at a gate ends as `rejected`.
ALTER TABLE runs DROP CONSTRAINT IF EXISTS runs_status_check;
ALTER TABLE runs ADD CONSTRAINT runs_status_check
  CHECK (status IN ('queued', 'running', 'needs_clarification', 'awaiting_budget', 'reviewing',
                    'awaiting_approval', 'merging', 'deploying', 'awaiting_deploy_approval',
                    'succeeded', 'failed', 'cancelled', 'rejected'));

DROP INDEX IF EXISTS runs_one_active_per_ticket;
CREATE UNIQUE INDEX runs_one_active_per_ticket ON runs (ticket_key) WHERE NOT run_status_ended(status);

-- The consensus of the three reviewers, per run and head SHA: a new head gets its own.
CREATE TABLE consensus_results (
  run_id      uuid NOT NULL REFERENCES runs (id),
  head_sha    text NOT NULL,
  score       numeric(4, 3) NOT NULL CHECK (score >= 0 AND score <= 1),
  components  jsonb NOT NULL,
  vetoes      jsonb NOT NULL,
  -- Each reviewer's validated report or its abstention, as shown on the card.
  reviews     jsonb NOT NULL,
  -- The diff the reviewers read, for a card posted again (an expired request's fresh one).
  diff        text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, head_sha)
);

-- One approval request per card with buttons: its SHA, where the card is, and when it lapses.
-- `open` until decided; at most one open request per run and gate.
CREATE TABLE approval_requests (
  id          bigserial PRIMARY KEY,
  run_id      uuid NOT NULL REFERENCES runs (id),
  gate        text NOT NULL CHECK (gate IN ('merge', 'production')),
  head_sha    text NOT NULL,
  state       text NOT NULL DEFAULT 'open'
              CHECK (state IN ('open', 'approved', 'rejected', 'expired', 'voided')),
  channel_id  text,
  message_ts  text,
  expires_at  timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  decided_at  timestamptz
);
CREATE UNIQUE INDEX approval_requests_one_open ON approval_requests (run_id, gate) WHERE state = 'open';
CREATE INDEX approval_requests_expiring ON approval_requests (expires_at) WHERE state = 'open';

-- A reject's reason, and how an approval came (a click or the auto-approve policy).
ALTER TABLE approvals ADD COLUMN reason text;
ALTER TABLE approvals ADD COLUMN via text NOT NULL DEFAULT 'click' CHECK (via IN ('click', 'policy'));

-- The audit trail names the gate, the SHA and the score of each decision, where there is one.
ALTER TABLE audit_log ADD COLUMN gate text;
ALTER TABLE audit_log ADD COLUMN head_sha text;
ALTER TABLE audit_log ADD COLUMN score numeric(4, 3);
