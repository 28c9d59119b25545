import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGitHubWebhook } from '../../../src/bot/webhooks/parse-github-webhook.ts';
import { fixture } from './load-fixture.ts';

const HEAD = '3f1c9a2b7e4d5c6a8b9f0e1d2c3b4a5968778695';
const BRANCH = 'baton/ENG-123-fix-checkout-button';

function reasonOf(result: ReturnType<typeof parseGitHubWebhook>): string {
  assert.equal(result.ok, false);
  return (result as { reason: string }).reason;
}

test('a merged PR: repo, number, head and who merged it', () => {
  assert.deepEqual(parseGitHubWebhook('pull_request', fixture('github-pull-request-closed-merged.json')), {
    ok: true,
    value: {
      kind: 'pull_request_closed',
      repo: 'acme/shop',
      number: 12,
      url: 'https://github.com/acme/shop/pull/12',
      branch: BRANCH,
      headSha: HEAD,
      merged: true,
      actor: 'grace-h',
      title: 'ENG-123: Fix checkout button doing nothing on Safari',
    },
  });
});

test('with auto-merge the sender may be an app; the actor is still merged_by', () => {
  const body = fixture('github-pull-request-closed-merged.json');
  body.sender = { login: 'github-actions[bot]', type: 'Bot' };
  const parsed = parseGitHubWebhook('pull_request', body);
  assert.ok(parsed.ok && parsed.value.kind === 'pull_request_closed');
  assert.equal(parsed.value.actor, 'grace-h');
});

test('a PR closed without merging: merged is false and the sender closed it', () => {
  const parsed = parseGitHubWebhook('pull_request', fixture('github-pull-request-closed-unmerged.json'));
  assert.ok(parsed.ok && parsed.value.kind === 'pull_request_closed');
  assert.deepEqual([parsed.value.merged, parsed.value.actor, parsed.value.number], [false, 'ada-l', 12]);
});

test('a completed check suite: app name, PR numbers, and the commit checks page', () => {
  assert.deepEqual(parseGitHubWebhook('check_suite', fixture('github-check-suite-completed.json')), {
    ok: true,
    value: {
      kind: 'checks_completed',
      scope: 'suite',
      repo: 'acme/shop',
      headSha: HEAD,
      headBranch: BRANCH,
      pullNumbers: [12],
      name: 'GitHub Actions',
      conclusion: 'failure',
      url: `https://github.com/acme/shop/commit/${HEAD}/checks`,
    },
  });
});

test('a completed check run: its own name, conclusion and page (not its unfinished suite)', () => {
  assert.deepEqual(parseGitHubWebhook('check_run', fixture('github-check-run-completed.json')), {
    ok: true,
    value: {
      kind: 'checks_completed',
      scope: 'run',
      repo: 'acme/shop',
      headSha: HEAD,
      headBranch: BRANCH,
      pullNumbers: [12],
      name: 'test (20.x)',
      conclusion: 'success',
      url: 'https://github.com/acme/shop/actions/runs/9012345678/job/24680135791',
    },
  });
});

test('a check on a fork or a deleted branch: no branch, no PRs, still an event', () => {
  const body = fixture('github-check-suite-completed.json');
  Object.assign(body.check_suite as object, { head_branch: null, pull_requests: [], conclusion: null });
  const parsed = parseGitHubWebhook('check_suite', body);
  assert.ok(parsed.ok && parsed.value.kind === 'checks_completed');
  assert.deepEqual([parsed.value.headBranch, parsed.value.pullNumbers, parsed.value.conclusion], [null, [], null]);
});

test('a conclusion GitHub added later (startup_failure, or one not invented yet) is kept, not dropped', () => {
  for (const value of ['startup_failure', 'some_future_conclusion']) {
    const body = fixture('github-check-suite-completed.json');
    Object.assign(body.check_suite as object, { conclusion: value });
    const parsed = parseGitHubWebhook('check_suite', body);
    assert.ok(parsed.ok && parsed.value.kind === 'checks_completed', JSON.stringify(parsed));
    assert.equal(parsed.value.conclusion, value);
  }
});

test('a submitted review: state, author and body', () => {
  assert.deepEqual(parseGitHubWebhook('pull_request_review', fixture('github-pull-request-review-submitted.json')), {
    ok: true,
    value: {
      kind: 'review',
      repo: 'acme/shop',
      number: 12,
      url: 'https://github.com/acme/shop/pull/12#pullrequestreview-2031234567',
      branch: BRANCH,
      author: 'grace-h',
      authorIsBot: false,
      state: 'changes_requested',
      body: 'Please also cover the case where the cart is empty.\nOtherwise looks good.',
    },
  });
});

