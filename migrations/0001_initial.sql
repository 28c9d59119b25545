-- Runs: one per attempt at a ticket. At most one active run per ticket, whatever the intake path.
CREATE TABLE runs (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  ticket_key    text NOT NULL,
  source        text NOT NULL CHECK (source IN ('slack', 'linear', 'jira', 'reconcile')),
  status        text NOT NULL DEFAULT 'queued'
                CHECK (status IN ('queued', 'running', 'needs_clarification', 'reviewing',
                                  'awaiting_approval', 'merging', 'deploying',
                                  'succeeded', 'failed', 'cancelled')),
  status_reason text,
  requested_by  text NOT NULL,
  channel_id    text,
  response_url  text,
  thread_ts     text,
  status_ts     text,
  thread_url    text,
  -- A worker that is opening the thread holds this lease, so a redelivered job waits instead of
  -- posting a second root. It expires, so a worker that died does not block the run for good.
  thread_lease_until timestamptz,
  priority      integer NOT NULL DEFAULT 0,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz
);

CREATE UNIQUE INDEX runs_one_active_per_ticket ON runs (ticket_key)
  WHERE status NOT IN ('succeeded', 'failed', 'cancelled');
CREATE INDEX runs_created_at ON runs (created_at DESC);

-- Audit log: append-only. The trigger makes that a property of the table, not of the code.
CREATE TABLE audit_log (
  id      bigserial PRIMARY KEY,
  run_id  uuid REFERENCES runs (id),
  actor   text NOT NULL,
  action  text NOT NULL,
  detail  jsonb NOT NULL DEFAULT '{}'::jsonb,
  at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_run ON audit_log (run_id, at);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP;
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();

-- Inbound webhook deliveries, inserted in the same transaction that enqueues their job,
-- so a redelivery hits the primary key and is a no-op.
CREATE TABLE deliveries (
  source       text NOT NULL,
  delivery_id  text NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, delivery_id)
);

-- Approvals are tied to a head SHA: a new push needs a new approval.
CREATE TABLE approvals (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  run_id      uuid NOT NULL REFERENCES runs (id),
  gate        text NOT NULL CHECK (gate IN ('merge', 'production')),
  head_sha    text NOT NULL,
  decision    text NOT NULL CHECK (decision IN ('approved', 'rejected')),
  decided_by  text NOT NULL,
  decided_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (run_id, gate, head_sha)
);
