import type { Blocks } from '../../integrations/slack.ts';
import type { TestRun } from '../../domain/agent-outcome.ts';
import type { RunOutcome } from '../../domain/run.ts';
import { section } from './blocks.ts';
import { clipMrkdwn } from './clip-mrkdwn.ts';
import { fitLines } from './fit-lines.ts';

const RUN_LABEL: Record<TestRun['label'], string> = {
  base: 'Base commit',
  base_with_new_tests: 'Base commit + the new tests',
  change: 'With the change',
};

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

function result(run: Omit<TestRun, 'output'>): string {
  if (run.timedOut) return 'timed out';
  if (run.exitCode === null) return 'killed';
  return run.exitCode === 0 ? 'passed (exit 0)' : `failed (exit ${run.exitCode})`;
}

/** Inline code from untrusted text: escaped, its backticks (which would end the code span) replaced. */
function code(text: string, max: number): string {
  return `\`${clipMrkdwn(text.replace(/`/g, "'"), max).text}\``;
}

/** The test runs Baton made itself (never the agent's word), and the test files the change touches. */
export function testEvidenceSection(evidence: RunOutcome['evidence'], max: number): Blocks[number] {
  const runs = evidence.runs.map((r) => `• ${RUN_LABEL[r.label]}: ${result(r)} · ${seconds(r.durationMs)} · ${code(r.command, 120)}`);
  const files = evidence.testFiles.map((f) => code(f, 150));
  const lines = ['*Tests Baton ran itself*', ...runs];
  if (files.length > 0) lines.push(`Tests added or changed: ${files.slice(0, 10).join(', ')}${files.length > 10 ? ` and ${files.length - 10} more` : ''}`);
  return section(fitLines(lines, max, (n) => `_… and ${n} more lines in the PR description_`));
}
