-- Review of the coder agent's wiring (issue 8, R3).

-- agent.limits.minutes is measured on the agent's own clock: it starts when the agent first starts
-- on the run and keeps running across redeliveries (a worker that died mid-loop spent that time),
-- and it stops while the run waits for a person (a clarification, the budget prompt): a park adds
-- what ran to agent_elapsed_ms and clears agent_clock_started_at; the resume starts it again.
ALTER TABLE runs ADD COLUMN IF NOT EXISTS agent_clock_started_at timestamptz;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS agent_elapsed_ms bigint NOT NULL DEFAULT 0;

-- Who answered the agent's question in the thread (a Slack user id), told to the model with the answer.
ALTER TABLE runs ADD COLUMN IF NOT EXISTS clarification_answered_by text;

-- A queued run that read its ticket while no model was configured: nothing holds a job for it, so a
-- worker that starts with the agent configured sends its run.fix again (once: the flag is cleared
-- in the same transaction).
ALTER TABLE runs ADD COLUMN IF NOT EXISTS waiting_for_agent boolean NOT NULL DEFAULT false;
CREATE INDEX IF NOT EXISTS runs_waiting_for_agent ON runs (created_at) WHERE waiting_for_agent AND status = 'queued';
