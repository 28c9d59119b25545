import type { GateFailure, TestEvidence, TestRun } from '../domain/agent-outcome.ts';
import { changedTestFiles, checkDiffGates } from '../domain/diff-gates.ts';
import { parseUnifiedDiff } from '../domain/parse-unified-diff.ts';
import { truncateOutput } from '../domain/truncate-output.ts';
import type { WorkspaceManager } from '../integrations/git/create-workspace-manager.ts';
import type { Workspace } from '../integrations/git/workspace.ts';
import type { OutcomeGatesPolicy, SandboxPolicy } from '../policy.ts';
import type { Sandbox, SandboxResult } from '../sandbox/sandbox.ts';

export interface ProveChangeInput {
  workspace: Workspace;
  /** Run under the sandbox, without the network, at /repo. */
  testCommand: string;
  /** Run once before the tests, on the change, with the network when sandbox.install_network allows. */
  installCommand?: string;
  ticketLabels: string[];
  commitMessage: string;
  policy: OutcomeGatesPolicy;
  sandboxPolicy: SandboxPolicy;
  signal: AbortSignal;
}

export type ProveWorkspaces = Pick<
  WorkspaceManager,
  'commitAll' | 'diffAgainstBase' | 'branchHead' | 'checkOutBaseWithFiles' | 'untrackedFiles' | 'restoreHead'
>;

export interface ProveChangeDeps {
  sandbox: Sandbox;
  workspaces: ProveWorkspaces;
}

export type ProveChangeResult =
  | { ok: true; headSha: string; diff: string; evidence: TestEvidence }
  /** `headSha` is the commit that was judged; `evidence` is there once anything ran in the sandbox. */
  | { ok: false; failures: GateFailure[]; headSha: string; evidence?: TestEvidence };

/** Output kept per run in the evidence: it goes into the thread and the PR body. */
const EVIDENCE_OUTPUT_BYTES = 8 * 1024;
/** The end of a failing run's output quoted in a gate's reason. */
const REASON_TAIL_LINES = 20;
const REASON_TAIL_CHARS = 1500;

function tail(output: string): string {
  const lines = output.trimEnd().split('\n').slice(-REASON_TAIL_LINES).join('\n');
  return lines.length > REASON_TAIL_CHARS ? `…${lines.slice(-REASON_TAIL_CHARS)}` : lines;
}

function testRun(label: TestRun['label'], command: string, result: SandboxResult): TestRun {
  return {
    label,
    command,
    exitCode: result.exitCode,
    timedOut: result.timedOut,
    durationMs: result.durationMs,
    output: truncateOutput(result.output, EVIDENCE_OUTPUT_BYTES).text,
  };
}

/**
 * Commits the agent's change as Baton and decides itself whether it is proven: the diff gates,
 * then FAIL_TO_PASS as SWE-bench defines it (the change's added and modified test files, applied
 * alone to the base commit, fail; with the whole change the configured suite passes). The agent's
 * own account of its work plays no part.
 *
 * "Tests that passed on the base still pass" holds because the whole configured suite must pass on
 * the change: every test the command runs on the change passes, and a test that passed on the base
 * cannot have been taken out of it without the test_deleted gate (file removed or moved out of the
 * test paths) or the assertion_weakened gate (assertions removed, tests skipped or singled out)
 * failing. What these gates cannot see is an edit to the suite's configuration (a package.json
 * script, a runner's ignore list): that stays in the diff for the reviewer. The base suite itself is
 * not run: it would cost one more full run and, at the command's granularity, decide nothing more.
 *
 * The diff gates do not stop the test runs: their results go back to the agent with the gate
 * failures, so one attempt teaches it everything. Only an empty change, where there is nothing to
 * run, skips them; with no test file in the change, the base run is skipped (nothing to apply).
 *
 * Whatever happens, the worktree ends on the branch at the committed head, with any file the runs
 * or the base checkout left behind removed (ignored files, such as installed dependencies, stay).
 */