test('an approval with no text: GitHub sends body null, the event carries an empty body', () => {
  const body = fixture('github-pull-request-review-submitted.json');
  Object.assign(body.review as object, { state: 'APPROVED', body: null });
  const parsed = parseGitHubWebhook('pull_request_review', body);
  assert.ok(parsed.ok && parsed.value.kind === 'review');
  assert.deepEqual([parsed.value.state, parsed.value.body], ['approved', '']);
  Object.assign(body.review as object, { state: 'dismissed' });
  assert.equal(reasonOf(parseGitHubWebhook('pull_request_review', body)), 'ignored: GitHub pull_request_review with state dismissed needs no action');
});

test('a comment on a PR conversation: no branch, no path', () => {
  assert.deepEqual(parseGitHubWebhook('issue_comment', fixture('github-issue-comment-created.json')), {
    ok: true,
    value: {
      kind: 'comment',
      repo: 'acme/shop',
      number: 12,
      url: 'https://github.com/acme/shop/pull/12#issuecomment-2089876543',
      author: 'ada-l',
      authorIsBot: false,
      body: 'Can we get a test for Firefox too?',
    },
  });
});

test('a review comment from a bot: branch, file and line', () => {
  assert.deepEqual(parseGitHubWebhook('pull_request_review_comment', fixture('github-pull-request-review-comment-created.json')), {
    ok: true,
    value: {
      kind: 'comment',
      repo: 'acme/shop',
      number: 12,
      url: 'https://github.com/acme/shop/pull/12#discussion_r1587654321',
      branch: BRANCH,
      author: 'sonarcloud[bot]',
      authorIsBot: true,
      body: 'Cognitive complexity of this function is 16 (limit 15).',
      path: 'src/checkout/mount.ts',
      line: 42,
    },
  });
});

test('an outdated review comment (line null) has no line', () => {
  const body = fixture('github-pull-request-review-comment-created.json');
  (body.comment as Record<string, unknown>).line = null;
  const parsed = parseGitHubWebhook('pull_request_review_comment', body);
  assert.ok(parsed.ok && parsed.value.kind === 'comment');
  assert.equal('line' in parsed.value, false);
  assert.equal(parsed.value.path, 'src/checkout/mount.ts');
});

test('pings, pushes, other actions and plain issue comments are ignored with a reason', () => {
  assert.equal(reasonOf(parseGitHubWebhook('ping', fixture('github-ping.json'))), 'ignored: GitHub ping events are not run updates');
  assert.equal(reasonOf(parseGitHubWebhook('push', { ref: 'refs/heads/main' })), 'ignored: GitHub push events are not run updates');
  const opened = { ...fixture('github-pull-request-closed-merged.json'), action: 'opened' };
  assert.equal(reasonOf(parseGitHubWebhook('pull_request', opened)), 'ignored: GitHub pull_request opened events need no action');
  const edited = { ...fixture('github-issue-comment-created.json'), action: 'edited' };
  assert.equal(reasonOf(parseGitHubWebhook('issue_comment', edited)), 'ignored: GitHub issue_comment edited events need no action');
  assert.equal(
    reasonOf(parseGitHubWebhook('issue_comment', fixture('github-issue-comment-created-on-issue.json'))),
    'ignored: GitHub issue_comment on a plain issue (not a pull request) needs no action',
  );
});

test('malformed payloads name the first bad field', () => {
  assert.equal(reasonOf(parseGitHubWebhook('', {})), 'not a GitHub webhook delivery (no X-GitHub-Event header)');
  assert.equal(reasonOf(parseGitHubWebhook('pull_request', 'nope')), 'not a GitHub pull_request payload (not a JSON object)');
  assert.equal(reasonOf(parseGitHubWebhook('check_suite', {})), 'not a GitHub check_suite payload (action: expected a string)');

  const noSha = fixture('github-pull-request-closed-merged.json');
  delete ((noSha.pull_request as { head: Record<string, unknown> }).head).sha;
  assert.match(reasonOf(parseGitHubWebhook('pull_request', noSha)), /^GitHub pull_request closed payload is not usable \(pull_request\.head\.sha: /);

  const oddConclusion = fixture('github-check-run-completed.json');
  (oddConclusion.check_run as Record<string, unknown>).conclusion = 42;
  assert.match(reasonOf(parseGitHubWebhook('check_run', oddConclusion)), /^GitHub check_run completed payload is not usable \(check_run\.conclusion: /);

  const noRepo = fixture('github-pull-request-review-comment-created.json');
  delete noRepo.repository;
  assert.match(reasonOf(parseGitHubWebhook('pull_request_review_comment', noRepo)), /^GitHub pull_request_review_comment created payload is not usable \(repository: /);
});
