import assert from 'node:assert/strict';
import type { Blocks, SlackMessage } from '../../../src/integrations/slack.ts';
import type { Consensus, ReviewerResult } from '../../../src/domain/review.ts';
import type { Run, RunOutcome } from '../../../src/domain/run.ts';
import type { ReviewCardInput } from '../../../src/bot/views/review-card-message.ts';

/** Shared by the gate view tests: a run at its review, reviewers, a consensus, and Slack's limits checked. */

export const HEAD = 'abcdef0123456789abcdef0123456789abcdef01';
export const NEW_HEAD = 'def5678901234567890123456789012345678901';
export const MERGED = '0123456789abcdef0123456789abcdef01234567';

// What an attacker would put in a ticket, a model's answer or a diff to ping or phish a channel.
export const HOSTILE = 'Hi <!channel> @here see <http://evil.example|x> & <https://evil.example|the fix> <@U0BOSS> ``` done';

export const outcome: RunOutcome = {
  summary: 'Fixed the off-by-one in total().',
  headSha: HEAD,
  diffStats: { files: 1, added: 2, removed: 1 },
  evidence: {
    testFiles: ['test/total.test.js'],
    sandboxed: true,
    runs: [
      { label: 'base_with_new_tests', command: 'npm test', exitCode: 1, timedOut: false, durationMs: 912 },
      { label: 'change', command: 'npm test', exitCode: 0, timedOut: false, durationMs: 15_400 },
    ],
  },
};

export const run: Run = {
  id: '6f1c2a7e-0000-4000-8000-000000000001', ticketKey: 'ENG-1', source: 'slack', status: 'awaiting_approval', statusReason: null,
  requestedBy: 'U0REQUESTER', channelId: 'C1', responseUrl: null, threadTs: '1.1', statusTs: '1.2', threadUrl: null, priority: 0,
  ticketTitle: 'Total is off by one', ticketUrl: 'https://linear.app/acme/issue/ENG-1', repo: 'acme/shop', branch: 'baton/ENG-1-total', prNumber: 12,
  prUrl: 'https://github.com/acme/shop/pull/12', headSha: HEAD, costUsd: 0, costCapUsd: null, costCapRaisedBy: null, progress: [], question: null,
  clarificationAnswer: null, unsandboxed: false, waitingForAgent: false, outcome, createdAt: new Date(0), updatedAt: new Date(0),
};

export const reviews: ReviewerResult[] = [
  {
    reviewer: 'security', status: 'answered', model: 'claude', costUsd: 0.1,
    report: {
      risk: 2, summary: 'Nothing risky.', confidence: 0.9,
      findings: [
        { severity: 'low', title: 'Log line prints the total', detail: '', path: 'src/total.js' },
        { severity: 'high', title: 'Unchecked input reaches total()', detail: '' },
        { severity: 'medium', title: 'No upper bound on items', detail: '', path: 'src/cart.js' },
        { severity: 'critical', title: 'Secret in fixture', detail: '', path: 'test/fixture.json' },
      ],
    },
  },
  {
    reviewer: 'blast_radius', status: 'answered', model: 'claude', costUsd: 0.1,
    report: {
      level: 'medium', services: ['shop-api'], modules: ['src/total.js', 'src/cart.js', 'src/checkout.js', 'src/invoice.js'],
      callers: [{ path: 'src/checkout.js', symbol: 'checkout' }], summary: 'Checkout only.', confidence: 0.8,
    },
  },
  {
    reviewer: 'action_plan', status: 'answered', model: 'claude', costUsd: 0.1,
    report: { rollout: ['Deploy', 'Watch'], verification: ['Check totals'], rollback: ['Revert the merge commit', 'Redeploy'], summary: 'Simple.', confidence: 0.9 },
  },
];

export const consensus: Consensus = {
  headSha: HEAD,
  score: 0.93,
  components: {
    security: { score: 0.8, weight: 0.4, rubric: 'risk 2/10' },
    blast_radius: { score: 0.7, weight: 0.3, rubric: 'medium level' },
    action_plan: { score: 1, weight: 0.3, rubric: 'rollback given' },
  },
  vetoes: [],
};

export const card = (change: Partial<ReviewCardInput> = {}): ReviewCardInput => ({
  run, prUrl: 'https://github.com/acme/shop/pull/12', diff: 'diff --git a/src/total.js b/src/total.js\n-  return n + 1;\n+  return n;\n+  // done\n',
  headSha: HEAD, consensus, reviews, expiresAt: new Date('2026-12-07T16:22:00Z'), diffFileName: 'ENG-1-abcdef0.diff', ...change,
});

/** Every text a message carries (fallback, mrkdwn, plain_text), with the object's type. */
export function texts(msg: SlackMessage): { kind: string; text: string }[] {
  const out: { kind: string; text: string }[] = [{ kind: 'fallback', text: msg.text }];
  const visit = (value: unknown, kind: string): void => {
    if (Array.isArray(value)) value.forEach((v) => visit(v, kind));
    else if (value && typeof value === 'object') {
      const o = value as Record<string, unknown>;
      if (typeof o.text === 'string') out.push({ kind: String(o.type ?? kind), text: o.text });
      for (const [k, v] of Object.entries(o)) if (k !== 'text' || typeof v !== 'string') visit(v, String(o.type ?? kind));
    }
  };
  visit(msg.blocks, 'block');
  return out;
}

export function allText(msg: SlackMessage): string {
  return texts(msg).map((t) => t.text).join('\n');
}

/** Slack's limits: 50 blocks, 3,000 characters a section text, and the whole message well under 12,000. */
export function assertWithinLimits(msg: SlackMessage): void {
  const blocks = msg.blocks as Blocks;
  assert.ok(blocks.length <= 50, `${blocks.length} blocks`);
  for (const block of blocks) {
    if (block.type === 'section') {
      const text = (block as { text: { text: string } }).text.text;
      assert.ok(text.length <= 3_000, `a section of ${text.length} characters`);
    }
    if (block.type === 'context') {
      for (const e of (block as { elements: { text: string }[] }).elements) assert.ok(e.text.length <= 3_000);
    }
  }
  const textChars = texts(msg).reduce((n, t) => n + t.text.length, 0);
  assert.ok(textChars < 12_000, `${textChars} characters of text`);
  const json = JSON.stringify(msg).length;
  assert.ok(json < 12_000, `${json} characters of JSON`);
}

/** No hostile markup survives anywhere: no broadcast, no forged link, no mention Baton did not write. */
export function assertInert(msg: SlackMessage): void {
  for (const { text } of texts(msg)) {
    assert.ok(!text.includes('<!channel>'), text);
    assert.ok(!/<https?:\/\/evil/.test(text), text);
    assert.ok(!/@here\b/.test(text), text);
    assert.ok(!text.includes('<@U0BOSS>'), text);
  }
}

/** The button elements of the message's actions blocks. */
export function buttons(msg: SlackMessage): { action_id: string; value: string; text: { text: string }; style?: string; confirm?: { title: { text: string }; text: { text: string } } }[] {
  return (msg.blocks as { type: string; elements?: unknown[] }[]).filter((b) => b.type === 'actions').flatMap((b) => b.elements as never[]);
}
