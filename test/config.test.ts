import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../src/config.ts';

const emptyDir = (): string => mkdtempSync(join(tmpdir(), 'baton-config-'));

test('defaults: no env and no baton.yml give a runnable config without Slack', () => {
  const config = loadConfig({ env: {}, cwd: emptyDir() });
  assert.equal(config.port, 3000);
  assert.equal(config.database.url, undefined);
  assert.equal(config.slack, undefined);
  assert.deepEqual(config.slackMissing, ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET']);
  assert.equal(config.endpoints.github, 'https://api.github.com');
  assert.equal(config.policy.queue.poll_interval_seconds, 2);
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
