import {
  AUTO_APPROVE_ABOVE,
  REPORT_SCHEMAS,
  REVIEWER_LABEL,
  REVIEWERS,
  SEVERITIES,
  VETO_LABEL,
  type ActionPlanReport,
  type BlastRadiusReport,
  type Consensus,
  type ReviewerName,
  type ReviewerResult,
  type SecurityReport,
} from './review.ts';
import { CONSENSUS_LIMIT } from './pull-request-body.ts';

/** What run.review stored for one head: the consensus and the three reviewers' results. */
export interface ConsensusReview {
  consensus: Consensus;
  reviews: readonly ReviewerResult[];
}



/** How much of each untrusted piece to show, in escaped characters; the renderer steps down until the whole fits. */
interface Detail {
  finding: number;
  title: number;
  item: number;
  listed: number;
  steps: number;
  reason: number;
}
const DETAILS: readonly Detail[] = [
  { finding: 600, title: 200, item: 300, listed: 50, steps: 15, reason: 300 },
  { finding: 200, title: 160, item: 160, listed: 10, steps: 8, reason: 300 },
  { finding: 0, title: 120, item: 120, listed: 3, steps: 3, reason: 160 },
];
const REASON_CHARS = 300;
const SUMMARY_CHARS = 400;

/**
 * The PR description's "Reviewer consensus" section in GitHub Markdown: the score and whether it
 * clears the auto-approve bar, every veto with its reason, then each reviewer's score and whole
 * report (security: every finding, most severe first; blast radius: services, modules, callers;
 * action plan: rollout, verification, rollback) or why it abstained. `headSha` is the head on
 * GitHub, named when the review was scored on another one (carried over after a rebase).
 *
 * Everything a reviewer wrote is untrusted: it is kept to one line and escaped (see
 * escapeMarkdown). The result stays within `maxChars`: details shrink first, then whole findings
 * are left out from the least severe, and the section says so; a finding is never cut mid-line.
 */
export function consensusMarkdown(review: ConsensusReview, options: { headSha?: string; maxChars?: number } = {}): string {
  const max = options.maxChars ?? CONSENSUS_LIMIT;
  const findings = securityFindings(review.reviews)?.length ?? 0;
  for (const detail of DETAILS) {
    const text = render(review, options.headSha, detail, findings);
    if (text.length <= max) return text;
  }
  const tightest = DETAILS.at(-1)!;
  for (let shown = findings - 1; shown >= 0; shown -= 1) {
    const text = render(review, options.headSha, tightest, shown);
    if (text.length <= max) return text;
  }
  // Only vetoes and headings left and still too long: keep whole lines.
  const lines = render(review, options.headSha, tightest, 0).split('\n');
  const note = '_(the rest did not fit GitHub\'s PR body limit)_';
  const kept: string[] = [];
  for (const line of lines) {
    if ([...kept, line, '', note].join('\n').length > max) break;
    kept.push(line);
  }
  return [...kept, '', note].join('\n').slice(0, max);
}

