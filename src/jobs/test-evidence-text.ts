import type { RunOutcome } from '../domain/run.ts';

const LABELS: Record<RunOutcome['evidence']['runs'][number]['label'], string> = {
  base: 'base commit',
  base_with_new_tests: 'base commit with only the new tests',
  change: 'the change',
};

function result(run: RunOutcome['evidence']['runs'][number]): string {
  if (run.timedOut) return 'timed out';
  return run.exitCode === 0 ? 'passed' : `failed (exit ${run.exitCode ?? 'killed'})`;
}

/**
 * Baton's own test runs, as the PR body shows them: what ran on which checkout and how it ended.
 * Plain text; the PR body builder fences it.
 */
export function testEvidenceText(evidence: RunOutcome['evidence']): string {
  const lines = [`Tests added or changed: ${evidence.testFiles.join(', ') || 'none'}`];
  for (const run of evidence.runs) {
    lines.push(`${run.command} on ${LABELS[run.label]}: ${result(run)} in ${(run.durationMs / 1000).toFixed(1)} s`);
  }
  if (!evidence.sandboxed) lines.push('WARNING: these tests ran without a sandbox (sandbox.when_unavailable: run_unsandboxed).');
  return lines.join('\n');
}
