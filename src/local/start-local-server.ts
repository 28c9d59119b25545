import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger.ts';
import type { LocalHandler } from './local-handler.ts';

export interface LocalServer {
  /** What people open (http://127.0.0.1:<port>). */
  url: string;
  /** Adds a part; parts are asked in the order added. Parts added after start serve from then on. */
  mount(handler: LocalHandler): void;
  stop(): Promise<void>;
}

/**
 * Local mode's own HTTP server, apart from Baton's (which takes Slack's and the trackers' webhooks
 * and may listen on every interface). It binds to 127.0.0.1 unless LOCAL_HOST says otherwise: it
 * is for trying Baton on this machine, not a second way into a real deployment. A part that throws
 * answers 500 with a line in the log, never a crash.
 */
export async function startLocalServer(options: { host: string; port: number; log: Logger }): Promise<LocalServer> {
  const handlers: LocalHandler[] = [];
  const log = options.log.child({ component: 'local' });
  const server: Server = createServer((req, res) => {
    void (async () => {
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://local');
      } catch {
        res.writeHead(400).end();
        return;
      }
      try {
        for (const handler of handlers) if (await handler(req, res, url)) return;
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: 'not_found' }));
      } catch (error) {
        log.error({ err: error, path: url.pathname }, 'local server request failed');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: 'internal_error' }));
        else res.end();
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  return {
    url: `http://${host}:${port}`,
    mount: (handler) => void handlers.push(handler),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Server-sent event streams stay open; end them so the close completes.
        server.closeAllConnections();
      }),
  };
}