function render(review: ConsensusReview, headSha: string | undefined, detail: Detail, shownFindings: number): string {
  const { consensus } = review;
  const vetoes = consensus.vetoes.length;
  const passes = vetoes === 0 && consensus.score > AUTO_APPROVE_ABOVE;
  const why = passes
    ? `above ${AUTO_APPROVE_ABOVE.toFixed(2)} with no veto`
    : [consensus.score > AUTO_APPROVE_ABOVE ? '' : `not above ${AUTO_APPROVE_ABOVE.toFixed(2)}`, vetoes > 0 ? `${vetoes} veto${vetoes === 1 ? '' : 'es'}` : '']
      .filter(Boolean).join('; ');
  const sha = /^[0-9a-f]{7,64}$/i.test(consensus.headSha) ? consensus.headSha.slice(0, 7) : '?';
  const carried = headSha && headSha !== consensus.headSha ? `, carried over to \`${headSha.slice(0, 7).replace(/[^0-9a-f]/gi, '')}\` (the same change rebased onto the moved base)` : '';
  const lines = [
    `**Consensus ${score(consensus.score)}** · ${passes ? 'passes' : 'does not pass'} (${why}) · reviewed at \`${sha}\`${carried}`,
    '',
    REVIEWERS.map((r) => {
      const c = consensus.components[r];
      return `${REVIEWER_LABEL[r]} ${c?.score === null || c === undefined ? 'abstained' : score(c.score)} × ${c ? score(c.weight) : '–'}`;
    }).join(' + '),
  ];
  if (vetoes > 0) {
    lines.push('', `**Vetoes** (a person must approve despite them):`, '');
    for (const veto of consensus.vetoes) {
      const who = veto.reviewer ? ` (${REVIEWER_LABEL[veto.reviewer] ?? '?'})` : '';
      lines.push(`- **${VETO_LABEL[veto.code] ?? 'Veto'}${who}**: ${escapeMarkdown(veto.reason, detail.reason)}`);
    }
  }
  for (const reviewer of REVIEWERS) {
    const c = consensus.components[reviewer];
    const scored = c?.score === null || c === undefined ? 'abstained' : `${score(c.score)} (weight ${score(c.weight)})`;
    lines.push('', `### ${REVIEWER_LABEL[reviewer]} · ${scored}`, '');
    if (c?.rubric) lines.push(`_${escapeMarkdown(c.rubric, 200)}_`, '');
    lines.push(...reviewerLines(reviewer, review.reviews, detail, shownFindings));
  }
  return lines.join('\n');
}

function reviewerLines(reviewer: ReviewerName, reviews: readonly ReviewerResult[], detail: Detail, shownFindings: number): string[] {
  const mine = reviews.filter((r) => r.reviewer === reviewer);
  if (mine.length === 0) return ['Abstained: no report was stored.'];
  if (mine.length > 1) return [`Abstained: it gave ${mine.length} reports for one head, so none is used.`];
  const result = mine[0]!;
  if (result.status === 'abstained') return [`Abstained: ${escapeMarkdown(result.reason, REASON_CHARS)}`];
  // Stored JSON is read back, not trusted: a report of the wrong shape is not rendered.
  const parsed = REPORT_SCHEMAS[reviewer].safeParse(result.report);
  if (!parsed.success) return ['Abstained: its report did not match the report schema.'];
  const summary = (text: string): string[] => (text.trim() ? [escapeMarkdown(text, SUMMARY_CHARS), ''] : []);
  switch (reviewer) {
    case 'security': {
      const report = parsed.data as SecurityReport;
      return [...summary(report.summary), `Risk ${Math.round(report.risk * 10) / 10}/10 · confidence ${score(report.confidence)}`, '', ...securityLines(report, detail, shownFindings)];
    }
    case 'blast_radius': {
      const report = parsed.data as BlastRadiusReport;
      const callers = report.callers.map((c) => (c.symbol ? `${c.path} (${c.symbol})` : c.path));
      return [
        ...summary(report.summary),
        `- Level: **${report.level}** · confidence ${score(report.confidence)}`,
        `- Services (${report.services.length}): ${list(report.services, detail)}`,
        `- Modules (${report.modules.length}): ${list(report.modules, detail)}`,
        `- Callers (${report.callers.length}): ${list(callers, detail)}`,
      ];
    }
    case 'action_plan': {
      const report = parsed.data as ActionPlanReport;
      const steps = (name: string, items: string[]): string[] => {
        const given = items.filter((s) => s.trim() !== '');
        if (given.length === 0) return [`**${name}**: _none given_`, ''];
        const more = given.length > detail.steps ? [`_… and ${given.length - detail.steps} more_`] : [];
        return [`**${name}**:`, '', ...given.slice(0, detail.steps).map((s, i) => `${i + 1}. ${escapeMarkdown(s, detail.item)}`), ...more, ''];
      };
      return [...summary(report.summary), ...steps('Rollout', report.rollout), ...steps('Verification', report.verification), ...steps('Rollback', report.rollback), `Confidence ${score(report.confidence)}`];
    }
  }
}

