import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSlackClient, type SlackClient } from '../../src/integrations/slack.ts';
import { FakeSlack } from '../fakes/fake-slack.ts';

/* The Slack client's verbs, through the real WebClient over HTTP to the fake Slack. */

const fake = new FakeSlack();
let slack: SlackClient;

before(async () => {
  await fake.start();
  slack = createSlackClient({ apiUrl: fake.apiUrl, token: fake.botToken, retries: 0 });
});
after(() => fake.stop());
beforeEach(() => fake.reset());

test('usergroupMembers lists the user ids of a user group, asking Slack for that group', async () => {
  fake.setUsergroup('S0APPROVERS', ['U0ADA', 'U0GRACE']);
  fake.setUsergroup('S0OTHERS', ['U0BOB']);
  assert.deepEqual(await slack.usergroupMembers('S0APPROVERS'), ['U0ADA', 'U0GRACE']);
  const [call] = fake.apiCalls('usergroups.users.list');
  assert.equal(call?.args.usergroup, 'S0APPROVERS');
  assert.equal(call?.token, fake.botToken);
  fake.setUsergroup('S0EMPTY', []);
  assert.deepEqual(await slack.usergroupMembers('S0EMPTY'), []);
});

test('an unknown user group is an error carrying Slack\'s code, not an empty list', async () => {
  await assert.rejects(slack.usergroupMembers('S0GONE'), (error: { data?: { error?: string } }) => {
    assert.equal(error.data?.error, 'no_such_subteam');
    return true;
  });
});

test('postEphemeral shows a message to one user, in a thread when asked', async () => {
  const blocks = [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'Only approvers of *merge* can approve.' } }];
  await slack.postEphemeral('C0ENG', 'U0BOB', { text: 'Only approvers of merge can approve.', blocks }, '1732170000.000100');
  await slack.postEphemeral('C0ENG', 'U0ADA', { text: 'Approved.' });
  assert.deepEqual(
    fake.ephemerals('U0BOB').map(({ message_ts: _ts, ...rest }) => rest),
    [{ channel: 'C0ENG', user: 'U0BOB', text: 'Only approvers of merge can approve.', blocks, thread_ts: '1732170000.000100' }],
  );
  assert.deepEqual(fake.ephemerals('U0ADA').map((e) => [e.text, e.thread_ts]), [['Approved.', undefined]]);
});
