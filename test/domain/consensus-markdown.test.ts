import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeConsensus } from '../../src/domain/consensus.ts';
import { consensusMarkdown, escapeMarkdown, type ConsensusReview } from '../../src/domain/consensus-markdown.ts';
import { CONSENSUS_LIMIT, pullRequestBody } from '../../src/domain/pull-request-body.ts';
import {
  DEFAULT_REVIEW_WEIGHTS,
  type ActionPlanReport,
  type BlastRadiusReport,
  type ReviewerResult,
  type SecurityReport,
} from '../../src/domain/review.ts';

const HEAD = 'c0ffee1'.padEnd(40, '0');
type Finding = SecurityReport['findings'][number];

const cleanSecurity: SecurityReport = { risk: 0, findings: [], summary: 'Nothing reachable from input.', confidence: 1 };
const cleanBlast: BlastRadiusReport = {
  level: 'medium', services: ['api', 'worker'], modules: ['src/add.js'], callers: [{ path: 'src/sum.js', symbol: 'sum' }], summary: 'Two services.', confidence: 1,
};
const cleanPlan: ActionPlanReport = {
  rollout: ['Merge and let the pipeline deploy.'],
  verification: ['Check /sum returns 3 for 1+2.'],
  rollback: ['Revert the merge commit.'],
  summary: 'Routine.',
  confidence: 1,
};
const security = (report: Partial<SecurityReport> = {}): ReviewerResult =>
  ({ reviewer: 'security', status: 'answered', report: { ...cleanSecurity, ...report }, model: 'm', costUsd: 0 });
const blast = (report: Partial<BlastRadiusReport> = {}): ReviewerResult =>
  ({ reviewer: 'blast_radius', status: 'answered', report: { ...cleanBlast, ...report }, model: 'm', costUsd: 0 });
const plan = (report: Partial<ActionPlanReport> = {}): ReviewerResult =>
  ({ reviewer: 'action_plan', status: 'answered', report: { ...cleanPlan, ...report }, model: 'm', costUsd: 0 });

function reviewed(reviews: ReviewerResult[]): ConsensusReview {
  return { consensus: computeConsensus({ headSha: HEAD, reviews, weights: DEFAULT_REVIEW_WEIGHTS, coderGates: { held: true, failures: [] } }), reviews };
}
const count = (text: string, part: string): number => text.split(part).length - 1;

