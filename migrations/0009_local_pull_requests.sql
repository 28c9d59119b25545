-- Issue 10: the local code host (`repos.<r>.path` in baton.yml). A pull request of a repository on
-- disk lives in Baton's own database; its branches and merges live in the repository itself.

-- The last number given per repository: a pull request takes the next one in the same statement that
-- bumps it, so two opened at once never share a number.
CREATE TABLE local_pull_request_counters (
  repo         text PRIMARY KEY,
  last_number  integer NOT NULL CHECK (last_number > 0)
);

CREATE TABLE local_pull_requests (
  id                 bigserial PRIMARY KEY,
  -- The key under `repos` (owner/name), as configured.
  repo               text NOT NULL,
  number             integer NOT NULL CHECK (number > 0),
  title              text NOT NULL,
  body               text NOT NULL DEFAULT '',
  state              text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed', 'merged')),
  head_ref           text NOT NULL,
  -- The branch's commit when last read from the repository (it follows the branch while open).
  head_sha           text NOT NULL,
  base_ref           text NOT NULL,
  -- The base branch's commit when the pull request was opened or last updated.
  base_sha           text NOT NULL,
  -- A merge commit written but perhaps not yet on the base branch: a merge that crashed between
  -- moving the branch and recording it finds its own work here (with the head it merged).
  pending_merge_sha  text,
  pending_head_sha   text,
  merge_sha          text,
  merged_by          text,
  merged_at          timestamptz,
  closed_at          timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (repo, number),
  CHECK ((state = 'merged') = (merge_sha IS NOT NULL))
);
-- As on GitHub, one open pull request per head branch: a publish that runs twice finds the first.
CREATE UNIQUE INDEX local_pull_requests_one_open ON local_pull_requests (repo, head_ref) WHERE state = 'open';
CREATE INDEX local_pull_requests_recent ON local_pull_requests (id DESC);

CREATE TABLE local_pull_request_comments (
  id          bigserial PRIMARY KEY,
  pull_id     bigint NOT NULL REFERENCES local_pull_requests (id),
  author      text NOT NULL,
  body        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX local_pull_request_comments_pull ON local_pull_request_comments (pull_id, id);
