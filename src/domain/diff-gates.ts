import type { GateFailure } from './agent-outcome.ts';
import { globMatcher } from './glob-match.ts';
import type { DiffFile, ParsedDiff } from './parse-unified-diff.ts';
import type { OutcomeGatesPolicy } from '../policy.ts';
import { assertionStrength, disablesTests, isAssertion } from './test-assertions.ts';

export interface DiffGateInput {
  policy: Pick<OutcomeGatesPolicy, 'max_files' | 'max_lines' | 'sensitive_paths' | 'sensitive_label' | 'test_paths'>;
  ticketLabels: readonly string[];
}

/** How many names a reason lists before "and N more": it has to fit a Slack line. */
const LISTED = 5;

function list(items: readonly string[]): string {
  const shown = items.slice(0, LISTED).join(', ');
  return items.length > LISTED ? `${shown} and ${items.length - LISTED} more` : shown;
}

function short(line: string): string {
  const text = line.trim().replace(/\s+/g, ' ');
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

/**
 * The test files a change adds or edits (new paths): the ones applied to the base commit for
 * FAIL_TO_PASS. A test file only renamed within the test paths, unchanged, brings no new test.
 */
export function changedTestFiles(diff: ParsedDiff, testPaths: readonly string[]): string[] {
  const isTest = globMatcher(testPaths);
  return diff.files
    .filter((f) => f.status !== 'deleted' && isTest(f.path))
    .filter((f) => !(f.status === 'renamed' && isTest(f.oldPath) && f.added.length + f.removed.length === 0 && !f.binary))
    .map((f) => f.path);
}

/**
 * The gates Baton can decide from the diff alone, before any test runs: every failure found, in a
 * fixed order, each with a reason a person can act on. An empty list means the diff passed.
 */
export function checkDiffGates(diff: ParsedDiff, input: DiffGateInput): GateFailure[] {
  const { policy } = input;
  if (diff.files.length === 0) {
    return [{ gate: 'no_change', reason: 'The agent finished without changing any file, so there is nothing to verify or open a pull request for.' }];
  }
  const isTest = globMatcher(policy.test_paths);
  const failures: GateFailure[] = [];

  const deleted = diff.files
    .filter((f) => isTest(f.oldPath) && (f.status === 'deleted' || (f.status === 'renamed' && !isTest(f.path))))
    .map((f) => f.oldPath);
  if (deleted.length > 0) {
    failures.push({
      gate: 'test_deleted',
      reason: `The change deletes or moves out of the test paths ${list(deleted)}; tests may be added or fixed, never removed.`,
    });
  }

  const weakened = weakenedAssertions(diff.files.filter((f) => f.status !== 'deleted' && isTest(f.path)));
  if (weakened.length > 0) {
    failures.push({ gate: 'assertion_weakened', reason: `The change weakens the tests: ${list(weakened)}; keep every existing assertion at least as strict.` });
  }

  const lines = diff.files.reduce((sum, f) => sum + f.added.length + f.removed.length, 0);
  if (diff.files.length > policy.max_files || lines > policy.max_lines) {
    failures.push({
      gate: 'diff_too_large',
      reason:
        `The change touches ${diff.files.length} files and ${lines} lines (added plus removed), over the limit of ` +
        `${policy.max_files} files and ${policy.max_lines} lines; make a smaller change or split the ticket.`,
    });
  }

  const labels = new Set(input.ticketLabels.map((l) => l.toLowerCase()));
  if (!labels.has(policy.sensitive_label.toLowerCase())) {
    const isSensitive = globMatcher(policy.sensitive_paths);
    const touched = [...new Set(diff.files.flatMap((f) => [f.oldPath, f.path]).filter(isSensitive))];
    if (touched.length > 0) {
      failures.push({
        gate: 'sensitive_path',
        reason: `The change touches sensitive paths (${list(touched)}); leave them alone, or add the label "${policy.sensitive_label}" to the ticket to allow it.`,
      });
    }
  }

  if (changedTestFiles(diff, policy.test_paths).length === 0) {
    failures.push({
      gate: 'no_test',
      reason: 'The change adds or modifies no test file, so nothing shows the bug existed or that it is fixed; add a test that fails without the fix.',
    });
  }
  return failures;
}

const normalise = (line: string): string => line.trim().replace(/\s+/g, ' ');

/**
 * Removed assertions that were not put back as they were (anywhere in the test files, so moving a
 * test is fine) nor replaced in the same file by one at least as strict; and added markers that
 * skip, postpone or single out tests. Returns one short description per finding.
 */
function weakenedAssertions(testFiles: DiffFile[]): string[] {
  const readded = new Map<string, number>();
  for (const file of testFiles) for (const line of file.added) readded.set(normalise(line.text), (readded.get(normalise(line.text)) ?? 0) + 1);
  const reremoved = new Map<string, number>();
  for (const file of testFiles) for (const line of file.removed) reremoved.set(normalise(line.text), (reremoved.get(normalise(line.text)) ?? 0) + 1);
  // Takes one occurrence of `line` from `pool`; true when there was one (the line is unchanged, only moved).
  const take = (pool: Map<string, number>, line: string): boolean => {
    const n = pool.get(normalise(line)) ?? 0;
    if (n > 0) pool.set(normalise(line), n - 1);
    return n > 0;
  };

  const findings: string[] = [];
  for (const file of testFiles) {
    const removed = file.removed.filter((l) => isAssertion(l.text) && !take(readded, l.text));
    const added = file.added.filter((l) => isAssertion(l.text) || disablesTests(l.text)).filter((l) => !take(reremoved, l.text));
    for (const marker of added.filter((l) => disablesTests(l.text))) {
      findings.push(`${file.path}:${marker.lineNumber} skips or singles out tests (\`${short(marker.text)}\`)`);
    }
    // Strongest first, each paired with the weakest replacement that is still at least as strict.
    const pool = added.filter((l) => isAssertion(l.text) && !disablesTests(l.text)).map((l) => ({ line: l, strength: assertionStrength(l.text) }));
    pool.sort((a, b) => a.strength - b.strength);
    const lost = removed.map((l) => ({ line: l, strength: assertionStrength(l.text) })).sort((a, b) => b.strength - a.strength);
    for (const old of lost) {
      const match = pool.findIndex((p) => p.strength >= old.strength);
      if (match >= 0) {
        pool.splice(match, 1);
        continue;
      }
      const weaker = pool.pop(); // the strongest left, all weaker than `old`
      findings.push(
        weaker
          ? `${file.path}:${old.line.lineNumber} \`${short(old.line.text)}\` became the weaker \`${short(weaker.line.text)}\``
          : `${file.path}:${old.line.lineNumber} \`${short(old.line.text)}\` was removed`,
      );
    }
  }
  return findings;
}
