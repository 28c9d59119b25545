-- What run.fix learns from the tracker, shown in the thread and the digest.
ALTER TABLE runs ADD COLUMN ticket_title text;
ALTER TABLE runs ADD COLUMN ticket_url text;
ALTER TABLE runs ADD COLUMN ticket_priority text;

-- The agent slot a run holds while its agent works. Counting unexpired leases caps agent work
-- across every worker process; a worker that dies stops renewing, and its slot frees itself.
-- The holder names the one withAgentSlot call that owns the lease: pg-boss re-delivers an
-- expired run.fix job for the same run, and that second delivery must not share the slot.
ALTER TABLE runs ADD COLUMN agent_lease_until timestamptz;
ALTER TABLE runs ADD COLUMN agent_holder text;
CREATE INDEX runs_agent_lease ON runs (agent_lease_until) WHERE agent_lease_until IS NOT NULL;
-- A run refused a slot keeps its place in line until agent_wait_until, refreshed each time its
-- job comes back and is refused again: a freed slot goes to the earliest-due run with a live
-- place (runs.priority, the job's priority), not to whichever job the freeing worker fetches
-- next. The place lapses, so a run whose job stopped coming back does not hold the line.
ALTER TABLE runs ADD COLUMN agent_wait_until timestamptz;
CREATE INDEX runs_agent_wait ON runs (agent_wait_until) WHERE agent_wait_until IS NOT NULL;

-- Where the run publishes: GitHub events and PR polling find their run through these.
ALTER TABLE runs ADD COLUMN repo text;
ALTER TABLE runs ADD COLUMN branch text;
ALTER TABLE runs ADD COLUMN pr_number integer;
ALTER TABLE runs ADD COLUMN pr_url text;
ALTER TABLE runs ADD COLUMN head_sha text;
-- lower(repo): GitHub's events spell the name as GitHub does, baton.yml as a person typed it.
CREATE INDEX runs_pull_request ON runs (lower(repo), pr_number) WHERE pr_number IS NOT NULL;
CREATE INDEX runs_branch ON runs (lower(repo), branch) WHERE branch IS NOT NULL;

-- What a delivery was: kept for support ("did Linear send it?"), and so ids are per source.
ALTER TABLE deliveries ADD COLUMN event text;
