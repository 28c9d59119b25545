import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../logger.ts';
import { SLACK_EVENTS_PATH } from './create-slack-app.ts';

export interface ReadyReport {
  ready: boolean;
  checks: Record<string, string>;
}

export interface HttpServerOptions {
  slack: RequestListener | undefined;
  /** How Slack reaches Baton when `slack` is undefined: over Socket Mode Slack never calls this URL. */
  slackMode?: 'socket' | 'not_connected';
  /** `/webhooks/<name>` → handler; later issues add Linear, Jira and GitHub. */
  webhooks: Record<string, RequestListener>;
  readiness: () => Promise<ReadyReport>;
  log: Logger;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** One server on PORT for Slack, webhooks and health, whatever the role of the process. */
export function createHttpServer(options: HttpServerOptions): Server {
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // Node's parser takes request targets the URL standard refuses (`http://[`, a port of 99999).
    if (!URL.canParse(req.url ?? '/', 'http://baton')) return json(res, 400, { error: 'bad_request_target' });
    const path = new URL(req.url ?? '/', 'http://baton').pathname;
    if (path === '/healthz') return json(res, 200, { ok: true });
    if (path === '/readyz') {
      const report = await options.readiness();
      return json(res, report.ready ? 200 : 503, report);
    }
    if (path === SLACK_EVENTS_PATH) {
      // Bolt throws at any other method, and the error would carry the whole request into the log.
      if (req.method !== 'POST') return json(res, 405, { error: 'method_not_allowed' }, { allow: 'POST' });
      if (options.slack) return options.slack(req, res);
      if (options.slackMode === 'socket') {
        return json(res, 404, { error: 'socket_mode', hint: 'This Baton talks to Slack over Socket Mode; Slack does not call /slack/events. Unset SLACK_APP_TOKEN for HTTP.' });
      }
      return json(res, 503, { error: 'slack_not_connected', hint: 'Set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (see README).' });
    }
    const name = path.startsWith('/webhooks/') ? path.slice('/webhooks/'.length) : undefined;
    // Own keys only: `constructor`, `toString` or `__proto__` would otherwise find what every
    // object inherits, and a request for them was never answered.
    if (name !== undefined && Object.hasOwn(options.webhooks, name)) return options.webhooks[name]!(req, res);
    json(res, 404, { error: 'not_found' });
  };
  return createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      options.log.error({ err: error, path: req.url }, 'http handler failed');
      if (!res.headersSent) json(res, 500, { error: 'internal_error' });
      else res.end();
    });
  });
}
