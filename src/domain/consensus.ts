import type { Gate } from './gate.ts';
import {
  AUTO_APPROVE_ABOVE,
  REPORT_SCHEMAS,
  REVIEWERS,
  type ActionPlanReport,
  type BlastRadiusReport,
  type Consensus,
  type ConsensusComponent,
  type ReviewerName,
  type ReviewerResult,
  type ReviewWeights,
  type SecurityReport,
  type Veto,
} from './review.ts';
import type { RunOutcome } from './run.ts';

/** Whether Baton's own test evidence for the head still shows the bug reproduced and fixed. */
export interface CoderGateCheck {
  held: boolean;
  failures: string[];
}

/** A risk this high (out of 10) is a veto whatever the weights say. */
const SECURITY_VETO_RISK = 7;

const NAMES: Record<ReviewerName, string> = { security: 'security', blast_radius: 'blast-radius', action_plan: 'action-plan' };

// Decimal rounding as a person would do it on the card: 0.65 × 0.95 is 0.6175 → 0.618, not the
// binary 0.61749999… → 0.617.
const round3 = (n: number): number => Math.round(Number((n * 1000).toPrecision(12))) / 1000;
const num = (n: number): string => String(round3(n));

/**
 * The fixed rubric: each reviewer's evidence, never its opinion of itself, gives its score.
 * - security: 1 − risk/10, − 0.25 per high or critical finding (also a veto), − 0.1 per medium, − 0.03 per low; floor 0.
 * - blast radius: level low 1.0, medium 0.6, high 0.2; − 0.01 per caller beyond 10, at most − 0.1.
 * - action plan: rollout steps 0.3, verification 0.35, rollback 0.35, each all-or-nothing (a blank step is none).
 * Confidence then multiplies by 1 − 0.1 × (1 − confidence): it can only lower a score, by at most
 * a tenth of it, so a model's self-assurance never lifts a thin report nor sinks a solid one.
 */
function securityScore(report: SecurityReport): [number, string] {
  const count = (...severities: string[]) => report.findings.filter((f) => severities.includes(f.severity)).length;
  const severe = count('high', 'critical');
  const medium = count('medium');
  const low = count('low');
  const parts = [`risk ${num(report.risk)}/10 → ${num(1 - report.risk / 10)}`];
  if (severe > 0) parts.push(`${severe} high/critical −${num(severe * 0.25)}`);
  if (medium > 0) parts.push(`${medium} medium −${num(medium * 0.1)}`);
  if (low > 0) parts.push(`${low} low −${num(low * 0.03)}`);
  return [Math.max(0, 1 - report.risk / 10 - severe * 0.25 - medium * 0.1 - low * 0.03), parts.join('; ')];
}

const LEVEL_SCORE = { low: 1, medium: 0.6, high: 0.2 } as const;

function blastRadiusScore(report: BlastRadiusReport): [number, string] {
  const beyond = Math.max(0, report.callers.length - 10);
  const penalty = Math.min(0.1, beyond * 0.01);
  const parts = [`level ${report.level} → ${LEVEL_SCORE[report.level]}`];
  if (penalty > 0) parts.push(`${report.callers.length} callers −${num(penalty)}`);
  return [Math.max(0, LEVEL_SCORE[report.level] - penalty), parts.join('; ')];
}

function actionPlanScore(report: ActionPlanReport): [number, string] {
  const present = (steps: string[]) => steps.some((s) => s.trim() !== '');
  const items = [
    ['rollout', 0.3, present(report.rollout)],
    ['verification', 0.35, present(report.verification)],
    ['rollback', 0.35, present(report.rollback)],
  ] as const;
  const score = items.reduce((sum, [, points, has]) => sum + (has ? points : 0), 0);
  return [score, items.map(([name, points, has]) => `${name} ${has ? points : `0 (none)`}`).join(' + ')];
}

function rubricScore(result: Extract<ReviewerResult, { status: 'answered' }>): [number, string] {
  switch (result.reviewer) {
    case 'security':
      return securityScore(result.report);
    case 'blast_radius':
      return blastRadiusScore(result.report);
    case 'action_plan':
      return actionPlanScore(result.report);
  }
}

/** The reviewer's answer if it is one trustworthy report; otherwise why it counts as an abstention. */
function answerOf(reviewer: ReviewerName, reviews: readonly ReviewerResult[]): Extract<ReviewerResult, { status: 'answered' }> | { abstained: string } {
  const mine = reviews.filter((r) => r.reviewer === reviewer);
  if (mine.length === 0) return { abstained: 'it gave no report' };
  // Two answers for one head leave no way to tell which to trust.
  if (mine.length > 1) return { abstained: `it gave ${mine.length} reports for one head, so none is used` };
  const [result] = mine as [ReviewerResult];
  if (result.status === 'abstained') return { abstained: result.reason };
  if (result.status !== 'answered') return { abstained: 'its result has no status Baton knows' };
  // The report may come back from the database or another job: it is checked again, not trusted.
  const parsed = REPORT_SCHEMAS[reviewer].safeParse(result.report);
  if (!parsed.success) return { abstained: 'its report did not match the report schema' };
  return { ...result, report: parsed.data } as Extract<ReviewerResult, { status: 'answered' }>;
}

