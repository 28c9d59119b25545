import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  const { teams: noTeams, repos: noRepos, ...defaults } = loadConfig({ env: { LOCAL_MODE: 'off' }, cwd: mkdtempSync(join(tmpdir(), 'baton-defaults-')) }).policy;
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

// The bot scope each Slack Web API method Baton calls needs (api.slack.com/methods/<method>).
// A method missing here fails the test below: add it with its scope, and the scope to manifest.yml.
const SCOPE_OF_METHOD: Record<string, string | null> = {
  'chat.postMessage': 'chat:write',
  'chat.update': 'chat:write',
  'chat.delete': 'chat:write',
  'chat.postEphemeral': 'chat:write',
  'chat.getPermalink': null,
  // groups:history too for private channels; the manifest grants both.
  'conversations.history': 'channels:history',
  'conversations.replies': 'channels:history',
  'files.uploadV2': 'files:write',
  'usergroups.users.list': 'usergroups:read',
  'users.info': 'users:read',
  // Modals need no scope of their own: a trigger_id from the user's click is the permission.
  'views.open': null,
  'views.publish': null,
};
// The bot events (and the scope each needs) behind a Bolt `app.event(name)` listener.
const EVENTS_OF_LISTENER: Record<string, { event: string; scope: string }[]> = {
  message: [{ event: 'message.channels', scope: 'channels:history' }, { event: 'message.groups', scope: 'groups:history' }],
  app_mention: [{ event: 'app_mention', scope: 'app_mentions:read' }],
  // The Home tab event needs no scope of its own.
  app_home_opened: [{ event: 'app_home_opened', scope: 'commands' }],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(`${root}${dir}`, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(`${dir}/${entry.name}`) : entry.name.endsWith('.ts') ? [`${dir}/${entry.name}`] : [],
  );
}

test('manifest.yml grants the scopes, events and interactivity of what the code calls and listens to', () => {
  const manifest = parse(read('manifest.yml')) as {
    settings: { interactivity: { is_enabled: boolean }; event_subscriptions: { bot_events: string[] } };
    oauth_config: { scopes: { bot: string[] } };
  };
  const scopes = new Set(manifest.oauth_config.scopes.bot);
  const events = new Set(manifest.settings.event_subscriptions.bot_events);
  const code = sourceFiles('src').map((file) => read(file)).join('\n');

  const methods = new Set([...code.matchAll(/\b(?:web|client)\.((?:chat|files|conversations|users|reactions|views|usergroups|pins|bookmarks)\.\w+(?:\.\w+)?)\(/g)].map((m) => m[1]!));
  assert.ok(methods.has('chat.postMessage') && methods.has('files.uploadV2'), 'the scan finds the Slack calls');
  for (const method of methods) {
    assert.ok(method in SCOPE_OF_METHOD, `src calls ${method}: add its scope to SCOPE_OF_METHOD and manifest.yml`);
    const scope = SCOPE_OF_METHOD[method];
    if (scope) assert.ok(scopes.has(scope), `${method} needs the ${scope} scope in manifest.yml`);
  }

  const listeners = new Set([...code.matchAll(/\bapp\.event(?:<[^>]*>)?\(\s*'([a-z_]+)'/g)].map((m) => m[1]!));
  assert.ok(listeners.has('message'), 'the scan finds the thread-reply listener');
  for (const listener of listeners) {
    const needs = EVENTS_OF_LISTENER[listener];
    assert.ok(needs, `src listens to ${listener}: add its events to EVENTS_OF_LISTENER and manifest.yml`);
    for (const { event, scope } of needs) {
      assert.ok(events.has(event), `app.event('${listener}') needs the ${event} bot event in manifest.yml`);
      assert.ok(scopes.has(scope), `the ${event} event needs the ${scope} scope in manifest.yml`);
    }
  }

  if (/\bapp\.action\b/.test(code)) assert.equal(manifest.settings.interactivity.is_enabled, true, 'buttons need interactivity');
  if (/\bapp\.command\b/.test(code)) assert.ok(scopes.has('commands'), 'slash commands need the commands scope');
});

test('the README names the two commands and the test command', () => {
  const readme = read('README.md');
  for (const command of ['npm install', 'npm start', 'npm test']) assert.ok(readme.includes(command), command);
});

test('every way of starting Baton caps V8\'s young generation the same way (npm start, bin/baton.js, the Dockerfile, the tests)', () => {
  const flag = '--max-semi-space-size=4';
  const start = (JSON.parse(read('package.json')) as { scripts: { start: string } }).scripts.start;
  assert.match(start, /^exec node --max-semi-space-size=4 --import tsx src\/cli\.ts start\b/);
  assert.equal(read('bin/baton.js').split('\n')[0], `#!/usr/bin/env -S node ${flag}`);
  assert.match(read('Dockerfile'), /^CMD \["node", "--max-semi-space-size=4", "dist\/src\/cli\.js", "start"\]$/m);
  assert.ok(read('test/support/spawn-baton.ts').includes(`'${flag}', '--import', TSX, CLI`));
});
