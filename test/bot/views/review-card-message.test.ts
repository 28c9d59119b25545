import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Consensus, ReviewerResult, Veto } from '../../../src/domain/review.ts';
import { ACTIONS, parseGateButtonValue } from '../../../src/bot/views/action-ids.ts';
import { gateDecidedMessage, reviewCardMessage } from '../../../src/bot/views/review-card-message.ts';
import { allText, assertInert, assertWithinLimits, buttons, card, consensus, HEAD, HOSTILE, NEW_HEAD, outcome, reviews, run, texts } from './gate-view-fixtures.ts';

function bigDiff(lines: number): string {
  const out = ['diff --git a/src/total.js b/src/total.js', '--- a/src/total.js', '+++ b/src/total.js', '@@ -1,5000 +1,5000 @@'];
  for (let i = 0; i < lines; i += 1) out.push(`+const line${i} = \`template ${i}\`; // ${'x'.repeat(i % 90)} <&>`);
  return `${out.join('\n')}\n`;
}

const long = (n: number): string => `${HOSTILE} ${'<&>'.repeat(n)}`.slice(0, n);

// Every field at the most the reviewer schemas allow, full of markup that escaping grows.
const hugeReviews: ReviewerResult[] = [
  {
    reviewer: 'security', status: 'answered', model: 'm', costUsd: 0,
    report: { risk: 9, summary: long(1000), confidence: 1, findings: Array.from({ length: 20 }, () => ({ severity: 'critical' as const, title: long(200), detail: long(2000), path: long(300) })) },
  },
  {
    reviewer: 'blast_radius', status: 'answered', model: 'm', costUsd: 0,
    report: {
      level: 'high', services: Array.from({ length: 30 }, () => long(200)), modules: Array.from({ length: 50 }, () => long(300)),
      callers: Array.from({ length: 50 }, () => ({ path: long(300), symbol: long(200) })), summary: long(1000), confidence: 1,
    },
  },
  {
    reviewer: 'action_plan', status: 'answered', model: 'm', costUsd: 0,
    report: { rollout: Array.from({ length: 15 }, () => long(500)), verification: Array.from({ length: 15 }, () => long(500)), rollback: Array.from({ length: 15 }, () => long(500)), summary: long(1000), confidence: 1 },
  },
];
const manyVetoes: Veto[] = Array.from({ length: 25 }, (_, i) => ({ code: i % 2 ? 'severe_finding' : 'security_risk', reviewer: 'security', reason: long(2000) }));
const vetoed = (vetoes: Veto[]): Consensus => ({ ...consensus, score: 0.41, vetoes });

test("review card: a 5,000-line diff, every reviewer at its schema's limits and 25 long vetoes stay within Slack's limits, and the card points to the file", () => {
  const diff = bigDiff(5_000);
  const input = card({
    diff,
    run: { ...run, ticketTitle: long(5_000), outcome: { ...outcome, summary: long(20_000), evidence: { ...outcome.evidence, testFiles: Array.from({ length: 40 }, () => long(300)) } } },
    reviews: hugeReviews,
    consensus: { ...vetoed(manyVetoes), components: { security: { score: 0.1, weight: 0.4, rubric: long(2000) }, blast_radius: { score: 0.2, weight: 0.3, rubric: long(2000) }, action_plan: { score: 0.3, weight: 0.3, rubric: long(2000) } } },
  });
  const msg = reviewCardMessage(input);
  assertWithinLimits(msg);
  assertInert(msg);
  const body = allText(msg);
  const [approve] = buttons(msg);
  const more = /… (\d+) more lines in the attached file `ENG-1-abcdef0\.diff`/.exec(body);
  assert.ok(more, 'the preview says how many lines the attached file has beyond it');
  const shown = texts(msg).filter((t) => t.text.startsWith('```')).flatMap((t) => t.text.split('\n').slice(1, -1));
  assert.ok(shown.length > 10, `${shown.length} diff lines shown`);
  assert.equal(shown.length + Number(more[1]), diff.trimEnd().split('\n').length, 'shown + left out = every line');
  for (const line of shown) assert.ok(/^(diff --git .+|--- .+|\+\+\+ .+|@@ .+ @@|\+const line\d+ = `template \d+`; \/\/ x* &lt;&amp;&gt;)$/.test(line), `cut at a whole line: ${line}`);
  assert.match(body, /more characters in the PR description/, 'the summary is cut and says so');
  assert.match(body, /and 17 more in the PR description/, 'the findings beyond the top 3 are counted');
  assert.match(body, /_… and \d+ more vetoes_/, 'vetoes that do not fit are counted');
  assert.match(approve!.confirm!.text.text, /^Security risk \(Security\) ×13; Severe finding \(Security\) ×12\. Approving the merge of abcdef0 overrides them\.$/);
  assert.ok(approve!.confirm!.title.text.length <= 100);
  assert.ok(approve!.confirm!.text.text.length <= 300, `${approve!.confirm!.text.text.length}`);
  assert.match(approve!.confirm!.title.text, /25 vetoes/);
  // The decided card is the same card with one line for the buttons.
  assertWithinLimits(gateDecidedMessage(input, { kind: 'rejected', by: 'U0APPROVER', at: new Date(), reason: long(1000) }));
});

