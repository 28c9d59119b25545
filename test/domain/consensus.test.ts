import { test } from 'node:test';
import assert from 'node:assert/strict';
import { autoApproveAllowed, coderGatesFromEvidence, computeConsensus, type CoderGateCheck } from '../../src/domain/consensus.ts';
import {
  DEFAULT_REVIEW_WEIGHTS,
  type ActionPlanReport,
  type BlastRadiusReport,
  type ReviewerResult,
  type ReviewWeights,
  type SecurityReport,
} from '../../src/domain/review.ts';
import type { RunOutcome } from '../../src/domain/run.ts';
import { policySchema } from '../../src/policy.ts';

const HEAD = 'a'.repeat(40);
const held: CoderGateCheck = { held: true, failures: [] };

const cleanSecurity: SecurityReport = { risk: 0, findings: [], summary: 'Nothing reachable from input.', confidence: 1 };
const cleanBlast: BlastRadiusReport = { level: 'low', services: ['api'], modules: ['src/add.js'], callers: [{ path: 'src/sum.js' }], summary: 'One caller.', confidence: 1 };
const cleanPlan: ActionPlanReport = {
  rollout: ['Merge and let the pipeline deploy.'],
  verification: ['Check /sum returns 3 for 1+2.'],
  rollback: ['Revert the merge commit.'],
  summary: 'Routine.',
  confidence: 1,
};

function security(report: Partial<SecurityReport> = {}): ReviewerResult {
  return { reviewer: 'security', status: 'answered', report: { ...cleanSecurity, ...report }, model: 'claude-sonnet-5-5', costUsd: 0.01 };
}
function blast(report: Partial<BlastRadiusReport> = {}): ReviewerResult {
  return { reviewer: 'blast_radius', status: 'answered', report: { ...cleanBlast, ...report }, model: 'claude-sonnet-5-5', costUsd: 0.01 };
}
function plan(report: Partial<ActionPlanReport> = {}): ReviewerResult {
  return { reviewer: 'action_plan', status: 'answered', report: { ...cleanPlan, ...report }, model: 'claude-sonnet-5-5', costUsd: 0.01 };
}
const finding = (severity: SecurityReport['findings'][number]['severity'], title: string) => ({ severity, title, detail: '' });
const callers = (n: number) => Array.from({ length: n }, (_, i) => ({ path: `src/c${i}.js` }));

function consensus(reviews: ReviewerResult[], options: { weights?: ReviewWeights; coderGates?: CoderGateCheck } = {}) {
  return computeConsensus({ headSha: HEAD, reviews, weights: options.weights ?? DEFAULT_REVIEW_WEIGHTS, coderGates: options.coderGates ?? held });
}
const all = () => [security(), blast(), plan()];

test('three clean reports and held gates: score 1, no veto, each component explained in one line', () => {
  const c = consensus(all());
  assert.equal(c.headSha, HEAD);
  assert.equal(c.score, 1);
  assert.deepEqual(c.vetoes, []);
  for (const component of Object.values(c.components)) {
    assert.equal(component.score, 1);
    assert.doesNotMatch(component.rubric, /\n/);
  }
  assert.equal(c.components.security.weight, 0.4);
});

