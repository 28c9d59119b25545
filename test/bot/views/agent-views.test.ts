import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Blocks, SlackMessage } from '../../../src/integrations/slack.ts';
import type { Run, RunOutcome } from '../../../src/domain/run.ts';
import { ACTIONS, parseRunButtonValue } from '../../../src/bot/views/action-ids.ts';
import { runFailedMessage } from '../../../src/bot/views/run-failed-message.ts';
import { agentNotConfiguredNotice, sandboxUnavailableReason } from '../../../src/bot/views/agent-not-configured.ts';
import { clarificationMessage } from '../../../src/bot/views/clarification-message.ts';
import { costCapMessage, costCapNotAllowedReply, costCapResolvedMessage } from '../../../src/bot/views/cost-cap-message.ts';
import { diffFileName } from '../../../src/bot/views/diff-file-name.ts';
import { MESSAGE_LIMITS } from '../../../src/bot/views/message-limits.ts';
import { statusMessage } from '../../../src/bot/views/run-messages.ts';

const run: Run = {
  id: '6f1c2a7e-0000-4000-8000-000000000001', ticketKey: 'ENG-1', source: 'slack', status: 'running', statusReason: null,
  requestedBy: 'U0REQUESTER', channelId: 'C1', responseUrl: null, threadTs: '1.1', statusTs: '1.2', threadUrl: null, priority: 0,
  ticketTitle: 'Total is off by one', ticketUrl: 'https://linear.app/acme/issue/ENG-1', repo: 'acme/shop', branch: 'baton/ENG-1-total', prNumber: null,
  prUrl: null, headSha: null, costUsd: 0, costCapUsd: null, costCapRaisedBy: null, progress: [], question: null, clarificationAnswer: null,
  unsandboxed: false, waitingForAgent: false, outcome: null, createdAt: new Date(0), updatedAt: new Date(0),
};

// What an attacker would put in a ticket, a model's summary or a diff to ping or phish a channel.
const HOSTILE = 'Hi <!channel> @here see <https://evil.example|the fix> & <@U0BOSS> ``` done';

