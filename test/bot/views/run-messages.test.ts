import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statusMessage, statusReply, threadRootMessage } from '../../../src/bot/views/run-messages.ts';
import { runFailedMessage } from '../../../src/bot/views/run-failed-message.ts';
import type { Run } from '../../../src/domain/run.ts';

const run: Run = {
  id: '00000000-0000-4000-8000-000000000001', ticketKey: 'ENG-1', source: 'linear', status: 'queued', statusReason: null,
  requestedBy: 'Linear poll', channelId: 'C1', responseUrl: null, threadTs: null, statusTs: null, threadUrl: null, priority: 0,
  ticketTitle: null, ticketUrl: null, repo: null, branch: null, prNumber: null, prUrl: null, headSha: null,
  costUsd: 0, costCapUsd: null, costCapRaisedBy: null, progress: [], question: null, clarificationAnswer: null, unsandboxed: false, waitingForAgent: false, outcome: null,
  createdAt: new Date(0), updatedAt: new Date(0),
};

test('a ticket title is the author’s text: it cannot ping the channel, add markup or forge a link', () => {
  const root = threadRootMessage({ ...run, ticketTitle: 'Fix @channel <!here> & <https://evil.example|login>', ticketUrl: 'https://linear.app/acme/issue/ENG-1' });
  const section = JSON.stringify(root.blocks);
  assert.ok(!/@(channel|here)\b/.test(section), section);
  assert.ok(!section.includes('<!here>') && !section.includes('<https://evil.example'), section);
  assert.ok(section.includes('<https://linear.app/acme/issue/ENG-1|ENG-1>'), 'the ticket link itself stays a link');
});

test('a ticket URL that is not plain http(s) is shown as text, not as a link', () => {
  const root = threadRootMessage({ ...run, ticketUrl: 'javascript:alert(1)' });
  assert.ok(!JSON.stringify(root.blocks).includes('javascript:'), JSON.stringify(root.blocks));
});

test('a failure reason that is already a sentence ends with one full stop, and a hint is looked up only by its own name', () => {
  const failed = runFailedMessage(run, 'Baton’s checks failed: an assertion was weakened.');
  assert.ok(failed.text.includes('weakened. Click Retry, or run `/agent fix ENG-1`'), failed.text);
  assert.ok(!failed.text.includes('..'), failed.text);
  assert.ok(runFailedMessage(run, 'the tracker said no').text.includes('the tracker said no. Click Retry'));
  // A name Object.prototype has is not a hint.
  assert.ok(runFailedMessage(run, 'x', 'constructor').text.includes('Click Retry, or run `/agent fix ENG-1`, to try again.'));
  assert.ok(runFailedMessage(run, 'x', 'not_in_channel').text.includes('/invite @Baton'));
});

// What a failing suite's tail can hold: markup that would ping the channel, and characters escaping grows fivefold.
const HOSTILE_REASON = `The test suite fails with the change; its output ends:\n<!channel> ${'<&'.repeat(1_500)}`.slice(0, 3_000);

/** Every section text of a message, and its fallback text. */
function parts(msg: { text: string; blocks?: unknown }): { fallback: string; sections: string[] } {
  const sections = (msg.blocks as { type: string; text?: { text: string } }[]).filter((b) => b.type === 'section').map((b) => b.text!.text);
  return { fallback: msg.text, sections };
}

test('a failure reason full of markup is escaped in the notification text and capped to fit a section', () => {
  assert.equal(HOSTILE_REASON.length, 3_000);
  const { fallback, sections } = parts(runFailedMessage(run, HOSTILE_REASON));
  for (const text of [fallback, ...sections]) {
    assert.ok(!text.includes('<!channel>'), text.slice(0, 200));
    assert.ok(!/<[^@#!h]|&(?!amp;|lt;|gt;)/.test(text.replace(/`\/agent fix ENG-1`/, '')), 'every < and & is escaped');
  }
  assert.ok(fallback.includes('&lt;!channel&gt;'), 'the notification text says what the output said, escaped');
  assert.equal(sections.length, 1);
  assert.ok(sections[0]!.length <= 3_000, `the section is ${sections[0]!.length} characters`);
  assert.match(sections[0]!, /… \(\d+ more characters\)\nClick Retry, or run `\/agent fix ENG-1`, to try again\.$/, 'the cut is said, and the hint survives it');
  assert.ok(fallback.length < 1_000, `the notification text is ${fallback.length} characters`);
});

test("the status message and the status reply escape a long reason and keep every section under Slack's limit", () => {
  const failed = { ...run, status: 'failed' as const, statusReason: HOSTILE_REASON };
  const status = parts(statusMessage(failed));
  for (const text of status.sections) assert.ok(text.length <= 3_000, `a status section is ${text.length} characters`);
  assert.ok(status.sections.some((text) => text.includes('&lt;!channel&gt;') && /more characters\)_$/.test(text)));
  assert.ok(!JSON.stringify(status).includes('<!channel>'));

  const many = Array.from({ length: 400 }, (_, i) => ({ ...failed, ticketKey: `ENG-${i + 1}`, threadUrl: `https://acme.slack.com/archives/C1/p${1_000_000 + i}` }));
  const reply = statusReply(many);
  const replyParts = parts(reply);
  assert.ok(replyParts.sections.length <= 50, `${replyParts.sections.length} blocks`);
  for (const text of replyParts.sections) assert.ok(text.length <= 3_000, `a reply section is ${text.length} characters`);
  assert.ok(!JSON.stringify(reply).includes('<!channel>'));
  assert.match(replyParts.sections.at(-1)!, /^…and \d+ more runs\.$/);
  assert.ok(replyParts.fallback.length <= 3_000);
  // One run: its reason is the list's gist, escaped.
  const one = parts(statusReply([failed]));
  assert.equal(one.sections.length, 1);
  assert.ok(one.sections[0]!.includes('&lt;!channel&gt;') && one.sections[0]!.length < 600);
});

test('a ticket title cannot ping the channel from the notification text either', () => {
  const root = threadRootMessage({ ...run, ticketTitle: 'Fix <!channel> now & @here' });
  assert.ok(!root.text.includes('<!channel>') && !/@here\b/.test(root.text), root.text);
  assert.ok(root.text.includes('&lt;!channel&gt;'), root.text);
});
