import type { FakeRequest } from './fake-server.ts';
import {
  checkRunJson, deploymentJson, deploymentStatusJson, paginate, repoJson, runJson, statusJson, type GitHubJsonContext,
} from './github-json.ts';
import type { GitHubRoute } from './github-pull-routes.ts';
import { GitHubApiError, type DeploymentState, type RepoState, type RunState } from './github-store.ts';

type Body = Record<string, unknown>;

const DEPLOYMENT_STATES = ['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success'];
const DAY_MS = 86_400_000;

const bodyOf = (req: FakeRequest): Body =>
  req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Body) : {};

/** GitHub's `created` search syntax: `>=T`, `>T`, `<=T`, `<T`, `A..B` (either side may be `*`), or a bare date. */
export function matchesCreated(createdAt: string, filter: string): boolean {
  const t = Date.parse(createdAt);
  const start = (v: string): number => (v === '*' ? -Infinity : Date.parse(v));
  const end = (v: string): number => (v === '*' ? Infinity : /^\d{4}-\d{2}-\d{2}$/.test(v) ? Date.parse(v) + DAY_MS - 1 : Date.parse(v));
  const [from, to] = filter.split('..');
  if (to !== undefined) return t >= start(from ?? '*') && t <= end(to);
  const [, op, value = ''] = /^(>=|<=|>|<)?(.*)$/.exec(filter) ?? [];
  if (op === '>=') return t >= start(value);
  if (op === '>') return t > end(value);
  if (op === '<=') return t <= end(value);
  if (op === '<') return t < start(value);
  return t >= start(value) && t <= end(value);
}

