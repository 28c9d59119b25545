import { test } from 'node:test';
import assert from 'node:assert/strict';
import { threadRootMessage } from '../../../src/bot/views/run-messages.ts';
import { runFailedMessage } from '../../../src/bot/views/run-failed-message.ts';
import type { Run } from '../../../src/domain/run.ts';

const run: Run = {
  id: '00000000-0000-4000-8000-000000000001', ticketKey: 'ENG-1', source: 'linear', status: 'queued', statusReason: null,
  requestedBy: 'Linear poll', channelId: 'C1', responseUrl: null, threadTs: null, statusTs: null, threadUrl: null, priority: 0,
  ticketTitle: null, ticketUrl: null, repo: null, branch: null, prNumber: null, prUrl: null, headSha: null,
  costUsd: 0, costCapUsd: null, costCapRaisedBy: null, progress: [], question: null, clarificationAnswer: null, unsandboxed: false, outcome: null,
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
  assert.ok(failed.text.includes('weakened. Run `/agent fix ENG-1`'), failed.text);
  assert.ok(!failed.text.includes('..'), failed.text);
  assert.ok(runFailedMessage(run, 'the tracker said no').text.includes('the tracker said no. Run'));
  // A name Object.prototype has is not a hint.
  assert.ok(runFailedMessage(run, 'x', 'constructor').text.includes('Run `/agent fix ENG-1` to try again.'));
  assert.ok(runFailedMessage(run, 'x', 'not_in_channel').text.includes('/invite @Baton'));
});
