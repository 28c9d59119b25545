import type { GateFailure, TestEvidence, TestRun } from '../domain/agent-outcome.ts';
import { dependencyManifests } from '../domain/dependency-manifests.ts';
import { changedTestFiles, checkDiffGates } from '../domain/diff-gates.ts';
import { parseUnifiedDiff } from '../domain/parse-unified-diff.ts';
import { truncateOutput } from '../domain/truncate-output.ts';
import type { WorkspaceManager } from '../integrations/git/create-workspace-manager.ts';
import type { Workspace } from '../integrations/git/workspace.ts';
import type { OutcomeGatesPolicy, SandboxPolicy } from '../policy.ts';
import type { Sandbox, SandboxResult } from '../sandbox/sandbox.ts';
import { outputTail as tail, runInstall } from './run-install.ts';

export interface ProveChangeInput {
  workspace: Workspace;
  /** Run under the sandbox, without the network, at /repo. */
  testCommand: string;
  /**
   * repos.<r>.install. It ran on the base commit before the agent started (coder-step.ts); here it
   * runs again only when the change touches a dependency manifest, and then without the network.
   */
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
 * The install command ran on the base commit, with the network where sandbox.install_network
 * allows, before the agent started. It runs here again only for a change that touches a dependency
 * manifest (package.json, a lockfile, requirements*.txt, go.mod…), and offline: a change's install
 * scripts are the agent's code.
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
    // The install on the base ran with the network; the agent's own manifests never get it. A
    // postinstall script or a new dependency in the change is the agent's code, run offline like
    // the tests, and a dependency that is not there already is for a person to add.
    const manifests = input.installCommand ? dependencyManifests(parsed.files.flatMap((f) => [f.path, f.oldPath])) : [];
    if (input.installCommand && manifests.length > 0) {
      const installed = await runInstall(
        { command: input.installCommand, worktree: workspace.path, network: false, policy: sandboxPolicy, signal },
        sandbox,
      );
      if (!installed.ok) {
        const reason =
          `The change alters dependencies (${manifests.join(', ')}), and the install command \`${input.installCommand}\` ${installed.how} when Baton ran it again on the change, ` +
          `without the network (a change's dependencies are never fetched), so no test could run. A new or changed dependency needs a person: ` +
          `fix the ticket without it, or leave the dependency to a person. Its output ends:\n${installed.tail}`;
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
