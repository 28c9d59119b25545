/**
 * What the coder agent's part of a run ends in. Baton decides `proven` itself (the outcome gates),
 * never on the agent's word. These types sit in `domain` so `agents` and `jobs` share them without
 * `agents` importing `jobs`.
 */

/** One test-command run Baton made itself, as shown to people and in the PR body. */
export interface TestRun {
  /** What was checked out: the base commit, base + the change's tests only, or the whole change. */
  label: 'base' | 'base_with_new_tests' | 'change';
  command: string;
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  /** Head and tail of the output, already truncated and free of secrets. */
  output: string;
}

export interface TestEvidence {
  /** Test files the change adds or modifies (repository-relative). */
  testFiles: string[];
  runs: TestRun[];
  /** False when the tests ran without bubblewrap (allowed by policy): said loudly in the thread. */
  sandboxed: boolean;
}

/** Why an outcome gate did not hold; `reason` is written for the person reading the thread. */
export type GateName =
  | 'fail_to_pass'
  | 'suite_green'
  | 'test_deleted'
  | 'assertion_weakened'
  | 'diff_too_large'
  | 'sensitive_path'
  | 'no_change'
  | 'no_test';

export interface GateFailure {
  gate: GateName;
  reason: string;
}

export type AgentOutcome =
  | { kind: 'proven'; summary: string; evidence: TestEvidence; headSha: string; diff: string }
  | { kind: 'needs_clarification'; question: string }
  | { kind: 'failed'; code: string; reason: string };
