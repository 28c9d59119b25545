import type { FakeRequest, Handler } from './fake-server.ts';
import { labelJson, paginate, pullJson, repoJson, type GitHubJsonContext } from './github-json.ts';
import { GitHubApiError, type PullState, type RepoState } from './github-store.ts';

/** Registers one authenticated GitHub route on the fake. */
export type GitHubRoute = (method: string, path: string, handler: Handler) => void;

type Body = Record<string, unknown>;

const bodyOf = (req: FakeRequest): Body =>
  req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Body) : {};

const missing = (resource: string, field: string): GitHubApiError =>
  new GitHubApiError(422, 'Validation Failed', [{ resource, field, code: 'missing_field' }]);

/** repos.get, pulls.*, issues.createComment/listComments/addLabels. */
export function registerPullRoutes(route: GitHubRoute, ctx: GitHubJsonContext): void {
  const { store } = ctx;
  const repoOf = (req: FakeRequest): RepoState => store.repo(req.params.owner ?? '', req.params.repo ?? '');
  const pullOf = (req: FakeRequest): [RepoState, PullState] => {
    const repo = repoOf(req);
    return [repo, store.pull(repo, Number(req.params.number))];
  };

  route('GET', '/repos/:owner/:repo', (req) => ({ body: repoJson(ctx, repoOf(req)) }));

  route('GET', '/repos/:owner/:repo/pulls', (req) => {
    const repo = repoOf(req);
    const state = req.query.get('state') ?? 'open';
    const head = req.query.get('head');
    const base = req.query.get('base');
    const pulls = repo.pulls
      .filter((p) => state === 'all' || p.state === state)
      // Like GitHub, a bare branch name (no `owner:` prefix) is silently ignored rather than matched.
      .filter((p) => !head?.includes(':') || `${p.headOwner}:${p.head}`.toLowerCase() === head.toLowerCase())
      .filter((p) => !base || p.base === base)
      .sort((a, b) => (req.query.get('direction') === 'asc' ? a.number - b.number : b.number - a.number));
    const page = paginate(ctx, req.path, req.query, pulls);
    // The list endpoint returns simple pulls: mergeability and `merged` only come from pulls.get.
    const simple = page.items.map((p) => {
      const { merged: _merged, mergeable: _mergeable, mergeable_state: _state, ...rest } = pullJson(ctx, repo, p);
      return rest;
    });
    return { headers: page.headers, body: simple };
  });

  route('POST', '/repos/:owner/:repo/pulls', (req) => {
    const repo = repoOf(req);
    const body = bodyOf(req);
    if (typeof body.head !== 'string' || !body.head) throw missing('PullRequest', 'head');
    if (typeof body.base !== 'string' || !body.base) throw missing('PullRequest', 'base');
    if (typeof body.title !== 'string' || !body.title) throw missing('PullRequest', 'title');
    const [headOwner, head] = body.head.includes(':') ? body.head.split(':', 2) : [repo.owner, body.head];
    if (headOwner?.toLowerCase() !== repo.owner.toLowerCase()) {
      // The fake models no forks, so a foreign owner's branch cannot exist.
      throw new GitHubApiError(422, 'Validation Failed', [{ resource: 'PullRequest', field: 'head', code: 'invalid' }]);
    }
    const pull = store.createPull(repo, {
      head: head ?? '', headOwner: repo.owner, base: body.base, title: body.title,
      body: typeof body.body === 'string' ? body.body : undefined, draft: body.draft === true,
    });
    return { status: 201, body: pullJson(ctx, repo, pull) };
  });

  route('GET', '/repos/:owner/:repo/pulls/:number', (req) => {
    const [repo, pull] = pullOf(req);
    return { body: pullJson(ctx, repo, pull) };
  });

  route('PATCH', '/repos/:owner/:repo/pulls/:number', (req) => {
    const [repo, pull] = pullOf(req);
    const body = bodyOf(req);
    if (typeof body.title === 'string') pull.title = body.title;
    if (typeof body.body === 'string') pull.body = body.body;
    if (typeof body.base === 'string') {
      if (!repo.branches.has(body.base)) {
        throw new GitHubApiError(422, 'Validation Failed', [{ resource: 'PullRequest', field: 'base', code: 'invalid' }]);
      }
      pull.base = body.base;
    }
    if (body.state === 'closed' && pull.state === 'open') {
      Object.assign(pull, { state: 'closed', closedAt: store.now(), closedHeadSha: store.headSha(repo, pull) });
    } else if (body.state === 'open' && pull.state === 'closed' && !pull.merged) {
      Object.assign(pull, { state: 'open', closedAt: null, closedHeadSha: null });
    }
    pull.updatedAt = store.now();
    return { body: pullJson(ctx, repo, pull) };
  });

  route('PUT', '/repos/:owner/:repo/pulls/:number/merge', (req) => {
    const [repo, pull] = pullOf(req);
    const body = bodyOf(req);
    return {
      body: store.mergePull(repo, pull, {
        sha: typeof body.sha === 'string' ? body.sha : undefined,
        merge_method: typeof body.merge_method === 'string' ? body.merge_method : undefined,
        commit_title: typeof body.commit_title === 'string' ? body.commit_title : undefined,
        commit_message: typeof body.commit_message === 'string' ? body.commit_message : undefined,
      }),
    };
  });

  // Every PR is an issue, and the fake has no plain issues, so issue numbers resolve to PRs.
  route('POST', '/repos/:owner/:repo/issues/:number/comments', (req) => {
    const [repo, pull] = pullOf(req);
    const text = bodyOf(req).body;
    if (typeof text !== 'string' || !text) throw missing('IssueComment', 'body');
    const comment = { id: store.newId(), issueNumber: pull.number, body: text, createdAt: store.now() };
    repo.comments.push(comment);
    return { status: 201, body: commentJson(ctx, repo, comment) };
  });

  route('GET', '/repos/:owner/:repo/issues/:number/comments', (req) => {
    const [repo, pull] = pullOf(req);
    const page = paginate(ctx, req.path, req.query, repo.comments.filter((c) => c.issueNumber === pull.number));
    return { headers: page.headers, body: page.items.map((c) => commentJson(ctx, repo, c)) };
  });

  route('POST', '/repos/:owner/:repo/issues/:number/labels', (req) => {
    const [repo, pull] = pullOf(req);
    const raw = Array.isArray(req.body) ? req.body : bodyOf(req).labels;
    if (!Array.isArray(raw) || raw.length === 0) throw missing('Label', 'labels');
    for (const name of raw.map((l: unknown) => (typeof l === 'object' && l ? (l as Body).name : l))) {
      if (typeof name === 'string' && !pull.labels.includes(name)) pull.labels.push(name);
    }
    return { body: pull.labels.map((name) => labelJson(ctx, repo, name)) };
  });
}

function commentJson(
  { api }: GitHubJsonContext, repo: RepoState, c: { id: number; issueNumber: number; body: string; createdAt: string },
): Record<string, unknown> {
  const fullName = `${repo.owner}/${repo.name}`;
  return {
    id: c.id, node_id: `IC_${c.id}`, body: c.body,
    url: `${api}/repos/${fullName}/issues/comments/${c.id}`,
    html_url: `https://github.com/${fullName}/pull/${c.issueNumber}#issuecomment-${c.id}`,
    issue_url: `${api}/repos/${fullName}/issues/${c.issueNumber}`,
    user: { login: 'baton[bot]', type: 'Bot' }, author_association: 'NONE',
    created_at: c.createdAt, updated_at: c.createdAt,
  };
}
