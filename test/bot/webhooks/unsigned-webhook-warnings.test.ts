import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config.ts';
import { unsignedWebhookWarnings } from '../../../src/bot/webhooks/unsigned-webhook-warnings.ts';

type Secrets = { linear: string[]; jira: string[]; github: string[] };
const ALL: Secrets = { linear: ['lin_wh_1'], jira: ['jira_wh_1'], github: ['gh_wh_1'] };

const warnings = (secrets: Partial<Secrets>, allowUnsigned: string[] = []): string[] =>
  unsignedWebhookWarnings({ webhookSecrets: { ...ALL, ...secrets }, policy: { webhooks: { allow_unsigned: allowUnsigned } } });

test('every secret set, no opt-out: no warning', () => {
  assert.deepEqual(warnings({}), []);
});

test('a rotation that left only the previous secret still counts as signed', () => {
  assert.deepEqual(warnings({ jira: ['', 'jira_wh_previous'] }), []);
});

test('no secret at all: one line per source, each saying it refuses every delivery and what to set', () => {
  const lines = warnings({ linear: [], jira: [], github: [] });
  assert.equal(lines.length, 3);
  const [linear, jira, github] = lines;
  assert.match(linear!, /^\/webhooks\/linear refuses every delivery: LINEAR_WEBHOOK_SECRET is not set\. Set it to the signing secret/);
  assert.match(jira!, /^\/webhooks\/jira refuses every delivery: JIRA_WEBHOOK_SECRET is not set\./);
  assert.match(jira!, /list jira under webhooks\.allow_unsigned in baton\.yml to accept unsigned deliveries/);
  assert.match(github!, /^\/webhooks\/github refuses every delivery: GITHUB_WEBHOOK_SECRET is not set\./);
});

test('Jira with no secret and webhooks.allow_unsigned: [jira]: it says Jira accepts anonymous deliveries', () => {
  const lines = warnings({ jira: [] }, ['jira']);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^\/webhooks\/jira accepts unsigned deliveries .* anyone who can reach the URL can start runs/);
  assert.doesNotMatch(lines[0]!, /refuses/);
});

test('an opt-out beside a configured Jira secret does nothing, and says so', () => {
  assert.deepEqual(warnings({}, ['jira']), [
    'webhooks.allow_unsigned lists jira, but JIRA_WEBHOOK_SECRET is set, so Jira deliveries must still be signed; remove jira from the list.',
  ]);
});

/** Config as loadConfig reads it from this environment and, when given, this baton.yml. */
function configFrom(env: Record<string, string>, batonYml?: string): ReturnType<typeof loadConfig> {
  const cwd = mkdtempSync(join(tmpdir(), 'baton-unsigned-'));
  if (batonYml !== undefined) writeFileSync(join(cwd, 'baton.yml'), batonYml);
  return loadConfig({ env, cwd });
}

test('from a real config: refusing is the default, and the environment and baton.yml reach the warnings', () => {
  const config = configFrom({ LINEAR_WEBHOOK_SECRET: 'lin_wh_current' });
  assert.deepEqual(config.policy.webhooks.allow_unsigned, []);
  assert.deepEqual(unsignedWebhookWarnings(config).map((line) => line.split(' ')[0]), ['/webhooks/jira', '/webhooks/github']);
  const optedOut = configFrom({ LINEAR_WEBHOOK_SECRET: 'lin_wh_current', GITHUB_WEBHOOK_SECRET: 'gh_wh_current' }, 'webhooks:\n  allow_unsigned: [jira]\n');
  assert.deepEqual(optedOut.policy.webhooks.allow_unsigned, ['jira']);
  assert.deepEqual(unsignedWebhookWarnings(optedOut).map((line) => line.split(' ').slice(0, 2).join(' ')), ['/webhooks/jira accepts']);
});

test('baton.yml cannot let Linear or GitHub deliveries in unsigned, and says why', () => {
  assert.throws(() => configFrom({}, 'webhooks:\n  allow_unsigned: [linear]\n'), (error: Error) => {
    assert.match(error.message, /webhooks\.allow_unsigned.*only jira can be accepted unsigned/s);
    return true;
  });
});
