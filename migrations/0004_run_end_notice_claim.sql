-- A run's end notice is posted by whichever caller claims it first: two workers cancelling one
-- run for the same cause (two tracker webhooks for one close) both find the notice owed, and
-- without a claim both post it. The claim lapses, so a poster that died mid-way leaves the notice
-- to reconcile's sweep instead of owing it forever.
ALTER TABLE runs ADD COLUMN end_notice_claimed_until timestamptz;
