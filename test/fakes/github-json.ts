import type {
  CheckRunState, DeploymentState, DeploymentStatusState, GitHubStore, PullState, RepoState, RunState, StatusState,
} from './github-store.ts';

/** Serializers into GitHub REST shapes. `api` is the fake's base URL so `url` fields point back at it. */
export interface GitHubJsonContext {
  store: GitHubStore;
  api: string;
}

const WEB = 'https://github.com';

const user = (login: string): Record<string, unknown> => ({
  login, id: login.length * 1000 + 1, node_id: `U_${login}`, type: login.endsWith('[bot]') ? 'Bot' : 'User',
  html_url: `${WEB}/${login}`, avatar_url: `https://avatars.githubusercontent.com/${login}`,
});

export function repoJson({ api }: GitHubJsonContext, repo: RepoState): Record<string, unknown> {
  const fullName = `${repo.owner}/${repo.name}`;
  return {
    id: repo.id, node_id: `R_${repo.id}`, name: repo.name, full_name: fullName, private: true,
    owner: user(repo.owner), html_url: `${WEB}/${fullName}`, url: `${api}/repos/${fullName}`,
    default_branch: repo.defaultBranch,
    allow_merge_commit: repo.mergeMethods.has('merge'),
    allow_squash_merge: repo.mergeMethods.has('squash'),
    allow_rebase_merge: repo.mergeMethods.has('rebase'),
    permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
  };
}

export function pullJson(ctx: GitHubJsonContext, repo: RepoState, pull: PullState): Record<string, unknown> {
  const fullName = `${repo.owner}/${repo.name}`;
  const ref = (branch: string, sha: string, owner: string): Record<string, unknown> => ({
    label: `${owner}:${branch}`, ref: branch, sha, user: user(owner), repo: repoJson(ctx, repo),
  });
  return {
    id: pull.id, node_id: `PR_${pull.id}`, number: pull.number,
    url: `${ctx.api}/repos/${fullName}/pulls/${pull.number}`,
    html_url: `${WEB}/${fullName}/pull/${pull.number}`,
    state: pull.state, title: pull.title, body: pull.body, draft: pull.draft, locked: false,
    user: user('baton[bot]'),
    labels: pull.labels.map((name) => labelJson(ctx, repo, name)),
    head: ref(pull.head, ctx.store.headSha(repo, pull), pull.headOwner),
    base: ref(pull.base, repo.branches.get(pull.base) ?? '', repo.owner),
    merged: pull.merged, merged_at: pull.mergedAt, merged_by: pull.merged ? { login: 'baton-test[bot]', type: 'Bot' } : null, merge_commit_sha: pull.mergeCommitSha,
    mergeable: pull.state === 'open' ? pull.mergeable : null,
    mergeable_state: ctx.store.mergeableState(repo, pull),
    created_at: pull.createdAt, updated_at: pull.updatedAt, closed_at: pull.closedAt,
  };
}

