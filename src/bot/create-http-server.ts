import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../logger.ts';
import { SLACK_EVENTS_PATH } from './create-slack-app.ts';

export interface ReadyReport {
  ready: boolean;
  checks: Record<string, string>;
}

export interface HttpServerOptions {
  slack: RequestListener | undefined;
  /** `/webhooks/<name>` → handler; later issues add Linear, Jira and GitHub. */
  webhooks: Record<string, RequestListener>;
  readiness: () => Promise<ReadyReport>;
  log: Logger;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** One server on PORT for Slack, webhooks and health, whatever the role of the process. */
export function createHttpServer(options: HttpServerOptions): Server {
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://baton').pathname;
    if (path === '/healthz') return json(res, 200, { ok: true });
    if (path === '/readyz') {
      const report = await options.readiness();
      return json(res, report.ready ? 200 : 503, report);
    }
    if (path === SLACK_EVENTS_PATH) {
      if (options.slack) return options.slack(req, res);
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
