import { readFileSync, readdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LocalHandler } from '../local-handler.ts';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

// Everything the page runs or loads comes from this server: no inline script or style, no other
// origin. img-src allows data: for nothing but the browser's own placeholders.
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': PAGE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  // Assets are read once at start; a restarted Baton may serve new ones under the same names.
  'cache-control': 'no-cache',
};

// The page's client-side routes: all served the same HTML.
const PAGE_PATH = /^\/(?:|tickets\/?|tickets\/[^/]+\/?|pulls\/?|pulls\/[^/]+\/?)$/;
const ASSET_PATH = /^\/assets\/([^/]+)$/;

interface Asset {
  body: Buffer;
  type: string;
}

function readAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (type && !name.endsWith('.d.ts')) assets.set(name, { body: readFileSync(join(dir, name)), type });
  }
  return assets;
}

function send(req: IncomingMessage, res: ServerResponse, status: number, type: string, body: Buffer | string): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, 'content-length': bytes.length });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}

function refuse(req: IncomingMessage, res: ServerResponse, status: number, error: string): void {
  const headers = status === 405 ? { allow: 'GET, HEAD' } : {};
  res.writeHead(status, { ...SECURITY_HEADERS, ...headers, 'content-type': 'application/json; charset=utf-8' });
  res.end(req.method === 'HEAD' ? undefined : JSON.stringify({ ok: false, error }));
}

/**
 * The local-mode page: `/`, `/tickets[/<KEY>]` and `/pulls[/<id>]` answer the page's HTML,
 * `/assets/<file>` its scripts, styles and icon. Files are read once, here, so a request never
 * touches the disk and no path from a URL is ever joined onto one.
 */
export function localPageRoutes(): LocalHandler {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const html = readFileSync(join(here, 'index.html'));
  const assets = readAssets(join(here, 'assets'));
  return async (req, res, url) => {
    const asset = ASSET_PATH.exec(url.pathname);
    if (!asset && !PAGE_PATH.test(url.pathname)) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      refuse(req, res, 405, 'method_not_allowed');
      return true;
    }
    if (!asset) {
      send(req, res, 200, 'text/html; charset=utf-8', html);
      return true;
    }
    const found = assets.get(asset[1] ?? '');
    if (found) send(req, res, 200, found.type, found.body);
    else refuse(req, res, 404, 'not_found');
    return true;
  };
}
