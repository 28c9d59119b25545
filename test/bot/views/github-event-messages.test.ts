import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SlackMessage } from '../../../src/integrations/slack.ts';
import type { ChecksCompletedEvent, CommentEvent, PullRequestClosedEvent, ReviewEvent } from '../../../src/domain/github-event.ts';
import {
  checksCompletedMessage,
  commentRelayMessage,
  pullRequestClosedMessage,
  reviewRelayMessage,
} from '../../../src/bot/views/github-event-messages.ts';

/** Every mrkdwn string Slack would render for the message: the fallback text and each section. */
function rendered(msg: SlackMessage): string[] {
  const sections = (msg.blocks ?? []).map((b) => (b as { text?: { text: string } }).text?.text ?? '');
  return [msg.text, ...sections];
}

const closed: PullRequestClosedEvent = {
  kind: 'pull_request_closed',
  repo: 'acme/shop',
  number: 12,
  url: 'https://github.com/acme/shop/pull/12',
  branch: 'baton/ENG-123-fix-checkout-button',
  headSha: '3f1c9a2b7e4d5c6a8b9f0e1d2c3b4a5968778695',
  merged: true,
  actor: 'grace-h',
  title: 'ENG-123: Fix checkout <!here>',
};

const review: ReviewEvent = {
  kind: 'review',
  repo: 'acme/shop',
  number: 12,
  url: 'https://github.com/acme/shop/pull/12#pullrequestreview-1',
  branch: 'baton/ENG-123-fix-checkout-button',
  author: 'grace-h',
  authorIsBot: false,
  state: 'changes_requested',
  body: 'Please cover the empty cart.',
};

const comment: CommentEvent = {
  kind: 'comment',
  repo: 'acme/shop',
  number: 12,
  url: 'https://github.com/acme/shop/pull/12#issuecomment-1',
  author: 'ada-l',
  authorIsBot: false,
  body: 'Can we get a test for Firefox too?',
};