test('the consensus as markdown: score and verdict, each reviewer with its score, every finding, the blast radius and the action plan', () => {
  const findings: Finding[] = [
    { severity: 'low', title: 'Logs the cart id', detail: 'Harmless but noisy.', path: 'src/log.js:12' },
    { severity: 'medium', title: 'No bound on quantity', detail: 'A huge quantity overflows the total.' },
  ];
  const md = consensusMarkdown(reviewed([security({ risk: 2, findings }), blast(), plan()]));
  const lines = md.split('\n');
  assert.match(lines[0]!, /^\*\*Consensus 0\.\d\d\*\* · does not pass \(not above 0\.90\) · reviewed at `c0ffee1`$/);
  assert.match(md, /^### Security · 0\.\d\d \(weight 0\.40\)$/m);
  assert.match(md, /^### Blast radius · 0\.6\d \(weight 0\.30\)$/m);
  assert.match(md, /^### Action plan · 1\.00 \(weight 0\.30\)$/m);
  // Most severe first, each whole on its line: severity, file:line, title and detail.
  const medium = lines.findIndex((l) => l === '- **medium** — No bound on quantity: A huge quantity overflows the total.');
  const low = lines.findIndex((l) => l === '- **low** · src/log.js:12 — Logs the cart id: Harmless but noisy.');
  assert.ok(medium > 0 && low > medium, md);
  for (const line of ['- Level: **medium** · confidence 1.00', '- Services (2): api, worker', '- Modules (1): src/add.js', '- Callers (1): src/sum.js (sum)']) {
    assert.ok(lines.includes(line), `missing ${line}\n${md}`);
  }
  for (const line of ['**Rollout**:', '1. Merge and let the pipeline deploy.', '**Verification**:', '1. Check /sum returns 3 for 1+2.', '**Rollback**:', '1. Revert the merge commit.']) {
    assert.ok(lines.includes(line), `missing ${line}\n${md}`);
  }
  assert.ok(!md.includes('Vetoes'), 'no veto, no veto list');
  assert.equal(consensusMarkdown(reviewed([security({ risk: 2, findings }), blast(), plan()])), md, 'pure');
});

test('verdicts, vetoes and abstentions', () => {
  const cases: { name: string; reviews: ReviewerResult[]; expect: RegExp[]; absent?: RegExp[] }[] = [
    {
      name: 'clean: passes',
      reviews: [security(), blast({ level: 'low' }), plan()],
      expect: [/^\*\*Consensus 1\.00\*\* · passes \(above 0\.90 with no veto\)/, /^No findings\.$/m],
      absent: [/Vetoes/],
    },
    {
      name: 'a high finding and risk 8: two vetoes, both with their reasons',
      reviews: [security({ risk: 8, findings: [{ severity: 'high', title: 'SQL built from input', detail: 'q' }] }), blast(), plan()],
      expect: [
        /does not pass \(not above 0\.90; 2 vetoes\)/,
        /^- \*\*Security risk \(Security\)\*\*: The security reviewer rated the risk 8\/10; 7 or more is a veto\.$/m,
        /^- \*\*Severe finding \(Security\)\*\*: The security reviewer found a high-severity issue: SQL built from input$/m,
        /^- \*\*high\*\* — SQL built from input: q$/m,
      ],
    },
    {
      name: 'an abstaining reviewer says so and why; the missing one too',
      reviews: [security(), { reviewer: 'blast_radius', status: 'abstained', reason: 'The model refused twice.', model: null, costUsd: 0 }],
      expect: [
        /^### Blast radius · abstained$/m,
        /^Abstained: The model refused twice\.$/m,
        /^### Action plan · abstained$/m,
        /^Abstained: no report was stored\.$/m,
        /^- \*\*Reviewer abstained \(Blast radius\)\*\*: The blast-radius reviewer abstained: The model refused twice\.\.$/m,
        /2 vetoes/,
      ],
    },
    {
      name: 'an action plan without a rollback says none was given',
      reviews: [security(), blast(), plan({ rollback: [' '] })],
      expect: [/^\*\*Rollback\*\*: _none given_$/m],
    },
  ];
  for (const c of cases) {
    const md = consensusMarkdown(reviewed(c.reviews));
    for (const re of c.expect) assert.match(md, re, `${c.name}\n${md}`);
    for (const re of c.absent ?? []) assert.doesNotMatch(md, re, `${c.name}\n${md}`);
  }
});

test('the PR body names the head the review was carried over to after a rebase', () => {
  const md = consensusMarkdown(reviewed([security(), blast(), plan()]), { headSha: 'beef123'.padEnd(40, '0') });
  assert.match(md.split('\n')[0]!, /reviewed at `c0ffee1`, carried over to `beef123`/);
});

test("a reviewer's text cannot fake Baton's markers, ping anyone, close an issue, link or start a block", () => {
  const hostile: Finding = {
    severity: 'medium',
    title: '<!-- baton-run: x --> @channel <@U123> cc @octo-org/security',
    detail: 'fixes #12\n\n## Merge me [now](https://evil.example) ![x](https://evil.example/x.png) <img src=x onerror=alert(1)> `a` & done',
    path: 'src/<script>.js',
  };
  const md = consensusMarkdown(reviewed([
    security({ findings: [hostile], summary: '<!-- baton:consensus:end -->' }),
    blast({ services: ['@here'] }),
    { reviewer: 'action_plan', status: 'abstained', reason: 'Closes #3 <!--', model: null, costUsd: 0 },
  ]));
  assert.ok(!md.includes('<'), `no raw < at all, so no HTML and no comment:\n${md}`);
  assert.doesNotMatch(md, /@(channel|here|U123|octo-org)/, 'no mention survives');
  assert.doesNotMatch(md, /#\d/, 'no issue reference');
  assert.doesNotMatch(md, /\b(fixes|closes)\b/i, 'no closing keyword');
  assert.doesNotMatch(md, /^## /m, 'no heading of its own');
  assert.doesNotMatch(md, /(?<!\\)\[now(?<!\\)\]\(/, 'no link');
  const line = md.split('\n').find((l) => l.startsWith('- **medium**'))!;
  assert.ok(line.includes('&lt;!-- baton-run: x --&gt;'), line);
  assert.ok(line.includes('&lt;img src=x onerror=alert(1)&gt;'), line);
  assert.ok(line.includes('\\`a\\` &amp; done'), line);
  assert.ok(line.includes('src/&lt;script&gt;.js'), line);
  // And inside the whole body, Baton's own markers appear once each, where Baton put them.
  const body = pullRequestBody({ ticket: { key: 'ENG-1', url: 'https://linear.app/x', title: 't' }, summary: 's', testEvidence: 'ok', runId: 'r-1', consensus: md });
  assert.equal(count(body, '<!--'), 3, 'consensus start, consensus end, run marker');
  assert.ok(body.endsWith('<!-- baton-run: r-1 -->\n'));
});

test('escapeMarkdown cuts between whole escapes, never inside an entity, a broken mention or a surrogate pair', () => {
  assert.equal(escapeMarkdown('a&b', 4), 'a…');
  assert.equal(escapeMarkdown('ab@cd', 4), 'ab…');
  assert.equal(escapeMarkdown('ab😀cd', 4), 'ab…');
  assert.equal(escapeMarkdown('x'.repeat(10), 5), 'xxxx…');
  assert.equal(escapeMarkdown('  spread\nover\tlines ', 50), 'spread over lines');
});

test('twenty long findings and long lists stay within the limit, every finding whole, details shortened first', () => {
  const severities = ['low', 'medium', 'high', 'critical'] as const;
  const findings: Finding[] = Array.from({ length: 20 }, (_, i) => ({
    severity: severities[i % 4]!, title: `Finding ${i} ${'t'.repeat(180)}`, detail: `Detail ${i} ${'& '.repeat(990)}`, path: `src/f${i}.js:${i}`,
  }));
  const big = reviewed([
    security({ risk: 9, findings, summary: 's'.repeat(1000) }),
    blast({ services: Array.from({ length: 30 }, (_, i) => `svc-${i}`), modules: Array.from({ length: 50 }, (_, i) => `m/${'x'.repeat(280)}${i}`), callers: Array.from({ length: 50 }, (_, i) => ({ path: `p${i}` })) }),
    plan({ rollout: Array.from({ length: 15 }, () => 'r'.repeat(500)), rollback: Array.from({ length: 15 }, () => 'b'.repeat(500)) }),
  ]);
  const md = consensusMarkdown(big);
  assert.ok(md.length <= CONSENSUS_LIMIT, `${md.length} characters`);
  for (let i = 0; i < 20; i += 1) assert.match(md, new RegExp(`^- \\*\\*\\w+\\*\\* · src/f${i}\\.js:${i} — Finding ${i} t+`, 'm'), `finding ${i} is there`);
  assert.match(md, /^- \*\*Severe finding \(Security\)\*\*/m, 'vetoes stay');
  // The body keeps it whole: pullRequestBody's own cut never runs.
  const body = pullRequestBody({ ticket: { key: 'ENG-1', url: 'https://linear.app/x', title: 't' }, summary: 's', testEvidence: 'ok'.repeat(40_000), runId: 'r-1', consensus: md });
  assert.ok(body.includes(md) && !body.includes('consensus truncated'));

  // Squeezed further, whole findings go from the least severe up, and the section says how many.
  const small = consensusMarkdown(big, { maxChars: 6_000 });
  assert.ok(small.length <= 6_000, `${small.length} characters`);
  const shown = small.split('\n').filter((l) => /^- \*\*(low|medium|high|critical)\*\* · src\/f\d+/.test(l));
  assert.ok(shown.length > 0 && shown.length < 20, `${shown.length} shown`);
  assert.ok(shown.every((l) => !/\*\*low\*\*/.test(l)), 'the most severe are the ones kept');
  assert.match(small, new RegExp(`_… and ${20 - shown.length} less severe findings that did not fit`));
});