test('each veto alone', () => {
  const cases: { name: string; reviews: ReviewerResult[]; coderGates?: CoderGateCheck; veto: { code: string; reviewer?: string; reason: RegExp } }[] = [
    { name: 'risk 7', reviews: [security({ risk: 7 }), blast(), plan()], veto: { code: 'security_risk', reviewer: 'security', reason: /risk 7\/10/ } },
    { name: 'risk 10', reviews: [security({ risk: 10 }), blast(), plan()], veto: { code: 'security_risk', reviewer: 'security', reason: /risk 10\/10/ } },
    { name: 'a high finding', reviews: [security({ risk: 2, findings: [finding('high', 'SQL built from input')] }), blast(), plan()], veto: { code: 'severe_finding', reviewer: 'security', reason: /high-severity issue: SQL built from input/ } },
    { name: 'a critical finding', reviews: [security({ risk: 2, findings: [finding('critical', 'Token logged')] }), blast(), plan()], veto: { code: 'severe_finding', reviewer: 'security', reason: /critical-severity issue: Token logged/ } },
    {
      name: 'an abstention',
      reviews: [security(), { reviewer: 'blast_radius', status: 'abstained', reason: 'the answer was malformed twice', model: 'claude-sonnet-5-5', costUsd: 0.02 }, plan()],
      veto: { code: 'abstained', reviewer: 'blast_radius', reason: /blast-radius reviewer abstained: the answer was malformed twice/ },
    },
    { name: 'a missing reviewer', reviews: [security(), blast()], veto: { code: 'abstained', reviewer: 'action_plan', reason: /action-plan reviewer abstained: it gave no report/ } },
    {
      name: 'a malformed report (risk out of range)',
      reviews: [security({ risk: 11 }), blast(), plan()],
      veto: { code: 'abstained', reviewer: 'security', reason: /did not match the report schema/ },
    },
    {
      name: 'a malformed report (a field missing)',
      reviews: [security(), { ...blast(), report: { level: 'low', summary: '', confidence: 1 } } as unknown as ReviewerResult, plan()],
      veto: { code: 'abstained', reviewer: 'blast_radius', reason: /did not match the report schema/ },
    },
    { name: 'two reports from one reviewer', reviews: [security(), security(), blast(), plan()], veto: { code: 'abstained', reviewer: 'security', reason: /2 reports/ } },
    { name: 'a coder gate', reviews: all(), coderGates: { held: false, failures: ['The new tests passed on the base commit (exit 0), so they do not reproduce the bug.'] }, veto: { code: 'coder_gate', reason: /passed on the base commit/ } },
    { name: 'a coder gate with no sentence', reviews: all(), coderGates: { held: false, failures: [] }, veto: { code: 'coder_gate', reason: /outcome gates did not hold/ } },
  ];
  for (const { name, reviews, coderGates, veto } of cases) {
    const c = consensus(reviews, { coderGates });
    assert.equal(c.vetoes.length, 1, `${name}: ${JSON.stringify(c.vetoes)}`);
    const [only] = c.vetoes;
    assert.equal(only?.code, veto.code, name);
    assert.equal(only?.reviewer, veto.reviewer, name);
    assert.match(only?.reason ?? '', veto.reason, name);
  }
});

test('risk 6.9 with medium and low findings is no veto, only a lower score', () => {
  const c = consensus([security({ risk: 6.9, findings: [finding('medium', 'a'), finding('low', 'b')] }), blast(), plan()]);
  assert.deepEqual(c.vetoes, []);
  // 1 − 0.69 − 0.1 − 0.03 = 0.18
  assert.equal(c.components.security.score, 0.18);
  assert.equal(c.score, 0.672);
});

test('every veto is listed, not just the first, and one per severe finding', () => {
  const c = consensus([security({ risk: 9, findings: [finding('critical', 'one'), finding('high', 'two'), finding('medium', 'three')] }), blast()], {
    coderGates: { held: false, failures: ['first', 'second'] },
  });
  assert.deepEqual(
    c.vetoes.map((v) => [v.code, v.reviewer]),
    [
      ['coder_gate', undefined],
      ['coder_gate', undefined],
      ['security_risk', 'security'],
      ['severe_finding', 'security'],
      ['severe_finding', 'security'],
      ['abstained', 'action_plan'],
    ],
  );
  // A vetoed report still gets its rubric score; the veto is what stops it.
  assert.equal(c.components.security.score, 0);
  assert.equal(c.components.action_plan.score, null);
});

test('an abstention counts 0 in the score and keeps its weight on the card', () => {
  const c = consensus([security(), blast()]);
  assert.equal(c.score, 0.7);
  assert.deepEqual(c.components.action_plan, { score: null, weight: 0.3, rubric: 'abstained (a veto); counts 0' });
});

