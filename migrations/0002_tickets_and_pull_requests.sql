-- What run.fix learns from the tracker, shown in the thread and the digest.
ALTER TABLE runs ADD COLUMN ticket_title text;
ALTER TABLE runs ADD COLUMN ticket_url text;
ALTER TABLE runs ADD COLUMN ticket_priority text;

-- The agent slot a run holds while its agent works. Counting unexpired leases caps agent work
-- across every worker process; a worker that dies stops renewing, and its slot frees itself.
ALTER TABLE runs ADD COLUMN agent_lease_until timestamptz;
CREATE INDEX runs_agent_lease ON runs (agent_lease_until) WHERE agent_lease_until IS NOT NULL;

-- Where the run publishes: GitHub events and PR polling find their run through these.
ALTER TABLE runs ADD COLUMN repo text;
ALTER TABLE runs ADD COLUMN branch text;
ALTER TABLE runs ADD COLUMN pr_number integer;
ALTER TABLE runs ADD COLUMN pr_url text;
ALTER TABLE runs ADD COLUMN head_sha text;
CREATE INDEX runs_pull_request ON runs (repo, pr_number) WHERE pr_number IS NOT NULL;
CREATE INDEX runs_branch ON runs (repo, branch) WHERE branch IS NOT NULL;

-- What a delivery was: kept for support ("did Linear send it?"), and so ids are per source.
ALTER TABLE deliveries ADD COLUMN event text;
