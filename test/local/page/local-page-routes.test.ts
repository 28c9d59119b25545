import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { localPageRoutes, PAGE_CSP } from '../../../src/local/page/local-page-routes.ts';

let server: Server;
let base: string;

before(async () => {
  const page = localPageRoutes();
  // The next handler in the chain, as the local server would have: proves the page lets go.
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    void page(req, res, url).then((answered) => {
      if (!answered) res.writeHead(418, { 'content-type': 'text/plain' }).end('next handler');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('every client-side route answers the same page HTML with a strict CSP', async () => {
  const bodies = new Set<string>();
  for (const path of ['/', '/?channel=C0LOCALDEV', '/tickets', '/tickets/', '/tickets/DEMO-1', '/pulls', '/pulls/42']) {
    const res = await fetch(base + path);
    assert.equal(res.status, 200, path);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(res.headers.get('content-security-policy'), PAGE_CSP);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    bodies.add(await res.text());
  }
  assert.equal(bodies.size, 1);
  assert.match(PAGE_CSP, /default-src 'self'/);
  assert.doesNotMatch(PAGE_CSP, /unsafe-inline|unsafe-eval|\*/);
});

test('the HTML has no inline script or style and loads only its own assets', async () => {
  const html = await (await fetch(`${base}/`)).text();
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.ok(scripts.length > 0);
  for (const [, attrs, body] of scripts) {
    assert.match(attrs ?? '', /src="\/assets\/[\w.-]+\.js"/);
    assert.equal(body?.trim(), '');
  }
  assert.doesNotMatch(html, /<style|\sstyle=|\son[a-z]+=/i);
  for (const [, url] of html.matchAll(/(?:src|href)="([^"]+)"/g)) assert.match(url ?? '', /^\/(?![/\\])/, 'same origin only');
});

test('assets come with their content types; every module a script imports is served', async () => {
  const wanted = ['app.js'];
  const seen = new Set<string>();
  while (wanted.length > 0) {
    const name = wanted.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const res = await fetch(`${base}/assets/${name}`);
    assert.equal(res.status, 200, name);
    assert.equal(res.headers.get('content-type'), 'text/javascript; charset=utf-8', name);
    assert.equal(res.headers.get('content-security-policy'), PAGE_CSP);
    const source = await res.text();
    for (const [, spec] of source.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm)) {
      assert.match(spec ?? '', /^\.\/[\w-]+\.js$/, `${name} imports ${spec}: only sibling assets, nothing from outside`);
      wanted.push(spec!.slice(2));
    }
    assert.doesNotMatch(source, /\binnerHTML\b|\bouterHTML\b|insertAdjacentHTML|document\.write|\beval\(|new Function/, name);
  }
  assert.ok(seen.size >= 10, [...seen].join());
  const css = await fetch(`${base}/assets/page.css`);
  assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
  assert.doesNotMatch(await css.text(), /@import|url\(/);
  assert.equal((await fetch(`${base}/assets/favicon.svg`)).headers.get('content-type'), 'image/svg+xml');
});

test('unknown assets, declaration files and traversal get a JSON 404; writes get 405', async () => {
  for (const path of ['/assets/nope.js', '/assets/tree.d.ts', '/assets/..%2flocal-page-routes.ts', '/assets/%2e%2e%2findex.html']) {
    const res = await fetch(base + path);
    assert.equal(res.status, 404, path);
    assert.deepEqual(await res.json(), { ok: false, error: 'not_found' });
  }
  const post = await fetch(`${base}/tickets/DEMO-1`, { method: 'POST', body: '{}' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get('allow'), 'GET, HEAD');
  assert.deepEqual(await post.json(), { ok: false, error: 'method_not_allowed' });
  const head = await fetch(`${base}/assets/app.js`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(await head.text(), '');
});

test('other paths are left to the next handler', async () => {
  for (const path of ['/_/slack/state', '/_/tickets', '/api/auth.test', '/files/F1', '/tickets/a/b', '/assets/', '/favicon.ico']) {
    const res = await fetch(base + path);
    assert.equal(res.status, 418, path);
  }
});
