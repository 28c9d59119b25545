import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auditTrailMessage, type AuditTrailEntry } from '../../../src/bot/views/audit-trail-message.ts';
import { allText, assertInert, assertWithinLimits, HEAD, HOSTILE } from './gate-view-fixtures.ts';

const RUN_ID = '6f1c2a7e-0000-4000-8000-000000000001';
const at = (minute: number): Date => new Date(Date.UTC(2026, 11, 4, 14, minute));

test('audit trail: one line per entry, oldest first, user ids as mentions and other actors as text', () => {
  const entries: AuditTrailEntry[] = [
    { at: at(5), actor: 'github:octo<!here>', action: 'pr.merged', detail: { sha: HEAD } },
    { at: at(2), actor: 'U0APPROVER', action: 'approval.granted', detail: { gate: 'merge', headSha: HEAD, score: 0.93, report: { big: true } } },
    { at: at(0), actor: 'baton', action: 'review.scored', detail: { score: 0.93, vetoes: 0, reason: HOSTILE } },
  ];
  const msg = auditTrailMessage({ ticketKey: 'ENG-1', runId: RUN_ID, entries });
  assertWithinLimits(msg);
  assertInert(msg);
  const lines = allText(msg).split('\n').filter((l) => l.startsWith('<!date'));
  assert.equal(lines.length, 3);
  assert.match(lines[0]!, /^<!date\^\d+\^\{date_short_pretty\} \{time\}\|2026-12-04 14:00 UTC> · baton · review\.scored · score 0\.93 · vetoes 0 · reason Hi &lt;!channel&gt;/);
  assert.match(lines[1]!, /\|2026-12-04 14:02 UTC> · <@U0APPROVER> · approval\.granted · merge · `abcdef0` · score 0\.93$/);
  assert.match(lines[2]!, /\|2026-12-04 14:05 UTC> · github:octo&lt;!here&gt; · pr\.merged · `abcdef0`$/);
  assert.match(allText(msg), /\*Audit trail of ENG-1\* · run `6f1c2a7e-0000-4000-8000-000000000001`/);
  assert.ok(!allText(msg).includes('left out'));
});

test('audit trail: too many entries keep the newest, say how many older ones were left out, and stay within limits', () => {
  const entries: AuditTrailEntry[] = Array.from({ length: 2_000 }, (_, i) => ({
    at: new Date(Date.UTC(2026, 11, 4) + i * 60_000), actor: i % 2 ? 'U0APPROVER' : 'agent', action: `step.${i}`, detail: { note: `${HOSTILE} ${'<&'.repeat(200)}`, gate: 'merge' },
  }));
  const msg = auditTrailMessage({ ticketKey: 'ENG-1', runId: RUN_ID, entries });
  assertWithinLimits(msg);
  assertInert(msg);
  const body = allText(msg);
  const left = /… (\d+) older entries left out/.exec(body);
  assert.ok(left, 'the cut is said');
  const shown = body.split('\n').filter((l) => l.startsWith('<!date'));
  assert.equal(shown.length + Number(left[1]), 2_000, 'shown + left out = every entry');
  assert.match(shown.at(-1)!, / · step\.1999 · /, 'the newest entry is last');
  assert.match(shown[0]!, new RegExp(` · step\\.${Number(left[1])} · `), 'the first shown follows the last left out');
});

test('audit trail: none yet', () => {
  assert.match(allText(auditTrailMessage({ ticketKey: 'ENG-1', runId: RUN_ID, entries: [] })), /No entries yet\./);
});
