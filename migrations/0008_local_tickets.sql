-- Issue 10: the local tracker (`tracker: local` in baton.yml). Tickets live in Baton's own database.

-- The last number given per team: a ticket takes the next one in the same statement that bumps it,
-- so two tickets created at once never share a key.
CREATE TABLE local_ticket_counters (
  team         text PRIMARY KEY,
  last_number  integer NOT NULL CHECK (last_number > 0)
);

CREATE TABLE local_tickets (
  -- `<TEAM>-<number>`, as a tracker prints it.
  key             text PRIMARY KEY,
  team            text NOT NULL,
  number          integer NOT NULL CHECK (number > 0),
  title           text NOT NULL,
  description     text NOT NULL DEFAULT '',
  -- The state's name for people, and its category for Baton (src/domain/ticket.ts StateCategory).
  state_name      text NOT NULL,
  state_category  text NOT NULL CHECK (state_category IN ('todo', 'in_progress', 'done', 'cancelled')),
  labels          text[] NOT NULL DEFAULT '{}',
  priority        text NOT NULL DEFAULT 'none' CHECK (priority IN ('urgent', 'high', 'medium', 'low', 'none')),
  reporter        text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (team, number)
);
-- Polling (findReady) reads a team's open tickets oldest first.
CREATE INDEX local_tickets_open ON local_tickets (team, created_at)
  WHERE state_category NOT IN ('done', 'cancelled');
CREATE INDEX local_tickets_updated ON local_tickets (updated_at DESC);

CREATE TABLE local_ticket_comments (
  id          bigserial PRIMARY KEY,
  ticket_key  text NOT NULL REFERENCES local_tickets (key),
  author      text NOT NULL,
  body        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX local_ticket_comments_ticket ON local_ticket_comments (ticket_key, id);

-- Every state a ticket entered, its creation included (from_state NULL), and who moved it.
CREATE TABLE local_ticket_history (
  id          bigserial PRIMARY KEY,
  ticket_key  text NOT NULL REFERENCES local_tickets (key),
  from_state  text,
  to_state    text NOT NULL,
  changed_by  text NOT NULL,
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX local_ticket_history_ticket ON local_ticket_history (ticket_key, id);

-- A run started by a local ticket's change (its intake event) names the local tracker as its source.
ALTER TABLE runs DROP CONSTRAINT IF EXISTS runs_source_check;
ALTER TABLE runs ADD CONSTRAINT runs_source_check CHECK (source IN ('slack', 'linear', 'jira', 'local', 'reconcile'));
