import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ENV_KEYS, loadConfig } from '../src/config.ts';

const root = new URL('..', import.meta.url).pathname;
const read = (file: string): string => readFileSync(`${root}${file}`, 'utf8');

test('.env.example documents exactly the keys Baton reads', () => {
  const documented = [...read('.env.example').matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]);
  assert.deepEqual([...documented].sort(), [...ENV_KEYS].sort());
});

test('baton.example.yml is valid, states the defaults, and shows teams and repos', () => {
  const credentials = { LINEAR_API_KEY: 'lin_api_x', JIRA_HOST: 'https://acme.atlassian.net', JIRA_EMAIL: 'a@acme.test', JIRA_API_TOKEN: 'jira_x' };
  const { teams, repos, ...policy } = loadConfig({ env: { ...credentials, BATON_CONFIG: `${root}baton.example.yml` }, cwd: root }).policy;
  const { teams: noTeams, repos: noRepos, ...defaults } = loadConfig({ env: { BATON_CONFIG: '/nonexistent.yml' }, cwd: root }).policy;
  assert.deepEqual(policy, defaults);
  assert.deepEqual([noTeams, noRepos], [{}, {}]);
  assert.ok(Object.keys(teams).length > 0 && Object.keys(repos).length > 0);
});

test('manifest.yml declares /agent, interactivity and the events Baton handles, all on /slack/events', () => {
  const manifest = parse(read('manifest.yml')) as {
    features: { slash_commands: { command: string; url: string }[] };
    settings: { interactivity: { is_enabled: boolean; request_url: string }; event_subscriptions: { request_url: string; bot_events: string[] } };
    oauth_config: { scopes: { bot: string[] } };
  };
  assert.deepEqual(manifest.features.slash_commands.map((c) => c.command), ['/agent']);
  assert.equal(manifest.settings.interactivity.is_enabled, true);
  assert.deepEqual([...manifest.settings.event_subscriptions.bot_events].sort(), ['app_home_opened', 'app_mention', 'message.channels', 'message.groups']);
  for (const url of [manifest.features.slash_commands[0]!.url, manifest.settings.interactivity.request_url, manifest.settings.event_subscriptions.request_url]) {
    assert.match(url, /\/slack\/events$/);
  }
  assert.ok(manifest.oauth_config.scopes.bot.includes('commands') && manifest.oauth_config.scopes.bot.includes('chat:write'));
});

test('the README names the two commands and the test command', () => {
  const readme = read('README.md');
  for (const command of ['npm install', 'npm start', 'npm test']) assert.ok(readme.includes(command), command);
});