test('the rubric, component by component', () => {
  const cases: { name: string; review: ReviewerResult; score: number }[] = [
    { name: 'security risk 3', review: security({ risk: 3 }), score: 0.7 },
    { name: 'security risk 2, 2 medium, 3 low', review: security({ risk: 2, findings: [finding('medium', 'a'), finding('medium', 'b'), finding('low', 'c'), finding('low', 'd'), finding('low', 'e')] }), score: 0.51 },
    { name: 'security floors at 0', review: security({ risk: 6, findings: Array.from({ length: 5 }, () => finding('medium', 'm')) }), score: 0 },
    { name: 'blast medium', review: blast({ level: 'medium' }), score: 0.6 },
    { name: 'blast high', review: blast({ level: 'high' }), score: 0.2 },
    { name: 'blast low, 10 callers', review: blast({ callers: callers(10) }), score: 1 },
    { name: 'blast low, 14 callers', review: blast({ callers: callers(14) }), score: 0.96 },
    { name: 'blast low, 50 callers (penalty capped)', review: blast({ callers: callers(50) }), score: 0.9 },
    { name: 'blast high, 50 callers', review: blast({ level: 'high', callers: callers(50) }), score: 0.1 },
    { name: 'plan without rollback', review: plan({ rollback: [] }), score: 0.65 },
    { name: 'plan with a blank rollback step', review: plan({ rollback: ['  '] }), score: 0.65 },
    { name: 'plan with rollout only', review: plan({ verification: [], rollback: [] }), score: 0.3 },
    { name: 'plan empty', review: plan({ rollout: [], verification: [], rollback: [] }), score: 0 },
  ];
  for (const { name, review, score } of cases) {
    const c = consensus([review]);
    assert.equal(c.components[review.reviewer].score, score, `${name}: ${c.components[review.reviewer].rubric}`);
  }
});

test('confidence only lowers a score, by at most a tenth of it, and never lifts a bad report', () => {
  const perfectUnsure = consensus([security({ confidence: 0 }), blast({ confidence: 0 }), plan({ confidence: 0 })]);
  for (const component of Object.values(perfectUnsure.components)) assert.equal(component.score, 0.9);
  assert.match(perfectUnsure.components.security.rubric, /confidence 0 ×0\.9 → 0\.9$/);

  const half = consensus([plan({ rollback: [], confidence: 0.5 })]);
  assert.equal(half.components.action_plan.score, 0.618); // 0.65 × 0.95

  const badButSure = consensus([security({ risk: 6, findings: [finding('medium', 'x')] }), blast({ level: 'high' }), plan({ rollout: [], verification: [], rollback: [] })]);
  assert.equal(badButSure.components.security.score, 0.3);
  assert.equal(badButSure.components.blast_radius.score, 0.2);
  assert.equal(badButSure.components.action_plan.score, 0);
  assert.equal(badButSure.score, 0.18);
});

test('weights from baton.yml change the score', () => {
  const reviews = [security({ risk: 5 }), blast({ level: 'medium' }), plan()];
  assert.equal(consensus(reviews).score, 0.68); // 0.4 × 0.5 + 0.3 × 0.6 + 0.3 × 1
  const weights = policySchema.parse({ review: { weights: { security: 0.5, blast_radius: 0.25, action_plan: 0.25 } } }).review.weights;
  const c = consensus(reviews, { weights });
  assert.equal(c.score, 0.65); // 0.5 × 0.5 + 0.25 × 0.6 + 0.25 × 1
  assert.equal(c.components.security.weight, 0.5);
});