/**
 * The consensus over the three reviewers for one head: hard vetoes first (all of them, so a person
 * sees every reason at once), then the weighted rubric score. A veto is never outweighed.
 */
export function computeConsensus(input: { headSha: string; reviews: ReviewerResult[]; weights: ReviewWeights; coderGates: CoderGateCheck }): Consensus {
  const vetoes: Veto[] = [];
  if (!input.coderGates.held || input.coderGates.failures.length > 0) {
    const failures = input.coderGates.failures.length > 0 ? input.coderGates.failures : ["Baton's outcome gates did not hold for this head."];
    for (const reason of failures) vetoes.push({ code: 'coder_gate', reason });
  }

  const components = {} as Record<ReviewerName, ConsensusComponent>;
  let score = 0;
  for (const reviewer of REVIEWERS) {
    const weight = input.weights[reviewer];
    const answer = answerOf(reviewer, input.reviews);
    if ('abstained' in answer) {
      vetoes.push({ code: 'abstained', reviewer, reason: `The ${NAMES[reviewer]} reviewer abstained: ${answer.abstained}.` });
      components[reviewer] = { score: null, weight, rubric: 'abstained (a veto); counts 0' };
      continue;
    }
    if (answer.reviewer === 'security') {
      if (answer.report.risk >= SECURITY_VETO_RISK) {
        vetoes.push({
          code: 'security_risk',
          reviewer,
          reason: `The security reviewer rated the risk ${num(answer.report.risk)}/10; ${SECURITY_VETO_RISK} or more is a veto.`,
        });
      }
      for (const finding of answer.report.findings) {
        if (finding.severity !== 'high' && finding.severity !== 'critical') continue;
        vetoes.push({ code: 'severe_finding', reviewer, reason: `The security reviewer found a ${finding.severity}-severity issue: ${finding.title}` });
      }
    }
    const [raw, how] = rubricScore(answer);
    const confidence = answer.report.confidence;
    const component = round3(raw * (1 - 0.1 * (1 - confidence)));
    const adjusted = confidence < 1 ? `; confidence ${num(confidence)} ×${num(1 - 0.1 * (1 - confidence))}` : '';
    components[reviewer] = { score: component, weight, rubric: `${how}${adjusted} → ${num(component)}` };
    score += weight * component;
  }
  return { headSha: input.headSha, score: round3(score), components, vetoes };
}

/**
 * Baton's own evidence, read again for the consensus: the new tests on the base commit must fail
 * as tests (a timeout shows a hang, not the bug), and the suite must pass on the change. A run
 * killed by a signal counts as failing, as the outcome gates (src/agents/prove-change.ts) count it.
 */
export function coderGatesFromEvidence(evidence: RunOutcome['evidence']): CoderGateCheck {
  const failures: string[] = [];
  const base = evidence.runs.filter((r) => r.label === 'base_with_new_tests');
  if (base.length === 0) failures.push("Baton's evidence has no run of the new tests on the base commit, so nothing shows they reproduce the bug.");
  for (const run of base) {
    if (run.timedOut) failures.push('The new tests timed out on the base commit instead of failing, so they do not show the bug.');
    else if (run.exitCode === 0) failures.push('The new tests passed on the base commit (exit 0), so they do not reproduce the bug.');
  }
  const change = evidence.runs.filter((r) => r.label === 'change');
  if (change.length === 0) failures.push("Baton's evidence has no run of the test suite on the change.");
  for (const run of change) {
    if (run.timedOut) failures.push('The test suite timed out on the change.');
    else if (run.exitCode !== 0) failures.push(`The test suite failed on the change (${run.exitCode === null ? 'killed by a signal' : `exit ${run.exitCode}`}).`);
  }
  return { held: failures.length === 0, failures };
}

/**
 * Whether the server may approve this gate itself. Only the merge gate of a repository that opted
 * in, with no veto and a score strictly above AUTO_APPROVE_ABOVE; production always waits for a person.
 */
export function autoApproveAllowed(consensus: Consensus, gate: Gate, autoApprove: boolean): { allowed: boolean; why: string } {
  if (gate !== 'merge') return { allowed: false, why: 'A production deploy is never approved automatically.' };
  if (!autoApprove) return { allowed: false, why: 'Auto-approve is off for this repository (gates.merge.auto_approve in baton.yml).' };
  if (consensus.vetoes.length > 0) {
    return { allowed: false, why: `The consensus has ${consensus.vetoes.length === 1 ? 'a veto' : `${consensus.vetoes.length} vetoes`}, so a person must decide.` };
  }
  if (!(consensus.score > AUTO_APPROVE_ABOVE)) {
    return { allowed: false, why: `The consensus score ${num(consensus.score)} is not above ${AUTO_APPROVE_ABOVE}, so a person must decide.` };
  }
  return { allowed: true, why: `The consensus score ${num(consensus.score)} is above ${AUTO_APPROVE_ABOVE} with no veto, and auto-approve is on for this repository.` };
}
