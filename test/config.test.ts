import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ANTHROPIC_KEY_PLACEHOLDER, ConfigError, loadConfig } from '../src/config.ts';

const emptyDir = (): string => mkdtempSync(join(tmpdir(), 'baton-config-'));

test('defaults: no env and no baton.yml give a runnable config in local mode: the emulated Slack, the demo team and repository', () => {
  const cwd = emptyDir();
  const config = loadConfig({ env: {}, cwd });
  assert.equal(config.port, 3000);
  assert.equal(config.database.url, undefined);
  assert.deepEqual(config.local, { emulator: true, enabled: true, host: '127.0.0.1', port: 3001, url: 'http://127.0.0.1:3001' });
  assert.equal(config.slack?.apiUrl, 'http://127.0.0.1:3001/api/', 'Baton talks to the emulator');
  assert.match(config.slack!.botToken, /^xoxb-local-/);
  assert.ok(config.secrets.includes(config.slack!.signingSecret), 'the made-up secret is redacted like a real one');
  assert.deepEqual(config.slackMissing, ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET'], 'what connecting a real workspace takes');
  assert.equal(config.policy.teams.DEMO?.tracker, 'local');
  assert.equal(config.policy.repos['local/demo-calc']?.path, join(cwd, '.data', 'local', 'demo-calc'));
  assert.deepEqual(config.policy.gates.merge.approvers, ['U0LOCALAPP', 'U0LOCALREQ']);
  assert.equal(config.endpoints.github, 'https://api.github.com');
  assert.equal(config.policy.queue.poll_interval_seconds, 2);
});

test('LOCAL_MODE=off: no Slack means none, as before local mode; Slack credentials turn local mode off; on with them is an error', () => {
  const off = loadConfig({ env: { LOCAL_MODE: 'off' }, cwd: emptyDir() });
  assert.equal(off.slack, undefined);
  assert.equal(off.local.enabled, false);
  assert.deepEqual(off.policy.teams, {});
  const real = loadConfig({ env: { SLACK_BOT_TOKEN: 'xoxb-real', SLACK_SIGNING_SECRET: 'signing-secret' }, cwd: emptyDir() });
  assert.equal(real.local.emulator, false);
  assert.equal(real.local.enabled, false, 'nothing of local mode runs');
  assert.equal(real.slack?.apiUrl, 'https://slack.com/api/');
  assert.throws(() => loadConfig({ env: { LOCAL_MODE: 'on', SLACK_BOT_TOKEN: 'xoxb-real', SLACK_SIGNING_SECRET: 'signing-secret' }, cwd: emptyDir() }), /LOCAL_MODE: on, but a Slack workspace is configured/);
});

test('one error lists every invalid key, each with a hint', () => {
  const cwd = emptyDir();
  writeFileSync(join(cwd, 'baton.yml'), 'queue:\n  poll_interval_seconds: 0\n');
  const env = { PORT: 'eighty', DATABASE_URL: 'mysql://x', SLACK_BOT_TOKEN: 'xoxp-user-token', LOG_LEVEL: 'loud' };
  assert.throws(
    () => loadConfig({ env, cwd }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      const text = error.message;
      for (const key of ['PORT', 'DATABASE_URL', 'SLACK_BOT_TOKEN', 'LOG_LEVEL', 'queue.poll_interval_seconds']) {
        assert.match(text, new RegExp(key.replace('.', '\\.')), `${key} is reported`);
      }
      assert.match(text, /postgres:\/\/ URL, or leave it unset/);
      assert.match(text, /SLACK_SIGNING_SECRET: missing, but other Slack settings are set/);
      return true;
    },
  );
});

test('.env fills unset keys but never overrides the environment', () => {
  const cwd = emptyDir();
  writeFileSync(join(cwd, '.env'), 'PORT=4100\nSLACK_BOT_TOKEN=xoxb-from-dotenv\nSLACK_SIGNING_SECRET=from-dotenv-secret\n');
  const config = loadConfig({ env: { PORT: '4200' }, cwd });
  assert.equal(config.port, 4200);
  assert.equal(config.slack?.botToken, 'xoxb-from-dotenv');
  assert.ok(config.secrets.includes('from-dotenv-secret'), 'secrets are collected for redaction');
});

test('every external base URL is configurable', () => {
  const config = loadConfig({
    env: {
      SLACK_API_URL: 'http://127.0.0.1:1/api',
      LINEAR_API_URL: 'http://127.0.0.1:2/graphql',
      JIRA_HOST: 'http://127.0.0.1:3',
      GITHUB_API_URL: 'http://127.0.0.1:4',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:5',
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 'secret',
    },
    cwd: emptyDir(),
  });
  assert.equal(config.slack?.apiUrl, 'http://127.0.0.1:1/api/');
  assert.deepEqual(config.endpoints, {
    linear: 'http://127.0.0.1:2/graphql',
    jira: 'http://127.0.0.1:3',
    github: 'http://127.0.0.1:4',
    anthropic: 'http://127.0.0.1:5',
  });
});

test('malformed baton.yml is reported with its path', () => {
  const cwd = emptyDir();
  writeFileSync(join(cwd, 'baton.yml'), 'queue: [unclosed\n');
  assert.throws(() => loadConfig({ env: {}, cwd }), /baton\.yml: not valid YAML/);
});

test('baton.yml teams must name a tracker Baton has credentials for and repositories it lists', () => {
  const cwd = emptyDir();
  const problems = (yaml: string): string => {
    writeFileSync(join(cwd, 'baton.yml'), yaml);
    try {
      loadConfig({ env: {}, cwd });
    } catch (e) {
      return (e as ConfigError).problems.join('\n');
    }
    return assert.fail('expected a ConfigError');
  };
  const shape = problems([
    'teams:',
    '  OPS: { tracker: jira, channel: C2, intake: {} }',
    '  bad-prefix: { tracker: linear, channel: C3 }',
    'scheduling: { reconcile_interval_minutes: 7 }',
  ].join('\n'));
  assert.match(shape, /teams\.OPS\.intake: .*give a label, a state, or both/);
  assert.match(shape, /teams\.bad-prefix: a team key is a ticket key prefix/);
  assert.match(shape, /reconcile_interval_minutes: must divide 60/);
  const references = problems('teams:\n  ENG: { tracker: linear, channel: C1, repo: acme/web }\n');
  assert.match(references, /teams\.ENG: uses Linear, but LINEAR_API_KEY is not set/);
  assert.match(references, /teams\.ENG: repository acme\/web is not listed under repos/);
});

test('teams route to trackers with credentials; webhook secrets carry the previous one while rotating', () => {
  const cwd = emptyDir();
  writeFileSync(join(cwd, 'baton.yml'), 'teams:\n  ENG: { tracker: linear, channel: C1, intake: { label: baton } }\n');
  const config = loadConfig({
    env: { LINEAR_API_KEY: 'lin_api_abcdef', LINEAR_WEBHOOK_SECRET: 'new-secret-1', LINEAR_WEBHOOK_SECRET_PREVIOUS: 'old-secret-1' },
    cwd,
  });
  assert.deepEqual(config.trackers.linear, { apiUrl: 'https://api.linear.app/graphql', apiKey: 'lin_api_abcdef' });
  assert.equal(config.trackers.jira, undefined);
  assert.deepEqual(config.webhookSecrets.linear, ['new-secret-1', 'old-secret-1']);
  assert.ok(config.secrets.includes('old-secret-1'), 'the previous secret is redacted too');
  assert.equal(config.policy.teams.ENG?.states.in_review, 'In Review');
});

test('GitHub: a token, or a whole GitHub App (never half of one, never both)', () => {
  const cwd = emptyDir();
  assert.deepEqual(loadConfig({ env: { GITHUB_TOKEN: 'ghp_token123' }, cwd }).github.auth, { kind: 'token', token: 'ghp_token123' });
  const pem = '-----BEGIN PRIVATE KEY-----\\nMIIB\\n-----END PRIVATE KEY-----';
  const app = loadConfig({ env: { GITHUB_APP_ID: '42', GITHUB_APP_PRIVATE_KEY: pem, GITHUB_APP_INSTALLATION_ID: '7' }, cwd }).github.auth;
  assert.deepEqual(app, { kind: 'app', appId: '42', privateKey: '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----', installationId: 7 });
  assert.throws(() => loadConfig({ env: { GITHUB_APP_ID: '42' }, cwd }), /GITHUB_APP_PRIVATE_KEY: missing.*GITHUB_APP_INSTALLATION_ID: missing/s);
  assert.throws(
    () => loadConfig({ env: { GITHUB_TOKEN: 'ghp_token123', GITHUB_APP_ID: '42', GITHUB_APP_PRIVATE_KEY: pem, GITHUB_APP_INSTALLATION_ID: '7' }, cwd }),
    /GITHUB_TOKEN: set together with a GitHub App/,
  );
});

test('the model API: a key, or a gateway that holds it; neither leaves the agent off with what to set', () => {
  const cwd = emptyDir();
  const none = loadConfig({ env: {}, cwd });
  assert.equal(none.anthropic, undefined);
  assert.deepEqual(none.anthropicMissing, ['ANTHROPIC_API_KEY']);
  // The public URL written out is not a gateway: the key is still needed.
  assert.equal(loadConfig({ env: { ANTHROPIC_BASE_URL: 'https://api.anthropic.com/' }, cwd }).anthropic, undefined);
  const keyed = loadConfig({ env: { ANTHROPIC_API_KEY: 'sk-ant-test-123' }, cwd });
  assert.deepEqual(keyed.anthropic, { baseUrl: 'https://api.anthropic.com', apiKey: 'sk-ant-test-123' });
  assert.deepEqual(keyed.anthropicMissing, []);
  assert.ok(keyed.secrets.includes('sk-ant-test-123'), 'the key is redacted from logs');
  const gateway = loadConfig({ env: { ANTHROPIC_BASE_URL: 'http://127.0.0.1:8787/' }, cwd });
  assert.deepEqual(gateway.anthropic, { baseUrl: 'http://127.0.0.1:8787', apiKey: ANTHROPIC_KEY_PLACEHOLDER });
  assert.deepEqual(gateway.anthropicMissing, []);
  const both = loadConfig({ env: { ANTHROPIC_BASE_URL: 'https://llm.acme.internal', ANTHROPIC_API_KEY: 'sk-ant-test-456' }, cwd });
  assert.deepEqual(both.anthropic, { baseUrl: 'https://llm.acme.internal', apiKey: 'sk-ant-test-456' });
  assert.throws(() => loadConfig({ env: { ANTHROPIC_BASE_URL: 'ftp://x' }, cwd }), /ANTHROPIC_BASE_URL: .*Messages API base URL/);
});

test('agent, sandbox and outcome gates: defaults, and every model in agent.models needs a price', () => {
  const cwd = emptyDir();
  const { agent, sandbox, outcome_gates: gates } = loadConfig({ env: {}, cwd }).policy;
  assert.deepEqual(agent.models, ['claude-sonnet-5-5', 'claude-opus-5-5']);
  for (const model of agent.models) assert.ok(agent.prices.models[model], `a default price for ${model}`);
  assert.equal(agent.limits.dollars, 5);
  assert.equal(sandbox.when_unavailable, 'refuse', 'no sandbox: refuse, unless baton.yml accepts the risk');
  assert.ok(gates.sensitive_paths.includes('.github/workflows/**'));
  writeFileSync(join(cwd, 'baton.yml'), [
    'agent:',
    '  models: [claude-sonnet-5-5, my-finetune]',
    '  prices:',
    '    read_on: 2026-11-01',
    '    models:',
    '      claude-sonnet-5-5: { input: 3, output: 15, cache_write_5m: 3.75, cache_write_1h: 6, cache_read: 0.3 }',
  ].join('\n'));
  assert.throws(() => loadConfig({ env: {}, cwd }), /agent\.prices\.models: no price for my-finetune/);
  writeFileSync(join(cwd, 'baton.yml'), 'agent:\n  limits: { ask_at_fraction: 0 }\nsandbox:\n  when_unavailable: sometimes\n');
  assert.throws(() => loadConfig({ env: {}, cwd }), /agent\.limits\.ask_at_fraction[\s\S]*sandbox\.when_unavailable/);
});

test('BATON_CONFIG naming a file that does not exist is an error with its path; only the default baton.yml may be absent', () => {
  const cwd = emptyDir();
  assert.deepEqual(loadConfig({ env: { LOCAL_MODE: 'off' }, cwd }).policy.teams, {}, 'no baton.yml: the defaults');
  assert.deepEqual(loadConfig({ env: { LOCAL_MODE: 'off', BATON_CONFIG: 'baton.yml' }, cwd }).policy.teams, {}, 'the default spelled out, as .env.example does');
  for (const named of ['policy/baton.prod.yml', join(cwd, 'missing.yml'), 'other/../baton.prod.yml']) {
    assert.throws(
      () => loadConfig({ env: { BATON_CONFIG: named }, cwd }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.code, 'config_invalid');
        assert.ok(error.message.includes(`BATON_CONFIG: ${resolve(cwd, named)} does not exist`), error.message);
        return true;
      },
      `BATON_CONFIG=${named}`,
    );
  }
  mkdirSync(join(cwd, 'policy'));
  writeFileSync(join(cwd, 'policy', 'baton.prod.yml'), 'queue:\n  poll_interval_seconds: 7\n');
  const config = loadConfig({ env: { BATON_CONFIG: 'policy/baton.prod.yml' }, cwd });
  assert.equal(config.policy.queue.poll_interval_seconds, 7);
  assert.equal(config.policyFile, join(cwd, 'policy', 'baton.prod.yml'));
});