/** Every mrkdwn and plain text a message carries, with where it sits. */
function texts(msg: SlackMessage): { kind: string; text: string }[] {
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

function assertWithinLimits(msg: SlackMessage): void {
  const blocks = msg.blocks as Blocks;
  assert.ok(blocks.length <= MESSAGE_LIMITS.blocks, `${blocks.length} blocks`);
  for (const block of blocks) {
    if (block.type === 'section') {
      const text = (block as { text: { text: string } }).text.text;
      assert.ok(text.length <= MESSAGE_LIMITS.sectionChars, `a section of ${text.length} characters`);
    }
  }
  const total = texts(msg).reduce((n, t) => n + t.text.length, 0);
  assert.ok(total < MESSAGE_LIMITS.totalChars, `${total} characters in all`);
}

function assertInert(msg: SlackMessage): void {
  for (const { text } of texts(msg)) {
    assert.ok(!text.includes('<!channel>'), text);
    assert.ok(!/<https:\/\/evil/.test(text), text);
    assert.ok(!/@here\b/.test(text), text);
    assert.ok(!text.includes('<@U0BOSS>'), text);
  }
}

const outcome = (change: Partial<RunOutcome> = {}): RunOutcome => ({
  summary: 'Fixed the off-by-one in total().',
  headSha: 'abcdef0123456789abcdef0123456789abcdef01',
  diffStats: { files: 2, added: 12, removed: 1 },
  evidence: {
    testFiles: ['test/total.test.js'],
    sandboxed: true,
    runs: [
      { label: 'base_with_new_tests', command: 'npm test', exitCode: 1, timedOut: false, durationMs: 912 },
      { label: 'change', command: 'npm test', exitCode: 0, timedOut: false, durationMs: 15_400 },
    ],
  },
  ...change,
});

test('status message: the six steps, done / current / pending, from the run, with the status and its reason', () => {
  const msg = statusMessage({ ...run, progress: ['ticket_read', 'workspace_ready'], statusReason: 'Reading src/ <!channel>' });
  const body = JSON.stringify(msg.blocks);
  assert.match(body, /:white_check_mark: Ticket read\\n:white_check_mark: Workspace ready\\n:hourglass_flowing_sand: Reproduction found\\n:white_square: Fix written\\n:white_square: Tests green\\n:white_square: PR open/);
  assert.match(body, /\*Status:\* working\\n_Reading src\/ &lt;!channel&gt;_/);
  assert.ok(!body.includes('WITHOUT a sandbox'));
  const parked = JSON.stringify(statusMessage({ ...run, status: 'needs_clarification', progress: ['ticket_read', 'workspace_ready'] }).blocks);
  assert.match(parked, /:question: Reproduction found/);
  const withPr = JSON.stringify(statusMessage({ ...run, status: 'awaiting_approval', prNumber: 4, progress: [] }).blocks);
  assert.equal(withPr.match(/:white_check_mark:/g)?.length, 6, 'a run with a PR has done every step');
});

test('status message: tests run without a sandbox are said loudly, and the spend shows against the cap', () => {
  const body = JSON.stringify(statusMessage({ ...run, unsandboxed: true, costUsd: 1.234, costCapUsd: 5 }).blocks);
  assert.match(body, /:warning: \*Tests ran WITHOUT a sandbox on this host\* \(sandbox.when_unavailable: run_unsandboxed\)/);
  // What it means, plainly: the repository's code ran as Baton's user and could read its secrets.
  assert.match(body, /ran as Baton's own user/);
  assert.match(body, /could read Baton's secrets \(its environment, through \/proc\)/);
  assert.match(body, /only for repositories you trust/);
  assert.match(body, /Model cost so far: \$1\.23 of \$5\.00/);
});

test('diffFileName: the ticket key made safe for a file name, and the proven head when there is one', () => {
  assert.equal(diffFileName({ ...run, ticketKey: 'ENG-1/../x', outcome: outcome() }), 'ENG-1____x-abcdef0.diff');
  assert.equal(diffFileName(run), 'ENG-1.diff');
});

test('cost cap: spent of budget, Continue and Stop carry only the run id, and the resolved version has no buttons', () => {
  const msg = costCapMessage(run, { spentUsd: 4.02, capUsd: 5, raiseToUsd: 10 });
  const body = JSON.stringify(msg.blocks);
  assert.match(body, /This run has spent \$4\.02 of its \$5\.00 budget/);
  const buttons = (msg.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]).flatMap((b) => (b.type === 'actions' ? b.elements! : []));
  assert.deepEqual(buttons.map((b) => b.action_id), [ACTIONS.costContinue, ACTIONS.costStop]);
  for (const b of buttons) {
    assert.deepEqual(JSON.parse(b.value), { runId: run.id });
    assert.deepEqual(parseRunButtonValue(b.value), { ok: true, value: { runId: run.id } });
  }
  assert.match(body, /Continue \(cap \$10\.00\)/);
  assert.match(body, /Only <@U0REQUESTER> \(who asked for this run\) or an approver can decide/);
  const continued = JSON.stringify(costCapResolvedMessage(run, 4.02, { kind: 'continued', by: 'U0APPROVER', capUsd: 10 }).blocks);
  assert.match(continued, /Continued by <@U0APPROVER> — new cap \$10\.00/);
  assert.ok(!continued.includes('"actions"'));
  assert.match(JSON.stringify(costCapResolvedMessage(run, 4.02, { kind: 'stopped', by: '<!channel>' }).blocks), /Stopped by &lt;!channel&gt;/);
  assert.match(costCapNotAllowedReply(run).text, /Only <@U0REQUESTER>/);
});

test('button values: anything but {"runId": <uuid>} is refused', () => {
  for (const value of [undefined, 'x', '{}', '{"runId":"1; DROP"}', 'null', '{"runId":5}']) {
    assert.equal(parseRunButtonValue(value).ok, false, String(value));
  }
});

test('clarification: the question is quoted and inert, says how to answer, and a long one is cut within limits', () => {
  const msg = clarificationMessage(run, `${HOSTILE}\nSecond line?`);
  assertInert(msg);
  const body = texts(msg).map((t) => t.text).join('\n');
  assert.match(body, /> Hi &lt;!channel&gt; @\u200Bhere see &lt;https:\/\/evil\.example\|the fix&gt;/);
  assert.match(body, /> Second line\?/);
  assert.match(body, /Reply in this thread, or update the ticket/);
  assert.match(body, /<@U0REQUESTER>, the agent/);
  for (const question of ['&'.repeat(20_000), `${'line\n'.repeat(3_000)}end?`, 'x'.repeat(20_000)]) {
    const long = clarificationMessage(run, question);
    assertWithinLimits(long);
    assert.match(JSON.stringify(long.blocks), /cut here: the whole question is on the ticket/);
  }
});

test('agent not configured, and the sandbox refusal: what is missing and how to set it', () => {
  assert.match(agentNotConfiguredNotice(['ANTHROPIC_API_KEY']), /ANTHROPIC_API_KEY is not set[\s\S]*ANTHROPIC_BASE_URL/);
  // A refused run's reason reaches the thread through the failure notice, which escapes it.
  const refused = runFailedMessage(run, sandboxUnavailableReason('bwrap: No permissions to create new namespace <!channel>'));
  assertInert(refused);
  assert.match(JSON.stringify(refused.blocks), /when_unavailable: run_unsandboxed/);
  assert.match(sandboxUnavailableReason('bwrap: <x>'), /^the sandbox \(bubblewrap\) does not work on this host: bwrap: <x>\. /, 'plain text, escaped only where shown');
});