/** checks.listForRef, repos.getCombinedStatusForRef, Actions workflow dispatch/runs, deployments. */
export function registerCiRoutes(route: GitHubRoute, ctx: GitHubJsonContext): void {
  const { store } = ctx;
  const repoOf = (req: FakeRequest): RepoState => store.repo(req.params.owner ?? '', req.params.repo ?? '');
  const shaOf = (repo: RepoState, ref: string): string => {
    const sha = store.resolveRef(repo, ref);
    if (!sha) throw new GitHubApiError(422, `No commit found for SHA: ${ref}`);
    return sha;
  };

  route('GET', '/repos/:owner/:repo/commits/:ref/check-runs', (req) => {
    const repo = repoOf(req);
    const sha = shaOf(repo, req.params.ref ?? '');
    const name = req.query.get('check_name');
    const status = req.query.get('status');
    const runs = (req.query.get('filter') === 'all' ? repo.checkRuns.filter((r) => r.sha === sha) : store.latestCheckRuns(repo, sha))
      .filter((r) => (!name || r.name === name) && (!status || r.status === status));
    const page = paginate(ctx, req.path, req.query, runs);
    return { headers: page.headers, body: { total_count: runs.length, check_runs: page.items.map((r) => checkRunJson(ctx, repo, r)) } };
  });

  route('GET', '/repos/:owner/:repo/commits/:ref/status', (req) => {
    const repo = repoOf(req);
    const sha = shaOf(repo, req.params.ref ?? '');
    const statuses = store.latestStatuses(repo, sha);
    return {
      body: {
        state: store.combinedState(repo, sha), sha, total_count: statuses.length,
        statuses: statuses.map((s) => statusJson(ctx, repo, s)),
        repository: repoJson(ctx, repo),
        commit_url: `${ctx.api}/repos/${repo.owner}/${repo.name}/commits/${sha}`,
        url: `${ctx.api}/repos/${repo.owner}/${repo.name}/commits/${sha}/status`,
      },
    };
  });

  route('POST', '/repos/:owner/:repo/actions/workflows/:workflow/dispatches', (req) => {
    const repo = repoOf(req);
    const body = bodyOf(req);
    if (typeof body.ref !== 'string' || !body.ref) {
      throw new GitHubApiError(422, 'Invalid request.\n\n"ref" wasn\'t supplied.');
    }
    const inputs = body.inputs && typeof body.inputs === 'object' ? (body.inputs as Record<string, unknown>) : {};
    const run = store.dispatch(repo, req.params.workflow ?? '', body.ref, inputs);
    if (body.return_run_details !== true || !store.dispatchBehaviour.runDetails) return { status: 204 };
    const json = runJson(ctx, run);
    return { body: { workflow_run_id: run.id, run_url: json.url, html_url: json.html_url } };
  });

  const listRuns = (req: FakeRequest, runs: RunState[]): { headers: Record<string, string>; body: unknown } => {
    const q = req.query;
    const visible = runs.filter((r) => r.hiddenListings <= 0);
    for (const r of runs) r.hiddenListings -= 1;
    const matching = visible
      .filter((r) => !q.get('event') || r.event === q.get('event'))
      .filter((r) => !q.get('branch') || r.headBranch === q.get('branch'))
      .filter((r) => !q.get('head_sha') || r.headSha === q.get('head_sha'))
      .filter((r) => !q.get('status') || r.status === q.get('status') || r.conclusion === q.get('status'))
      .filter((r) => !q.get('created') || matchesCreated(r.createdAt, q.get('created') ?? ''))
      .sort((a, b) => b.id - a.id);
    const page = paginate(ctx, req.path, q, matching);
    return { headers: page.headers, body: { total_count: matching.length, workflow_runs: page.items.map((r) => runJson(ctx, r)) } };
  };

  route('GET', '/repos/:owner/:repo/actions/workflows/:workflow/runs', (req) => {
    const workflow = store.workflow(repoOf(req), req.params.workflow ?? '');
    return listRuns(req, store.runs.filter((r) => r.workflow === workflow));
  });

  route('GET', '/repos/:owner/:repo/actions/runs', (req) => {
    const repo = repoOf(req);
    return listRuns(req, store.runs.filter((r) => r.repo === repo));
  });

  route('GET', '/repos/:owner/:repo/actions/runs/:id', (req) => {
    const repo = repoOf(req);
    const run = store.run(Number(req.params.id));
    if (run.repo !== repo) throw new GitHubApiError(404, 'Not Found');
    return { body: runJson(ctx, run) };
  });

  route('POST', '/repos/:owner/:repo/deployments', (req) => {
    const repo = repoOf(req);
    const body = bodyOf(req);
    if (typeof body.ref !== 'string' || !body.ref) {
      throw new GitHubApiError(422, 'Validation Failed', [{ resource: 'Deployment', field: 'ref', code: 'missing_field' }]);
    }
    const sha = store.resolveRef(repo, body.ref);
    if (!sha) throw new GitHubApiError(422, `No ref found for: ${body.ref}`);
    // Omitting required_contexts means "every context on the ref must be green", which trips up real callers.
    const contexts = store.contexts(repo, sha);
    const required = Array.isArray(body.required_contexts) ? (body.required_contexts as string[]) : contexts.map((c) => c.context);
    if (required.some((name) => !contexts.some((c) => c.context === name && c.state === 'success'))) {
      throw new GitHubApiError(409, `Conflict: Commit status checks failed for ${body.ref}.`, [
        { contexts, resource: 'Deployment', field: 'required_contexts', code: 'invalid' },
      ]);
    }
    const environment = typeof body.environment === 'string' ? body.environment : 'production';
    const deployment: DeploymentState = {
      id: store.newId(), sha, ref: body.ref, environment,
      task: typeof body.task === 'string' ? body.task : 'deploy',
      description: typeof body.description === 'string' ? body.description : null,
      payload: body.payload ?? {},
      productionEnvironment: typeof body.production_environment === 'boolean' ? body.production_environment : environment === 'production',
      transientEnvironment: body.transient_environment === true,
      createdAt: store.now(), statuses: [],
    };
    repo.deployments.push(deployment);
    return { status: 201, body: deploymentJson(ctx, repo, deployment) };
  });

  route('GET', '/repos/:owner/:repo/deployments', (req) => {
    const repo = repoOf(req);
    const q = req.query;
    const list = [...repo.deployments].reverse().filter((d) =>
      (['sha', 'ref', 'task', 'environment'] as const).every((k) => !q.get(k) || d[k] === q.get(k)));
    const page = paginate(ctx, req.path, q, list);
    return { headers: page.headers, body: page.items.map((d) => deploymentJson(ctx, repo, d)) };
  });

  const deploymentOf = (req: FakeRequest): [RepoState, DeploymentState] => {
    const repo = repoOf(req);
    const deployment = repo.deployments.find((d) => d.id === Number(req.params.id));
    if (!deployment) throw new GitHubApiError(404, 'Not Found');
    return [repo, deployment];
  };

  route('POST', '/repos/:owner/:repo/deployments/:id/statuses', (req) => {
    const [repo, deployment] = deploymentOf(req);
    const body = bodyOf(req);
    if (typeof body.state !== 'string' || !DEPLOYMENT_STATES.includes(body.state)) {
      throw new GitHubApiError(422, 'Validation Failed', [{ resource: 'DeploymentStatus', field: 'state', code: 'invalid' }]);
    }
    const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);
    const status = {
      id: store.newId(), state: body.state, description: str(body.description),
      environment: str(body.environment, deployment.environment),
      targetUrl: str(body.target_url), logUrl: str(body.log_url, str(body.target_url)),
      environmentUrl: str(body.environment_url), createdAt: store.now(),
    };
    deployment.statuses.push(status);
    if (status.state === 'success' && body.auto_inactive !== false) markOlderInactive(repo, deployment, status.createdAt, store.newId.bind(store));
    return { status: 201, body: deploymentStatusJson(ctx, repo, deployment, status) };
  });

  route('GET', '/repos/:owner/:repo/deployments/:id/statuses', (req) => {
    const [repo, deployment] = deploymentOf(req);
    const page = paginate(ctx, req.path, req.query, [...deployment.statuses].reverse());
    return { headers: page.headers, body: page.items.map((s) => deploymentStatusJson(ctx, repo, deployment, s)) };
  });
}

/** GitHub's `auto_inactive`: a successful deploy retires earlier non-transient, non-production ones in its environment. */
function markOlderInactive(repo: RepoState, current: DeploymentState, at: string, newId: () => number): void {
  for (const d of repo.deployments) {
    if (d === current || d.environment !== current.environment || d.transientEnvironment || d.productionEnvironment) continue;
    if (d.statuses.at(-1)?.state === 'inactive') continue;
    d.statuses.push({
      id: newId(), state: 'inactive', description: '', environment: d.environment,
      targetUrl: '', logUrl: '', environmentUrl: '', createdAt: at,
    });
  }
}
