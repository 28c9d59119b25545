import type { Blocks } from '../../integrations/slack.ts';
import { REVIEWER_LABEL, SEVERITIES, type ActionPlanReport, type BlastRadiusReport, type ConsensusComponent, type ReviewerName, type ReviewerResult, type SecurityReport } from '../../domain/review.ts';
import { section } from './blocks.ts';
import { inlineText } from './inline-text.ts';
import { formatScore } from './score.ts';


/** Each reviewer's part of the card; the PR description carries the whole report (consensusMarkdown), consensus_results stores it. */
const SECTION_CHARS = 1_000;
const TOP_FINDINGS = 3;
const FIRST_FEW = 3;


function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function firstFew(items: string[], max: number): string {
  const shown = items.slice(0, FIRST_FEW).map((item) => inlineText(item, max));
  return `${shown.join(', ')}${items.length > FIRST_FEW ? ` and ${items.length - FIRST_FEW} more` : ''}`;
}

function security(report: SecurityReport): string[] {
  const rank = (s: SecurityReport['findings'][number]): number => -SEVERITIES.indexOf(s.severity);
  // Most severe first; equal severities keep the reviewer's order (sort is stable).
  const top = [...report.findings].sort((a, b) => rank(a) - rank(b)).slice(0, TOP_FINDINGS);
  const lines = [`risk ${Math.round(report.risk * 10) / 10}/10 · ${count(report.findings.length, 'finding')}`];
  for (const f of top) lines.push(`• [${f.severity}] ${inlineText(f.title, 120)}${f.path ? ` — ${inlineText(f.path, 80)}` : ''}`);
  if (report.findings.length > TOP_FINDINGS) lines.push(`_… and ${report.findings.length - TOP_FINDINGS} more in the PR description_`);
  return lines;
}

function blastRadius(report: BlastRadiusReport): string[] {
  const lines = [`${report.level} · ${count(report.services.length, 'service')}, ${count(report.modules.length, 'module')}, ${count(report.callers.length, 'caller')}`];
  if (report.services.length > 0) lines.push(`Services: ${firstFew(report.services, 50)}`);
  if (report.modules.length > 0) lines.push(`Modules: ${firstFew(report.modules, 70)}`);
  if (report.callers.length > 0) lines.push(`Callers: ${firstFew(report.callers.map((c) => (c.symbol ? `${c.path} (${c.symbol})` : c.path)), 80)}`);
  return lines;
}

function actionPlan(report: ActionPlanReport): string[] {
  const lines = [`${count(report.rollout.length, 'rollout step')}, ${count(report.verification.length, 'verification step')}, ${count(report.rollback.length, 'rollback step')}`];
  const rollback = report.rollback[0];
  lines.push(rollback ? `Rollback starts with: ${inlineText(rollback, 250)}` : ':warning: No rollback step given.');
  return lines;
}

function body(result: ReviewerResult): string[] {
  if (result.status === 'abstained') return [`abstained: ${inlineText(result.reason, 400)}`];
  switch (result.reviewer) {
    case 'security':
      return security(result.report);
    case 'blast_radius':
      return blastRadius(result.report);
    case 'action_plan':
      return actionPlan(result.report);
  }
}

/**
 * One reviewer on the review card: its component score and weight, then what it found (security:
 * risk and the top findings by severity; blast radius: level and what it reaches; action plan: step
 * counts and the rollback's first step). Everything the model wrote is escaped and cut.
 */
export function reviewerSection(reviewer: ReviewerName, result: ReviewerResult | undefined, component: ConsensusComponent | undefined): Blocks[number] {
  const score = component?.score === null || component === undefined ? 'no score' : `score ${formatScore(component.score)}`;
  const weight = component ? ` (weight ${formatScore(component.weight)})` : '';
  const lines = result ? body(result) : ['abstained: no report was stored'];
  const [first, ...rest] = lines;
  const rubric = component?.rubric ? [`_${inlineText(component.rubric, 120)}_`] : [];
  const text = [`*${REVIEWER_LABEL[reviewer]}* · ${score}${weight} · ${first}`, ...rest, ...rubric].join('\n');
  // Each part is cut above; this only guards the sum, never leaving half an entity or surrogate pair.
  return section(text.length <= SECTION_CHARS ? text : `${text.slice(0, SECTION_CHARS - 1).replace(/&[a-z]*$|[\uD800-\uDBFF]$/, '')}…`);
}
