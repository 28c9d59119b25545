import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { FakeSlack } from '../../test/fakes/fake-slack.ts';
import { SLACK_DEFAULTS } from '../../test/fakes/slack-defaults.ts';

export interface BareBolt {
  eventsUrl: string;
  stop(): Promise<void>;
}

/**
 * The baseline: a Bolt App on an HTTPReceiver, configured as Baton's (same signing secret, endpoint,
 * processBeforeResponse, fake Slack for auth.test), whose `/agent` handler only acks. It echoes an
 * ephemeral "Queued <key>" so the same reply check applies, with no database behind it.
 */
export async function startBareBolt(): Promise<BareBolt> {
  const slack = new FakeSlack();
  await slack.start();
  const receiver = new HTTPReceiver({
    signingSecret: SLACK_DEFAULTS.signingSecret,
    endpoints: '/slack/events',
    processBeforeResponse: false,
    logLevel: LogLevel.ERROR,
  });
  const app = new App({
    receiver,
    token: SLACK_DEFAULTS.botToken,
    clientOptions: { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } },
    logLevel: LogLevel.ERROR,
    deferInitialization: true,
  });
  app.command('/agent', async ({ command, ack }) => {
    await ack({ response_type: 'ephemeral', text: `Queued ${command.text.split(' ')[1] ?? ''}` });
  });
  const server = createServer((req, res) => receiver.requestListener(req, res));
  try {
    await app.init();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
  } catch (error) {
    await slack.stop();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  return {
    eventsUrl: `http://127.0.0.1:${port}/slack/events`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await slack.stop();
    },
  };
}