test('a PR merged on GitHub: the run is done, title escaped', () => {
  const msg = pullRequestClosedMessage(closed, 'ENG-123');
  assert.equal(msg.text, 'PR #12 was merged on GitHub by @grace-h — this run is done.');
  const [, block] = rendered(msg);
  assert.match(block!, /^:twisted_rightwards_arrows: <https:\/\/github\.com\/acme\/shop\/pull\/12\|PR #12> was merged on GitHub by @grace-h — this run is done\./);
  assert.ok(block!.includes('Fix checkout &lt;!here&gt;'));
  assert.ok(!rendered(msg).some((t) => t.includes('<!here>')));
});

test('a PR closed without merging: the run is cancelled, with the command to start again', () => {
  const msg = pullRequestClosedMessage({ ...closed, merged: false, actor: 'ada-l' }, 'ENG-123');
  assert.equal(msg.text, 'PR #12 was closed on GitHub by @ada-l without merging — the run is cancelled. Run `/agent fix ENG-123` to start again.');
  assert.match(rendered(msg)[1]!, /^:no_entry_sign: <https:\/\/github\.com\/acme\/shop\/pull\/12\|PR #12> was closed on GitHub by @ada-l without merging/);
});

test('CI results: conclusion in words, short SHA, link to the check', () => {
  const checks: ChecksCompletedEvent = {
    kind: 'checks_completed',
    scope: 'run',
    repo: 'acme/shop',
    headSha: '3f1c9a2b7e4d5c6a8b9f0e1d2c3b4a5968778695',
    headBranch: 'baton/ENG-123-fix-checkout-button',
    pullNumbers: [12],
    name: 'test (20.x)',
    conclusion: 'success',
    url: 'https://github.com/acme/shop/actions/runs/9/job/24',
  };
  const passed = checksCompletedMessage(checks);
  assert.equal(passed.text, 'CI: test (20.x) passed on 3f1c9a2');
  assert.equal(rendered(passed)[1], ':white_check_mark: CI: <https://github.com/acme/shop/actions/runs/9/job/24|test (20.x)> passed on `3f1c9a2`');
  assert.equal(checksCompletedMessage({ ...checks, conclusion: 'failure' }).text, 'CI: test (20.x) failed on 3f1c9a2');
  assert.equal(checksCompletedMessage({ ...checks, conclusion: null }).text, 'CI: test (20.x) finished without a conclusion on 3f1c9a2');
  assert.equal(checksCompletedMessage({ ...checks, conclusion: 'startup_failure' }).text, 'CI: test (20.x) failed to start on 3f1c9a2');
  // One GitHub has not invented yet is shown in GitHub's words, escaped like any text from outside.
  assert.equal(checksCompletedMessage({ ...checks, conclusion: 'new_<b>' }).text, 'CI: test (20.x) finished (new_&lt;b&gt;) on 3f1c9a2');
});

test('a check name or details_url chosen by a third-party app cannot inject markup', () => {
  const msg = checksCompletedMessage({
    kind: 'checks_completed',
    scope: 'run',
    repo: 'acme/shop',
    headSha: 'abcdef0123',
    headBranch: null,
    pullNumbers: [],
    name: 'lint <!channel>',
    conclusion: 'failure',
    url: 'https://ci.example|pwned><!channel',
  });
  const all = rendered(msg).join('\n');
  assert.ok(!all.includes('<!channel'), all);
  assert.ok(all.includes('lint &lt;!channel&gt;'));
  assert.ok(!all.includes('https://ci.example'), 'a URL with | or > is not linked');
});

test('a review is relayed with who, what, and the body quoted', () => {
  const msg = reviewRelayMessage({ ...review, body: 'Please cover the empty cart.\nOtherwise fine.' });
  assert.equal(msg.text, '@grace-h requested changes on PR #12:');
  const [, headline, quote] = rendered(msg);
  assert.equal(headline, ':warning: @grace-h requested changes on <https://github.com/acme/shop/pull/12#pullrequestreview-1|PR #12>:');
  assert.equal(quote, '> Please cover the empty cart.\n> Otherwise fine.');
  assert.equal(reviewRelayMessage({ ...review, state: 'approved', body: '' }).text, '@grace-h approved PR #12.');
  assert.equal(reviewRelayMessage({ ...review, state: 'approved', body: '' }).blocks?.length, 1, 'no empty quote');
  assert.equal(reviewRelayMessage({ ...review, state: 'commented' }).text, '@grace-h commented on PR #12:');
});

test('injected mentions and links in a body come out escaped, on every line', () => {
  const body = 'hi <!channel>\n<http://evil.example|click me> & @here\n> fake quote end';
  const msg = commentRelayMessage({ ...comment, body });
  const quote = rendered(msg)[2]!;
  assert.equal(
    quote,
    '> hi &lt;!channel&gt;\n> &lt;http://evil.example|click me&gt; &amp; @\u200Bhere\n> &gt; fake quote end',
  );
  assert.ok(!rendered(msg).some((t) => t.includes('<!channel>') || t.includes('<http://evil')));
});

test('a long body is truncated with an ellipsis, and stays under Slack\'s 3000-character section limit', () => {
  const long = reviewRelayMessage({ ...review, body: 'x'.repeat(5000) });
  const quote = rendered(long)[2]!;
  assert.equal(quote, `> ${'x'.repeat(1500)}…`);
  const angry = commentRelayMessage({ ...comment, body: '<'.repeat(1500) });
  const escaped = rendered(angry)[2]!;
  assert.ok(escaped.length <= 3000, `section is ${escaped.length} characters`);
  assert.match(escaped, /(&lt;)+…$/, 'cut between entities, never inside one');
  const lines = commentRelayMessage({ ...comment, body: '\n'.repeat(1400) + 'end' });
  assert.ok(rendered(lines)[2]!.length <= 3000);
});

test('review comments say which file and line', () => {
  const msg = commentRelayMessage({ ...comment, author: 'sonarcloud[bot]', authorIsBot: true, path: 'src/checkout/mount.ts', line: 42, url: 'https://github.com/acme/shop/pull/12#discussion_r1' });
  assert.equal(msg.text, '@sonarcloud[bot] commented on `src/checkout/mount.ts:42` in PR #12:');
  assert.equal(commentRelayMessage(comment).text, '@ada-l commented on PR #12:');
});
