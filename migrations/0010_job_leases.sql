-- Issue 11: a job's worker says it is alive. pg-boss knows a job is `active` but not whether the
-- process that took it still exists: a SIGKILLed worker's job stays active until its expiry (up to
-- an hour for run.fix). Each process renews a lease for every job it has run longer than a third
-- of the lease; a job active past its lease with no live lease row is released (failed, so pg-boss
-- retries it) by any worker process. Jobs shorter than that never write here.
CREATE TABLE job_leases (
  -- pg-boss's job id (its own schema, so no foreign key).
  job_id       uuid PRIMARY KEY,
  queue        text NOT NULL,
  -- host:pid of the process running it, for the log line that releases it.
  holder       text NOT NULL,
  lease_until  timestamptz NOT NULL
);
CREATE INDEX job_leases_lease_until ON job_leases (lease_until);