function securityFindings(reviews: readonly ReviewerResult[]): SecurityReport['findings'] | undefined {
  const mine = reviews.filter((r) => r.reviewer === 'security');
  const parsed = mine.length === 1 && mine[0]!.status === 'answered' ? REPORT_SCHEMAS.security.safeParse(mine[0]!.report) : undefined;
  return parsed?.success ? parsed.data.findings : undefined;
}

function securityLines(report: SecurityReport, detail: Detail, shown: number): string[] {
  if (report.findings.length === 0) return ['No findings.'];
  const rank = (f: SecurityReport['findings'][number]): number => -SEVERITIES.indexOf(f.severity);
  // Most severe first; equal severities keep the reviewer's order (sort is stable).
  const sorted = [...report.findings].sort((a, b) => rank(a) - rank(b));
  const lines = sorted.slice(0, shown).map((f) => {
    const where = f.path ? ` · ${escapeMarkdown(f.path, detail.item)}` : '';
    const more = detail.finding > 0 && f.detail.trim() ? `: ${escapeMarkdown(f.detail, detail.finding)}` : '';
    return `- **${f.severity}**${where} — ${escapeMarkdown(f.title, detail.title)}${more}`;
  });
  const left = sorted.length - Math.min(shown, sorted.length);
  if (left > 0) {
    const what = left === sorted.length ? `${left} finding${left === 1 ? '' : 's'}` : `${left} less severe finding${left === 1 ? '' : 's'}`;
    lines.push(`- _… and ${what} that did not fit GitHub's PR body limit (Baton keeps the full report)._`);
  }
  return lines;
}

function list(items: string[], detail: Detail): string {
  if (items.length === 0) return '_none_';
  const shown = items.slice(0, detail.listed).map((item) => escapeMarkdown(item, detail.item));
  return `${shown.join(', ')}${items.length > detail.listed ? ` and ${items.length - detail.listed} more` : ''}`;
}

/** Two decimals, cut rather than rounded up (as the Slack card shows it), so 0.899 never reads 0.90. */
function score(n: number): string {
  if (!Number.isFinite(n)) return '–';
  return (Math.floor(Math.min(1, Math.max(0, n)) * 100 + 1e-9) / 100).toFixed(2);
}

const ZWSP = '\u200B';

/**
 * Untrusted text as one line of GitHub Markdown that renders as the text it is and does nothing
 * else, cut to `max` escaped characters with an ellipsis:
 * - whitespace collapsed, so it cannot start a heading, list or fence of its own;
 * - `&`, `<`, `>` as entities, so no HTML and no `<!--` that would hide the rest of the body or
 *   fake one of Baton's `<!-- baton… -->` markers (the raw body never contains one);
 * - inline markup (`\` `` ` `` `*` `_` `[` `]` `~` `|`) backslash-escaped, so no links or images;
 * - a zero-width space after `@` before a name, so `@channel`, `@org/team` or a Slack `<@U123>`
 *   notifies no one on GitHub (Renovate breaks mentions the same way), after `#` before a number,
 *   so no issue is cross-referenced, and inside a closing keyword (fixes, closes, resolves), so
 *   merging the PR closes no issue the model named.
 */
export function escapeMarkdown(text: string, max: number): string {
  const escaped = text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\\`*_[\]~|]/g, '\\$&')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@(?=[A-Za-z0-9])/g, `@${ZWSP}`)
    .replace(/#(?=\d)/g, `#${ZWSP}`)
    .replace(/\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\b/gi, (word) => `${word[0]}${ZWSP}${word.slice(1)}`);
  if (escaped.length <= max) return escaped;
  // Cut between whole tokens: never inside an escape, an entity, a broken mention or a surrogate pair.
  let kept = '';
  for (const [token] of escaped.matchAll(/\\[\s\S]|&(?:amp|lt|gt);|[\s\S]\u200B|[\uD800-\uDBFF][\uDC00-\uDFFF]|[\s\S]/g)) {
    if (kept.length + token.length > max - 1) break;
    kept += token;
  }
  return `${kept.trimEnd()}…`;
}
