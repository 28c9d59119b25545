-- IF NOT EXISTS: development databases made while these lines briefly lived in 0002 already have them.
-- The holder names the one withAgentSlot call that owns a run's agent lease: pg-boss re-delivers
-- an expired run.fix job for the same run, and that second delivery must not share the slot.
ALTER TABLE runs ADD COLUMN IF NOT EXISTS agent_holder text;

-- A run refused a slot keeps its place in line until agent_wait_until, refreshed each time its
-- job comes back and is refused again: a freed slot goes to the earliest-due run with a live
-- place (runs.priority, the job's priority), not to whichever job the freeing worker fetches
-- next. The place lapses, so a run whose job stopped coming back does not hold the line.
ALTER TABLE runs ADD COLUMN IF NOT EXISTS agent_wait_until timestamptz;
CREATE INDEX IF NOT EXISTS runs_agent_wait ON runs (agent_wait_until) WHERE agent_wait_until IS NOT NULL;

-- Repository names compare without case: GitHub's events spell a name as GitHub does, baton.yml
-- as a person typed it.
DROP INDEX IF EXISTS runs_pull_request;
DROP INDEX IF EXISTS runs_branch;
CREATE INDEX runs_pull_request ON runs (lower(repo), pr_number) WHERE pr_number IS NOT NULL;
CREATE INDEX runs_branch ON runs (lower(repo), branch) WHERE branch IS NOT NULL;