test('auto-approve: only the merge gate, opted in, no veto, strictly above 0.9', () => {
  const perfect = consensus(all());
  const exactly = consensus([security({ confidence: 0 }), blast({ confidence: 0 }), plan({ confidence: 0 })]);
  assert.equal(exactly.score, 0.9);
  const justAbove = consensus([security({ risk: 0.5 }), blast(), plan()]);
  assert.equal(justAbove.score, 0.98);
  const vetoed = consensus(all(), { coderGates: { held: false, failures: ['no'] } });
  assert.equal(vetoed.score, 1);

  const cases: { name: string; c: typeof perfect; gate: 'merge' | 'production'; on: boolean; allowed: boolean; why: RegExp }[] = [
    { name: 'perfect merge, opted in', c: perfect, gate: 'merge', on: true, allowed: true, why: /score 1 is above 0\.9/ },
    { name: 'just above', c: justAbove, gate: 'merge', on: true, allowed: true, why: /above/ },
    { name: 'exactly 0.9 is not above', c: exactly, gate: 'merge', on: true, allowed: false, why: /0\.9 is not above 0\.9/ },
    { name: 'not opted in', c: perfect, gate: 'merge', on: false, allowed: false, why: /auto_approve/ },
    { name: 'a veto at score 1', c: vetoed, gate: 'merge', on: true, allowed: false, why: /a veto/ },
    { name: 'production, perfect and opted in', c: perfect, gate: 'production', on: true, allowed: false, why: /production deploy is never approved automatically/ },
  ];
  for (const { name, c, gate, on, allowed, why } of cases) {
    const result = autoApproveAllowed(c, gate, on);
    assert.equal(result.allowed, allowed, name);
    assert.match(result.why, why, name);
  }
});

function evidence(runs: { label: 'base' | 'base_with_new_tests' | 'change'; exitCode: number | null; timedOut?: boolean }[]): RunOutcome['evidence'] {
  return {
    testFiles: ['test/add.test.js'],
    sandboxed: true,
    runs: runs.map((r) => ({ label: r.label, command: 'npm test', exitCode: r.exitCode, timedOut: r.timedOut ?? false, durationMs: 1200 })),
  };
}

test("coder gates from Baton's evidence: fails on the base with the new tests, passes on the change", () => {
  const cases: { name: string; runs: Parameters<typeof evidence>[0]; failures: RegExp[] }[] = [
    { name: 'fail then pass', runs: [{ label: 'base_with_new_tests', exitCode: 1 }, { label: 'change', exitCode: 0 }], failures: [] },
    { name: 'killed on the base counts as failing', runs: [{ label: 'base_with_new_tests', exitCode: null }, { label: 'change', exitCode: 0 }], failures: [] },
    { name: 'passes on the base', runs: [{ label: 'base_with_new_tests', exitCode: 0 }, { label: 'change', exitCode: 0 }], failures: [/passed on the base commit/] },
    { name: 'times out on the base', runs: [{ label: 'base_with_new_tests', exitCode: null, timedOut: true }, { label: 'change', exitCode: 0 }], failures: [/timed out on the base commit/] },
    { name: 'fails on the change', runs: [{ label: 'base_with_new_tests', exitCode: 1 }, { label: 'change', exitCode: 2 }], failures: [/failed on the change \(exit 2\)/] },
    { name: 'killed on the change', runs: [{ label: 'base_with_new_tests', exitCode: 1 }, { label: 'change', exitCode: null }], failures: [/killed by a signal/] },
    { name: 'times out on the change', runs: [{ label: 'base_with_new_tests', exitCode: 1 }, { label: 'change', exitCode: null, timedOut: true }], failures: [/timed out on the change/] },
    { name: 'no base run (a plain base run does not count)', runs: [{ label: 'base', exitCode: 1 }, { label: 'change', exitCode: 0 }], failures: [/no run of the new tests on the base commit/] },
    { name: 'nothing at all', runs: [], failures: [/no run of the new tests/, /no run of the test suite on the change/] },
    { name: 'both wrong', runs: [{ label: 'base_with_new_tests', exitCode: 0 }, { label: 'change', exitCode: 1 }], failures: [/passed on the base/, /failed on the change/] },
  ];
  for (const { name, runs, failures } of cases) {
    const check = coderGatesFromEvidence(evidence(runs));
    assert.equal(check.held, failures.length === 0, name);
    assert.equal(check.failures.length, failures.length, `${name}: ${check.failures.join(' | ')}`);
    failures.forEach((f, i) => assert.match(check.failures[i] ?? '', f, name));
  }
  const vetoed = consensus(all(), { coderGates: coderGatesFromEvidence(evidence([{ label: 'change', exitCode: 0 }])) });
  assert.deepEqual(vetoed.vetoes.map((v) => v.code), ['coder_gate']);
});
