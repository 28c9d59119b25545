import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeSlack } from '../fakes/fake-slack.ts';
import { sendSignedSlack, slashCommandBody } from '../fakes/sign-slack-request.ts';
import { SLACK_DEFAULTS } from '../fakes/slack-defaults.ts';
import { count, createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { startTestBaton, type TestBaton } from '../support/start-test-baton.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';

let db: TestDatabase;
let slack: FakeSlack;
let proxy: TcpProxy;
let app: TestBaton;

before(async () => {
  db = await createTestDatabase();
  slack = new FakeSlack();
  await slack.start();
  proxy = TcpProxy.forUrl(db.url);
  await proxy.start();
  app = await startTestBaton({ db: { url: proxy.rewrite(db.url), schema: db.schema }, slack,
    // LINEAR_API_URL points nowhere: no run gets as far as reading its ticket in these tests.
    env: { SLACK_API_URL: slack.apiUrl, LINEAR_API_KEY: 'lin_api_unused', LINEAR_API_URL: 'http://127.0.0.1:9/graphql' },
    policy: { teams: { DOWN: { tracker: 'linear', channel: 'C0DOWN' } } },
  });
});
after(async () => {
  await proxy.restore();
  await app?.stop();
  await proxy.stop();
  await slack.stop();
  await db.drop();
});

test('with the database down, /agent fix answers with an error the user can act on, inside 3 s, and leaves no rows', async () => {
  await proxy.cut();
  const started = Date.now();
  const response = await sendSignedSlack(app.slackEventsUrl, 'command', slashCommandBody({ text: 'fix DOWN-1' }), {
    secret: SLACK_DEFAULTS.signingSecret,
  });
  const elapsed = Date.now() - started;
  assert.equal(response.status, 200);
  const reply = response.json as { response_type: string; text: string };
  assert.equal(reply.response_type, 'ephemeral');
  assert.match(reply.text, /couldn't queue DOWN-1: Baton's database is not reachable/);
  assert.match(reply.text, /Nothing was saved/);
  assert.match(reply.text, /reference [0-9a-f]{8}/);
  assert.ok(elapsed < 3000, `acked in ${elapsed} ms`);

  const readyz = await fetch(`${app.url}/readyz`);
  assert.equal(readyz.status, 503, '/readyz reports the database');

  await proxy.restore();
  assert.equal(await count(db.pool, 'SELECT 1 FROM runs WHERE ticket_key = $1', ['DOWN-1']), 0);
  assert.equal(await count(db.pool, `SELECT 1 FROM ${db.schema}_jobs.job WHERE name = 'run.fix'`), 0);

  // Once the database is back, the same command works.
  const again = await sendSignedSlack(app.slackEventsUrl, 'command', slashCommandBody({ text: 'fix DOWN-1' }), {
    secret: SLACK_DEFAULTS.signingSecret,
  });
  assert.match((again.json as { text: string }).text, /Queued DOWN-1/);
  assert.equal(await count(db.pool, 'SELECT 1 FROM runs WHERE ticket_key = $1', ['DOWN-1']), 1);
});
