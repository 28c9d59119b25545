import type { ServerResponse } from 'node:http';
import type { LocalPull, LocalPullComment } from '../db/local-pull-requests.ts';
import type { Pool } from '../db/pool.ts';
import type { LocalCodeHost } from './code-host/create-local-code-host.ts';
import type { LocalHandler } from './local-handler.ts';

/** One of Baton's own checks shown on a local pull request (the run's test evidence). */
export interface LocalCheck {
  name: string;
  conclusion: string;
  summary: string;
}

export interface LocalPullRoutesDeps {
  /** The database the host keeps its pull requests in (kept for the contract; the host reads through it). */
  pool: Pool;
  host: LocalCodeHost;
  /** Baton's evidence for the run behind a pull request; none shown without it. */
  checksFor?: (pull: LocalPull) => Promise<LocalCheck[]>;
}

const LIST = /^\/_\/pulls\/?$/;
const ONE = /^\/_\/pulls\/([^/]+)\/?$/;

function send(res: ServerResponse, status: number, body: unknown): true {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(body));
  return true;
}

/** The list row of LOCAL-MODE.md's `GET /_/pulls`. */
function listed(pull: LocalPull, host: LocalCodeHost) {
  return {
    id: pull.id, repo: pull.repo, number: pull.number, title: pull.title, state: pull.state,
    head_ref: pull.headRef, head_sha: pull.headSha, base_ref: pull.baseRef, url: host.pullUrl(pull),
  };
}

function detailed(pull: LocalPull, host: LocalCodeHost) {
  return {
    ...listed(pull, host),
    body: pull.body,
    base_sha: pull.baseSha,
    ...(pull.mergeSha ? { merge_sha: pull.mergeSha } : {}),
    ...(pull.mergedBy ? { merged_by: pull.mergedBy } : {}),
    ...(pull.mergedAt ? { merged_at: pull.mergedAt.toISOString() } : {}),
    created_at: pull.createdAt.toISOString(),
  };
}

const comment = (c: LocalPullComment) => ({ id: c.id, author: c.author, body: c.body, created_at: c.createdAt.toISOString() });

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * The local code host's JSON for the page (LOCAL-MODE.md): `GET /_/pulls` and `GET /_/pulls/<id>`
 * with the diff, Baton's checks and the comments. Read-only: pull requests change only through
 * Baton's own jobs (open, merge at an approved SHA, close), as on GitHub through Baton's app.
 */
export function localPullRoutes(deps: LocalPullRoutesDeps): LocalHandler {
  const { host } = deps;
  return async (req, res, url) => {
    const path = url.pathname;
    if (path !== '/_/pulls' && !path.startsWith('/_/pulls/')) return false;
    const list = LIST.test(path);
    const one = ONE.exec(path);
    if (!list && !one) return send(res, 404, { ok: false, error: 'not_found' });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, { ok: false, error: 'method_not_allowed' });
    }
    if (list) return send(res, 200, { ok: true, pulls: (await host.listPulls()).map((pull) => listed(pull, host)) });

    const id = Number(one![1]);
    if (!Number.isSafeInteger(id) || id <= 0 || String(id) !== one![1]) return send(res, 404, { ok: false, error: 'pull_not_found' });
    const pull = await host.pullById(id);
    if (!pull) return send(res, 404, { ok: false, error: 'pull_not_found' });
    // A diff or checks that cannot be read still leave the page its title, state and comments.
    const [diff, checks, comments] = await Promise.all([
      host.diff(pull).then((d) => ({ ...d, error: undefined as string | undefined }), (error: unknown) => ({ diff: '', truncated: false, error: message(error) })),
      (deps.checksFor?.(pull) ?? Promise.resolve([])).then((c) => ({ checks: c, error: undefined as string | undefined }), (error: unknown) => ({ checks: [], error: message(error) })),
      host.comments(pull),
    ]);
    return send(res, 200, {
      ok: true,
      pull: detailed(pull, host),
      diff: diff.diff,
      ...(diff.truncated ? { diff_truncated: true } : {}),
      ...(diff.error ? { diff_error: diff.error } : {}),
      checks: checks.checks.map((c) => ({ name: c.name, conclusion: c.conclusion, summary: c.summary })),
      ...(checks.error ? { checks_error: checks.error } : {}),
      comments: comments.map(comment),
    });
  };
}