export async function proveChange(input: ProveChangeInput, deps: ProveChangeDeps): Promise<ProveChangeResult> {
  const { workspace, signal, sandboxPolicy } = input;
  const { sandbox, workspaces } = deps;
  // A retry after a failed gate may bring no new edits; the branch then already holds the change.
  const headSha = (await workspaces.commitAll(workspace, input.commitMessage)) ?? (await workspaces.branchHead(workspace));
  const diff = await workspaces.diffAgainstBase(workspace);
  const parsed = parseUnifiedDiff(diff);
  const failures = checkDiffGates(parsed, { policy: input.policy, ticketLabels: input.ticketLabels });
  if (failures.some((f) => f.gate === 'no_change')) return { ok: false, failures, headSha };

  const evidence: TestEvidence = { testFiles: changedTestFiles(parsed, input.policy.test_paths), runs: [], sandboxed: sandbox.sandboxed };
  const testTimeoutMs = sandboxPolicy.test_timeout_seconds * 1000;
  const runTests = async (label: TestRun['label']): Promise<TestRun> => {
    const result = await sandbox.run({ command: input.testCommand, worktree: workspace.path, network: false, timeoutMs: testTimeoutMs, signal });
    signal.throwIfAborted();
    const run = testRun(label, input.testCommand, result);
    evidence.runs.push(run);
    return run;
  };

  let keep = await workspaces.untrackedFiles(workspace);
  try {
    if (input.installCommand) {
      const installed = await sandbox.run({
        command: input.installCommand,
        worktree: workspace.path,
        network: sandboxPolicy.install_network,
        timeoutMs: sandboxPolicy.install_timeout_seconds * 1000,
        signal,
      });
      signal.throwIfAborted();
      if (installed.timedOut || installed.exitCode !== 0) {
        const how = installed.timedOut ? `did not finish within ${sandboxPolicy.install_timeout_seconds} s` : `exited ${installed.exitCode ?? `on ${installed.signal}`}`;
        const reason = `The install command \`${input.installCommand}\` ${how} on the change, so no test could run; its output ends:\n${tail(installed.output)}`;
        return { ok: false, failures: [...failures, { gate: 'suite_green', reason }], headSha, evidence };
      }
      // What the install wrote and .gitignore does not cover stays between and after the runs.
      keep = await workspaces.untrackedFiles(workspace);
    }

    if (evidence.testFiles.length > 0) {
      await workspaces.checkOutBaseWithFiles(workspace, headSha, evidence.testFiles);
      const base = await runTests('base_with_new_tests');
      await workspaces.restoreHead(workspace, keep);
      const failure = failToPass(base, sandboxPolicy.test_timeout_seconds);
      if (failure) failures.push(failure);
    }

    const change = await runTests('change');
    if (change.timedOut || change.exitCode !== 0) {
      const how = change.timedOut ? `did not finish within ${sandboxPolicy.test_timeout_seconds} s` : `exited ${change.exitCode ?? 'on a signal'}`;
      failures.push({ gate: 'suite_green', reason: `The test suite fails with the change (\`${input.testCommand}\` ${how}); its output ends:\n${tail(change.output)}` });
    }
  } finally {
    await workspaces.restoreHead(workspace, keep);
  }
  return failures.length > 0 ? { ok: false, failures, headSha, evidence } : { ok: true, headSha, diff, evidence };
}

/** The base commit with only the change's tests must fail, and fail as a test failure, not a hang. */
function failToPass(run: TestRun, timeoutSeconds: number): GateFailure | undefined {
  if (run.timedOut) {
    return {
      gate: 'fail_to_pass',
      reason: `The new or changed tests did not finish within ${timeoutSeconds} s on the base commit, so they do not show the bug; make them fail rather than hang without the fix.`,
    };
  }
  if (run.exitCode === 0) {
    return {
      gate: 'fail_to_pass',
      reason: 'The new or changed tests already pass on the base commit, so they do not reproduce the bug; write a test that fails without the fix.',
    };
  }
  return undefined;
}
