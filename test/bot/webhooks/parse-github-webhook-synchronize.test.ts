import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseGitHubWebhook } from '../../../src/bot/webhooks/parse-github-webhook.ts';
import { verifyGitHubSignature } from '../../../src/bot/webhooks/verify-github-signature.ts';
import { FakeGitHub } from '../../fakes/fake-github.ts';
import { githubPullPushedDelivery } from '../../support/webhook-deliveries.ts';

/*
 * `pull_request` `synchronize`: GitHub's delivery when commits land on a PR's head branch. The
 * recorded payload lives in test/support/fixtures, outside this folder's fixtures, which the
 * parser fuzz test walks with a table of known events.
 */

const payload = (): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL('../../support/fixtures/github-pull-request-synchronize.json', import.meta.url), 'utf8')) as Record<string, unknown>;

const BEFORE = '3f1c9a2b7e4d5c6a8b9f0e1d2c3b4a5968778695';
const AFTER = 'b7e2d94c1a3f5068e9d2c4b1a7f3e5d8c6b4a290';

function reasonOf(result: ReturnType<typeof parseGitHubWebhook>): string {
  assert.equal(result.ok, false);
  return (result as { reason: string }).reason;
}

test('a push to a PR: the new head, the head before, and who pushed', () => {
  assert.deepEqual(parseGitHubWebhook('pull_request', payload()), {
    ok: true,
    value: {
      kind: 'pull_request_pushed',
      repo: 'acme/shop',
      number: 12,
      url: 'https://github.com/acme/shop/pull/12',
      branch: 'baton/ENG-123-fix-checkout-button',
      headSha: AFTER,
      beforeSha: BEFORE,
      actor: 'grace-h',
      actorIsBot: false,
    },
  });
});

test("a push by an app (Baton's own, or another bot) is marked as a bot's", () => {
  const body = payload();
  body.sender = { login: 'baton-app[bot]', type: 'Bot' };
  const parsed = parseGitHubWebhook('pull_request', body);
  assert.ok(parsed.ok && parsed.value.kind === 'pull_request_pushed', JSON.stringify(parsed));
  assert.deepEqual([parsed.value.actor, parsed.value.actorIsBot], ['baton-app[bot]', true]);
});

test('a synchronize without `before` or a head SHA is not usable; other pull_request actions still are ignored', () => {
  const noBefore = payload();
  delete noBefore.before;
  assert.match(reasonOf(parseGitHubWebhook('pull_request', noBefore)), /^GitHub pull_request synchronize payload is not usable \(before: /);
  const noHead = payload();
  delete ((noHead.pull_request as { head: Record<string, unknown> }).head).sha;
  assert.match(reasonOf(parseGitHubWebhook('pull_request', noHead)), /^GitHub pull_request synchronize payload is not usable \(pull_request\.head\.sha: /);
  assert.equal(reasonOf(parseGitHubWebhook('pull_request', { ...payload(), action: 'edited' })), 'ignored: GitHub pull_request edited events need no action');
});

const github = new FakeGitHub();
before(() => github.start());
after(() => github.stop());

test('githubPullPushedDelivery: a push on the fake GitHub, as a signed delivery that parses to that push', () => {
  github.seedRepo({ owner: 'octo', name: 'store' });
  const number = github.seedPull('octo', 'store', { head: 'baton/OPS-7-retry' });
  const { before: was, after: now } = github.pushToPull('octo', 'store', number);
  const delivery = githubPullPushedDelivery(
    { repo: 'octo/store', number, branch: 'baton/OPS-7-retry', before: was, after: now, pusher: 'linus-t' },
    { secret: 'gh_wh_secret', deliveryId: 'd-1' },
  );
  assert.equal(delivery.path, '/webhooks/github');
  assert.equal(delivery.headers['x-github-event'], 'pull_request');
  assert.equal(delivery.headers['x-github-delivery'], 'd-1');
  const signature = delivery.headers['x-hub-signature-256'];
  assert.deepEqual(verifyGitHubSignature({ rawBody: delivery.body, signature, secrets: ['gh_wh_secret'] }), { ok: true });
  assert.equal(verifyGitHubSignature({ rawBody: delivery.body, signature, secrets: ['another'] }).ok, false);

  assert.deepEqual(parseGitHubWebhook('pull_request', JSON.parse(delivery.body.toString('utf8'))), {
    ok: true,
    value: {
      kind: 'pull_request_pushed', repo: 'octo/store', number, url: `https://github.com/octo/store/pull/${number}`,
      branch: 'baton/OPS-7-retry', headSha: now, beforeSha: was, actor: 'linus-t', actorIsBot: false,
    },
  });
  const unsigned = githubPullPushedDelivery({ repo: 'octo/store', number, branch: 'baton/OPS-7-retry', before: was, after: now }, { secret: null });
  assert.equal(unsigned.headers['x-hub-signature-256'], undefined);
});
