import { createServer, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger.ts';
import type { Metrics } from './create-metrics.ts';

/*
 * /metrics is served on a port of its own (METRICS_PORT), bound to METRICS_HOST (127.0.0.1 unless
 * set), and not at all while METRICS_PORT is unset. Baton's main port faces the internet (Slack and
 * the trackers call it); run volume, costs and model names are not for everyone on it. A separate
 * listener keeps them off that port whatever a proxy in front forwards, needs no token to issue,
 * store and rotate (Prometheus scrapes from the host or the private network, which the bind
 * address decides), and leaves an upgraded Baton exposing nothing new until someone asks.
 */

export interface MetricsServerOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  metrics: Pick<Metrics, 'render' | 'contentType'>;
  log: Logger;
}

export interface MetricsServer {
  /** http://host:port, the scrape URL without the path. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

const METRICS_PATH = '/metrics';

function text(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(body);
}

/** GET (or HEAD) /metrics; any other path is 404 and any other method 405. */
export function metricsListener(options: Pick<MetricsServerOptions, 'metrics' | 'log'>): RequestListener {
  return (req, res) => {
    const path = URL.canParse(req.url ?? '/', 'http://baton') ? new URL(req.url ?? '/', 'http://baton').pathname : undefined;
    if (path !== METRICS_PATH) return text(res, 404, 'not found; Prometheus metrics are at /metrics\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(res, 405, 'method not allowed\n', { allow: 'GET, HEAD' });
    options.metrics.render().then(
      (body) => {
        res.writeHead(200, { 'content-type': options.metrics.contentType });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (error: unknown) => {
        options.log.error({ err: error }, 'metrics: the scrape failed');
        text(res, 500, 'the metrics could not be rendered; see the log\n');
      },
    );
  };
}

export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const server: Server = createServer(metricsListener(options));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${shownHost}:${port}`;
  options.log.info({ url: `${url}${METRICS_PATH}` }, 'Prometheus metrics are served');
  return {
    url,
    port,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Prometheus keeps its connection open between scrapes; close() alone would wait for it.
        server.closeAllConnections();
      }),
  };
}
