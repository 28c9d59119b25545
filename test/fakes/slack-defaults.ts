/**
 * Identities shared by the Slack fake and the signed-request builders, so a request "from Slack"
 * and the fake Web API agree on which workspace, app and bot they are talking about.
 */
export const SLACK_DEFAULTS = {
  botToken: 'xoxb-test-token',
  signingSecret: 'test-signing-secret',
  teamId: 'T0FAKETEAM',
  teamDomain: 'fake',
  teamName: 'Fake Workspace',
  appId: 'A0FAKEAPP',
  botId: 'B0FAKEBOT',
  botUserId: 'U0FAKEBOT',
  botUserName: 'baton',
  userId: 'U0FAKEUSER',
  userName: 'fake.user',
  channelId: 'C0FAKECHAN',
  channelName: 'general',
  /** Deprecated verification token; Slack still sends one, Bolt ignores it in favour of signatures. */
  verificationToken: 'fake-verification-token',
} as const;
