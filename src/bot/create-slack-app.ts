import type { RequestListener } from 'node:http';
import { App, HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import type { SlackConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import { boltLogger } from './bolt-logger.ts';
import { ackUnhandled } from './ack-unhandled.ts';
import { guardSlackRequest } from './guard-slack-request.ts';

export const SLACK_EVENTS_PATH = '/slack/events';

export interface SlackApp {
  app: App;
  /** Serves /slack/events in HTTP mode; undefined in Socket Mode, where Slack never calls us. */
  httpHandler: RequestListener | undefined;
  mode: 'http' | 'socket';
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface SlackAppOptions {
  slack: SlackConfig;
  retries: number;
  log: Logger;
}

/** Bolt over HTTP by default (signature checked by Bolt on the raw body), Socket Mode with an app token. */
export function createSlackApp({ slack, retries, log }: SlackAppOptions): SlackApp {
  const logger = boltLogger(log);
  const clientOptions = { slackApiUrl: slack.apiUrl, retryConfig: { retries } };
  if (slack.appToken) {
    // apps.connections.open (the call that hands out the WebSocket URL, at start and at every
    // reconnect) goes to SLACK_API_URL like every other call: Bolt 5 gives the receiver's
    // installerOptions.clientOptions to its SocketModeClient's WebClient, OAuth or not. Only the URL:
    // Socket Mode keeps its own retries for that call, since it is how it reconnects.
    const receiver = new SocketModeReceiver({
      appToken: slack.appToken,
      logger,
      installerOptions: { clientOptions: { slackApiUrl: slack.apiUrl } },
    });
    const app = new App({ receiver: ackUnhandled(receiver, log), token: slack.botToken, logger, clientOptions, deferInitialization: true });
    return {
      app,
      httpHandler: undefined,
      mode: 'socket',
      async start() {
        await app.init();
        await app.start();
        log.info('connected to Slack over Socket Mode');
      },
      stop: async () => {
        await app.stop();
      },
    };
  }
  const receiver = new HTTPReceiver({
    signingSecret: slack.signingSecret,
    endpoints: SLACK_EVENTS_PATH,
    processBeforeResponse: false,
    logger,
    // Reached only when Bolt itself throws before any listener ran, which the payload check in
    // guardSlackRequest exists to prevent: a payload Bolt cannot read, so 400 and a warning.
    processEventErrorHandler: async ({ error, response }) => {
      log.warn({ err: error }, 'Slack request refused: Bolt could not read the payload');
      if (response.headersSent) return false;
      response.writeHead(400);
      response.end();
      return true;
    },
  });
  const app = new App({ receiver: ackUnhandled(receiver, log), token: slack.botToken, logger, clientOptions, deferInitialization: true });
  app.error(async (error) => {
    log.error({ err: error }, 'unhandled error in a Slack listener');
  });
  return {
    app,
    httpHandler: guardSlackRequest((req, res) => receiver.requestListener(req, res), { signingSecret: slack.signingSecret, log }),
    mode: 'http',
    // Checks the bot token now (auth.test), so a wrong token fails at start-up with a clear error.
    start: () => app.init(),
    // The HTTP server is Baton's own; there is nothing of Bolt's to stop in HTTP mode.
    stop: async () => undefined,
  };
}