export function labelJson({ api }: GitHubJsonContext, repo: RepoState, name: string): Record<string, unknown> {
  const id = [...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
  return {
    id, node_id: `LA_${id}`, url: `${api}/repos/${repo.owner}/${repo.name}/labels/${encodeURIComponent(name)}`,
    name, color: 'ededed', default: false, description: null,
  };
}

export function checkRunJson({ api }: GitHubJsonContext, repo: RepoState, run: CheckRunState): Record<string, unknown> {
  const fullName = `${repo.owner}/${repo.name}`;
  return {
    id: run.id, node_id: `CR_${run.id}`, head_sha: run.sha, external_id: null, name: run.name,
    url: `${api}/repos/${fullName}/check-runs/${run.id}`, html_url: `${WEB}/${fullName}/runs/${run.id}`,
    details_url: run.detailsUrl, status: run.status, conclusion: run.conclusion,
    started_at: run.startedAt, completed_at: run.completedAt,
    output: { title: null, summary: null, text: null, annotations_count: 0, annotations_url: `${api}/repos/${fullName}/check-runs/${run.id}/annotations` },
    check_suite: { id: run.id + 1 }, app: { id: 15368, slug: 'github-actions', name: 'GitHub Actions' }, pull_requests: [],
  };
}

export function statusJson({ api }: GitHubJsonContext, repo: RepoState, status: StatusState): Record<string, unknown> {
  return {
    id: status.id, node_id: `SC_${status.id}`, state: status.state, context: status.context,
    description: status.description, target_url: status.targetUrl, avatar_url: null,
    url: `${api}/repos/${repo.owner}/${repo.name}/statuses/${status.sha}`,
    created_at: status.createdAt, updated_at: status.createdAt,
  };
}

export function runJson({ api }: GitHubJsonContext, run: RunState): Record<string, unknown> {
  const fullName = `${run.repo.owner}/${run.repo.name}`;
  const url = `${api}/repos/${fullName}/actions/runs/${run.id}`;
  return {
    id: run.id, node_id: `WFR_${run.id}`, name: run.workflow.name, display_title: run.workflow.name,
    head_branch: run.headBranch, head_sha: run.headSha, path: run.workflow.path,
    run_number: run.runNumber, run_attempt: 1, event: run.event, status: run.status, conclusion: run.conclusion,
    workflow_id: run.workflow.id, url, html_url: `${WEB}/${fullName}/actions/runs/${run.id}`,
    workflow_url: `${api}/repos/${fullName}/actions/workflows/${run.workflow.id}`,
    jobs_url: `${url}/jobs`, logs_url: `${url}/logs`, cancel_url: `${url}/cancel`, rerun_url: `${url}/rerun`,
    pull_requests: [], created_at: run.createdAt, updated_at: run.updatedAt, run_started_at: run.createdAt,
    actor: user('baton[bot]'), triggering_actor: user('baton[bot]'),
  };
}

export function deploymentJson({ api }: GitHubJsonContext, repo: RepoState, d: DeploymentState): Record<string, unknown> {
  const url = `${api}/repos/${repo.owner}/${repo.name}/deployments/${d.id}`;
  return {
    id: d.id, node_id: `DE_${d.id}`, url, sha: d.sha, ref: d.ref, task: d.task, payload: d.payload,
    original_environment: d.environment, environment: d.environment, description: d.description,
    creator: user('baton[bot]'), created_at: d.createdAt, updated_at: d.statuses.at(-1)?.createdAt ?? d.createdAt,
    statuses_url: `${url}/statuses`, repository_url: `${api}/repos/${repo.owner}/${repo.name}`,
    transient_environment: d.transientEnvironment, production_environment: d.productionEnvironment,
  };
}

export function deploymentStatusJson(
  { api }: GitHubJsonContext, repo: RepoState, d: DeploymentState, s: DeploymentStatusState,
): Record<string, unknown> {
  const deploymentUrl = `${api}/repos/${repo.owner}/${repo.name}/deployments/${d.id}`;
  return {
    id: s.id, node_id: `DES_${s.id}`, url: `${deploymentUrl}/statuses/${s.id}`, state: s.state,
    creator: user('baton[bot]'), description: s.description, environment: s.environment,
    target_url: s.targetUrl, log_url: s.logUrl, environment_url: s.environmentUrl,
    created_at: s.createdAt, updated_at: s.createdAt, deployment_url: deploymentUrl,
    repository_url: `${api}/repos/${repo.owner}/${repo.name}`,
  };
}

/** Slices a list like GitHub (`per_page` ≤ 100, `page` from 1) and adds the `link` header Octokit's paginate follows. */
export function paginate<T>(
  { api }: GitHubJsonContext, path: string, query: URLSearchParams, items: T[],
): { items: T[]; headers: Record<string, string> } {
  const perPage = Math.min(Math.max(Number(query.get('per_page') ?? 30) || 30, 1), 100);
  const page = Math.max(Number(query.get('page') ?? 1) || 1, 1);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const href = (n: number): string => {
    const q = new URLSearchParams(query);
    q.set('page', String(n));
    return `<${api}${path}?${q}>`;
  };
  const links = [...(page < last ? [`${href(page + 1)}; rel="next"`, `${href(last)}; rel="last"`] : []),
    ...(page > 1 ? [`${href(1)}; rel="first"`, `${href(page - 1)}; rel="prev"`] : [])];
  return {
    items: items.slice((page - 1) * perPage, page * perPage),
    headers: links.length ? { link: links.join(', ') } : {},
  };
}
