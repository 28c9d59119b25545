import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeSlack } from '../fakes/fake-slack.ts';
import { connectionRefused, freePort } from '../support/local-mode.ts';
import { startTestBaton, type TestBaton } from '../support/start-test-baton.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

/*
 * With Slack credentials set and LOCAL_MODE left to decide (auto), Baton is a real deployment:
 * nothing of local mode starts. The local port stays closed, and Baton's own port does not serve
 * the emulator's Slack API or page either: local mode is no second way into a real workspace.
 */

let db: TestDatabase;
let slack: FakeSlack;
let app: TestBaton;
let localPort: number;
before(async () => {
  db = await createTestDatabase();
  slack = new FakeSlack();
  await slack.start();
  localPort = await freePort();
  app = await startTestBaton({ db, slack, env: { LOCAL_MODE: 'auto', LOCAL_PORT: String(localPort) } });
});
after(async () => {
  await app?.stop();
  await slack?.stop();
  await db?.drop();
});

test('Slack credentials set: local mode is off and nothing of the emulator is started or reachable', async () => {
  assert.equal(app.config.local.emulator, false);
  assert.equal(app.config.local.enabled, false);
  assert.equal(app.baton.localUrl, undefined);
  assert.equal(app.config.slack?.apiUrl, slack.apiUrl, 'Baton talks to the Slack it was given');
  assert.ok(slack.apiCalls('auth.test').length > 0, 'and has already called it');
  assert.equal(await connectionRefused(localPort), true, `LOCAL_PORT ${localPort} refuses connections`);
  assert.ok(!app.logs.some((line) => line.includes('Local mode: open')), 'no line tells anyone to open a local page');

  // Baton's own port: its health and Slack endpoints, and none of the emulator's.
  assert.equal((await fetch(`${app.url}/healthz`)).status, 200);
  for (const [method, path] of [
    ['POST', '/api/auth.test'], ['GET', '/api/auth.test'], ['POST', '/api/chat.postMessage'], ['GET', '/_/slack/state?user=U0LOCALREQ'],
    ['POST', '/_/slack/command'], ['GET', '/_/tickets'], ['GET', '/_/pulls'], ['GET', '/tickets/DEMO-1'],
  ] as const) {
    const response = await fetch(`${app.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${app.config.slack!.botToken}`, 'content-type': 'application/json' },
      ...(method === 'POST' ? { body: JSON.stringify({ user: 'U0LOCALREQ', channel: 'C0LOCALDEV', text: '/agent help' }) } : {}),
    });
    const body = await response.text();
    assert.equal(response.status, 404, `${method} ${path} is not served on Baton's port: ${response.status} ${body.slice(0, 200)}`);
    assert.doesNotMatch(body, /"ok":true/);
  }
  const page = await fetch(`${app.url}/`);
  assert.doesNotMatch(await page.text(), /<html|data-testid/i, 'the page is not served either');
});