test('review card: the PR link, summary, evidence, reviewers with their scores and top findings, consensus, expiry and the buttons', () => {
  const msg = reviewCardMessage(card());
  assertWithinLimits(msg);
  const body = allText(msg);
  assert.match(body, /<https:\/\/github\.com\/acme\/shop\/pull\/12\|PR #12>/);
  assert.match(body, /<https:\/\/linear\.app\/acme\/issue\/ENG-1\|ENG-1>/);
  assert.match(body, /\*Summary\*\nFixed the off-by-one in total\(\)\./);
  assert.match(body, /Base commit \+ the new tests: failed \(exit 1\)/);
  assert.match(body, /1 file changed, \+2 −1/);
  assert.match(body, /The full diff is attached as `ENG-1-abcdef0\.diff`/);
  // Security: risk and the top 3 findings, most severe first.
  assert.match(body, /\*Security\* · score 0\.80 \(weight 0\.40\) · risk 2\/10 · 4 findings\n• \[critical\] Secret in fixture — test\/fixture\.json\n• \[high\] Unchecked input reaches total\(\)\n• \[medium\] No upper bound on items — src\/cart\.js\n_… and 1 more/);
  assert.ok(!body.includes('Log line prints the total'), 'the fourth finding is not shown');
  assert.match(body, /\*Blast radius\* · score 0\.70 \(weight 0\.30\) · medium · 1 service, 4 modules, 1 caller\nServices: shop-api\nModules: src\/total\.js, src\/cart\.js, src\/checkout\.js and 1 more\nCallers: src\/checkout\.js \(checkout\)/);
  assert.match(body, /\*Action plan\* · score 1\.00 \(weight 0\.30\) · 2 rollout steps, 1 verification step, 2 rollback steps\nRollback starts with: Revert the merge commit/);
  assert.match(body, /\*Consensus: 0\.93\* \(security 0\.80 × 0\.40 \+ blast radius 0\.70 × 0\.30 \+ action plan 1\.00 × 0\.30\)\n:white_check_mark: No veto\./);
  assert.match(body, /Approval expires <!date\^1796660520\^\{date_short_pretty\} at \{time\}\|2026-12-07 16:22 UTC>/);
  assert.match(msg.text, /^ENG-1: PR #12 at abcdef0 · consensus 0\.93 · no veto/);
  const [approve, reject] = buttons(msg);
  assert.equal(approve!.action_id, ACTIONS.gateApprove);
  assert.equal(reject!.action_id, ACTIONS.gateReject);
  assert.equal(approve!.style, 'primary');
  assert.equal(reject!.style, 'danger');
  assert.equal(approve!.confirm, undefined, 'no veto, no confirmation');
  for (const b of [approve!, reject!]) assert.deepEqual(parseGateButtonValue(b.value), { ok: true, value: { runId: run.id, gate: 'merge', headSha: HEAD } });
});

test('review card: an abstaining reviewer says why; no expiry, no expiry line', () => {
  const abstained: ReviewerResult = { reviewer: 'blast_radius', status: 'abstained', reason: 'answered malformed JSON twice', model: null, costUsd: 0 };
  const msg = reviewCardMessage(card({
    reviews: [reviews[0]!, abstained, reviews[2]!],
    consensus: { ...consensus, components: { ...consensus.components, blast_radius: { score: null, weight: 0.3, rubric: 'abstained' } }, vetoes: [{ code: 'abstained', reviewer: 'blast_radius', reason: 'The blast-radius reviewer abstained.' }] },
    expiresAt: null,
  }));
  const body = allText(msg);
  assert.match(body, /\*Blast radius\* · no score \(weight 0\.30\) · abstained: answered malformed JSON twice/);
  assert.match(body, /blast radius abstained × 0\.30/);
  assert.ok(!body.includes('expires'));
  // A reviewer with no stored result at all is an abstention too, never a blank.
  assert.match(allText(reviewCardMessage(card({ reviews: [] }))), /\*Security\* · score 0\.80 \(weight 0\.40\) · abstained: no report was stored/);
});

test('review card: a standing veto is spelled out with its reason, and Approve asks for confirmation naming it', () => {
  const msg = reviewCardMessage(card({ consensus: vetoed([{ code: 'security_risk', reviewer: 'security', reason: 'Risk 8/10 is 7 or more.' }]) }));
  const body = allText(msg);
  assert.match(body, /:no_entry: \*1 veto\* \(Approve asks you to confirm\):\n• \*Security risk \(Security\)\*: Risk 8\/10 is 7 or more\./);
  assert.match(msg.text, /consensus 0\.41 · 1 veto/);
  const [approve, reject] = buttons(msg);
  assert.equal(approve!.confirm!.title.text, 'Approve despite 1 veto?');
  assert.equal(approve!.confirm!.text.text, 'Security risk (Security): Risk 8/10 is 7 or more. Approving the merge of abcdef0 overrides it.');
  assert.equal(reject!.confirm, undefined, 'rejecting needs no confirmation: it asks for a reason');

  const two = buttons(reviewCardMessage(card({ consensus: vetoed([
    { code: 'abstained', reviewer: 'action_plan', reason: 'The action planner abstained.' },
    { code: 'coder_gate', reason: 'A test was weakened.' },
  ]) })))[0]!;
  assert.match(two.confirm!.title.text, /2 vetoes/);
  assert.match(two.confirm!.text.text, /^Reviewer abstained \(Action plan\): The action planner abstained\.; Baton's checks: A test was weakened\. Approving the merge of abcdef0 overrides them\.$/);
});

test('review card: hostile ticket titles, summaries, findings, veto reasons and diffs stay inert', () => {
  const hostileReviews: ReviewerResult[] = [
    { reviewer: 'security', status: 'answered', model: 'm', costUsd: 0, report: { risk: 1, summary: HOSTILE, confidence: 1, findings: [{ severity: 'high', title: HOSTILE, detail: HOSTILE, path: HOSTILE }] } },
    { reviewer: 'blast_radius', status: 'answered', model: 'm', costUsd: 0, report: { level: 'low', services: [HOSTILE], modules: [HOSTILE], callers: [{ path: HOSTILE, symbol: HOSTILE }], summary: HOSTILE, confidence: 1 } },
    { reviewer: 'action_plan', status: 'abstained', reason: HOSTILE, model: null, costUsd: 0 },
  ];
  const input = card({
    run: { ...run, ticketTitle: HOSTILE, outcome: { ...outcome, summary: HOSTILE, evidence: { ...outcome.evidence, testFiles: [HOSTILE] } } },
    diff: `diff --git a/x.md b/x.md\n+${HOSTILE}\n+\`\`\`\`\n`,
    reviews: hostileReviews,
    consensus: vetoed([{ code: 'severe_finding', reviewer: 'security', reason: HOSTILE }]),
    diffFileName: 'x`<!channel>`.diff',
  });
  const msg = reviewCardMessage(input);
  assertInert(msg);
  for (const { text } of texts(msg).filter((t) => t.text.startsWith('```'))) {
    assert.equal(text.match(/```/g)?.length, 2, `only the block's own fences: ${text}`);
  }
  // A ``` in a title, summary, finding or veto cannot open a code block that swallows Baton's text.
  for (const { text } of texts(msg).filter((t) => !t.text.startsWith('```'))) assert.ok(!text.includes('```'), text);
  assert.ok(!allText(msg).includes('`<'), 'a backtick in the file name cannot end its code span early');
  assert.match(buttons(msg)[0]!.confirm!.text.text, /&lt;!channel&gt;/);
  assertInert(gateDecidedMessage(input, { kind: 'rejected', by: '<!channel>', at: new Date(), reason: HOSTILE }));
});

test('review card: tests run without a sandbox are said on the card, whether the run or its evidence says so', () => {
  assert.ok(!allText(reviewCardMessage(card())).includes('WITHOUT a sandbox'));
  const evidence = { ...outcome.evidence, sandboxed: false };
  assert.match(allText(reviewCardMessage(card({ run: { ...run, outcome: { ...outcome, evidence } } }))), /Tests ran WITHOUT a sandbox/);
  assert.match(allText(reviewCardMessage(card({ run: { ...run, unsandboxed: true } }))), /Tests ran WITHOUT a sandbox/);
});

test('review card: a consensus scored on another commit says so', () => {
  assert.match(allText(reviewCardMessage(card({ consensus: { ...consensus, headSha: NEW_HEAD } }))), /:warning: scored on `def5678`, not `abcdef0`/);
});

test('decided card: the buttons and the expiry give way to one line saying what happened', () => {
  const at = new Date('2026-12-04T14:02:00Z');
  const input = card();
  const lines = {
    approved: gateDecidedMessage(input, { kind: 'approved', by: 'U0APPROVER', at }),
    auto: gateDecidedMessage(input, { kind: 'auto_approved', at }),
    rejected: gateDecidedMessage(input, { kind: 'rejected', by: 'U0APPROVER', at, reason: 'Wrong approach: fix it in the cart.' }),
    expired: gateDecidedMessage(input, { kind: 'expired', at, hours: 72 }),
    voided: gateDecidedMessage(input, { kind: 'voided', at, newHeadSha: NEW_HEAD }),
  };
  for (const msg of Object.values(lines)) {
    assert.equal(buttons(msg).length, 0);
    assert.ok(!allText(msg).includes('expires'));
    assert.match(allText(msg), /\*Consensus: 0\.93\*/, 'the rest of the card stays');
    assertWithinLimits(msg);
  }
  const last = (msg: { blocks?: unknown[] }): string => (msg.blocks!.at(-1) as { text: { text: string } }).text.text;
  assert.equal(last(lines.approved), `:white_check_mark: Approved by <@U0APPROVER> · \`abcdef0\` · <!date^${at.getTime() / 1000}^{time}|14:02 UTC>`);
  assert.match(lines.approved.text, /· Approved by <@U0APPROVER> · abcdef0 · 14:02 UTC$/);
  assert.equal(last(lines.auto), ":robot_face: Auto-approved by Baton's policy (score 0.93, no veto) · `abcdef0`");
  assert.equal(last(lines.rejected), ':x: Rejected by <@U0APPROVER> · Wrong approach: fix it in the cart.');
  assert.equal(last(lines.expired), ':hourglass: Expired unanswered after 72 h: not approved');
  assert.equal(last(lines.voided), ':leftwards_arrow_with_hook: Voided: a new push (`def5678`) replaced `abcdef0`');
});
