import { FakeServer, type FakeRequest, type FakeResponse, type Handler } from './fake-server.ts';
import { FakeAppAuthority, type FakeAppSeed } from './github-app-authority.ts';
import { registerCiRoutes } from './github-ci-routes.ts';
import { deploymentJson, deploymentStatusJson, pullJson, runJson, type GitHubJsonContext } from './github-json.ts';
import { registerPullRoutes } from './github-pull-routes.ts';
import {
  GitHubApiError, GitHubStore,
  type CheckConclusion, type CommitState, type DispatchBehaviour, type DispatchRecord, type MergeRecord, type PullSeed, type RepoSeed, type RunStatus,
} from './github-store.ts';

export type { FakeAppSeed, IssuedToken } from './github-app-authority.ts';

export type {
  CheckConclusion, CommitState, DispatchBehaviour, DispatchRecord, MergeMethod, MergeRecord, PullSeed, RepoSeed, RunStatus,
} from './github-store.ts';

export interface FakeGitHubOptions {
  /** The token Octokit must present (`token …` or `Bearer …`); default `ghs_test`. */
  token?: string;
}

export interface CheckRunSeed {
  name: string;
  /** Defaults to `completed` when a conclusion is given, else `in_progress`. */
  status?: RunStatus;
  conclusion?: CheckConclusion;
  detailsUrl?: string;
}

type Json = Record<string, unknown>;

/**
 * GitHub REST for a real Octokit: `new Octokit({ auth: 'ghs_test', baseUrl: fake.url })`.
 * State lives in `store`; the helpers below are the test-facing way to seed and advance it.
 */
export class FakeGitHub extends FakeServer {
  readonly store = new GitHubStore();
  /** GitHub App auth: `configureApp` it, and the installation tokens it issues are accepted like `token`. */
  readonly app = new FakeAppAuthority();
  private readonly token: string;
  private readonly hooks: ((req: FakeRequest) => void | Promise<void>)[] = [];
  private readonly ctx: GitHubJsonContext = { store: this.store, api: '' };
  private requestSeq = 0;

  constructor(options: FakeGitHubOptions = {}) {
    super('github');
    this.token = options.token ?? 'ghs_test';
    const route = (method: string, path: string, handler: Handler): void => {
      this.route(method, path, (req) => this.guard(req, handler));
    };
    registerPullRoutes(route, this.ctx);
    registerCiRoutes(route, this.ctx);
    // Authenticated by the App's JWT, not by a token, so outside `guard`'s token check.
    this.route('POST', '/app/installations/:id/access_tokens', (req) => this.withRequestId(this.app.accessTokens(req)));
  }

  override reset(): void {
    super.reset();
    this.hooks.length = 0;
    this.setDispatchBehaviour({ runDetails: true, hiddenListings: 0 });
  }

  override async start(): Promise<string> {
    this.ctx.api = await super.start();
    return this.ctx.api;
  }

  configureApp(seed: FakeAppSeed): void {
    this.app.configure(seed);
  }

  /**
   * Runs `hook` on every authorized API request before it is answered, e.g. to push to a branch
   * between a client's checks and its merge. Returns the function that removes it; `reset` removes all.
   */
  onRequest(hook: (req: FakeRequest) => void | Promise<void>): () => void {
    this.hooks.push(hook);
    return () => {
      const index = this.hooks.indexOf(hook);
      if (index !== -1) this.hooks.splice(index, 1);
    };
  }

  /** How dispatches answer and how soon their runs are listed (defaults: like GitHub.com, listed at once). */
  setDispatchBehaviour(behaviour: Partial<DispatchBehaviour>): void {
    Object.assign(this.store.dispatchBehaviour, behaviour);
  }

  seedRepo(seed: RepoSeed): void {
    this.store.seedRepo(seed);
  }

  /** Points `branch` at `sha` (creating the branch), which moves the head of any open PR from it. */
  setHead(owner: string, repo: string, branch: string, sha: string = this.store.newSha(branch)): string {
    this.store.repo(owner, repo).branches.set(branch, sha);
    return sha;
  }

  /** Opens a PR directly (the head branch is created if missing); returns its number. */
  seedPull(owner: string, repo: string, seed: PullSeed): number {
    const state = this.store.repo(owner, repo);
    if (!state.branches.has(seed.head)) this.setHead(owner, repo, seed.head);
    return this.store.createPull(state, seed).number;
  }

  /**
   * Someone pushes a commit to an open PR's head branch: the head moves to `sha` (default a new
   * one). Returns the SHAs a `pull_request.synchronize` delivery carries as `before` and `after`.
   */
  pushToPull(owner: string, repo: string, number: number, sha: string = this.store.newSha(`push:${number}`)): { before: string; after: string } {
    const state = this.store.repo(owner, repo);
    const pull = this.store.pull(state, number);
    if (pull.state !== 'open') throw new Error(`FakeGitHub: PR #${number} of ${owner}/${repo} is ${pull.state}; a push would not update it`);
    const before = this.store.headSha(state, pull);
    state.branches.set(pull.head, sha);
    pull.updatedAt = this.store.now();
    return { before, after: sha };
  }

  /** Changes what GitHub would compute asynchronously: mergeability, draft state. */
  updatePull(owner: string, repo: string, number: number, patch: Pick<PullSeed, 'mergeable' | 'mergeableState' | 'draft'>): void {
    Object.assign(this.store.pull(this.store.repo(owner, repo), number), patch);
  }

  /** Adds a check run on a SHA (or a branch's current head); a later run with the same name supersedes it. */
  addCheckRun(owner: string, repo: string, ref: string, run: CheckRunSeed): number {
    const state = this.store.repo(owner, repo);
    const at = this.store.now();
    const status = run.status ?? (run.conclusion ? 'completed' : 'in_progress');
    const id = this.store.newId();
    state.checkRuns.push({
      id, sha: this.sha(state, ref), name: run.name, status, conclusion: run.conclusion ?? null,
      detailsUrl: run.detailsUrl ?? null, startedAt: at, completedAt: status === 'completed' ? at : null,
    });
    return id;
  }

  /** Posts a commit status for `context`; the latest per context wins, as on GitHub. */
  setStatus(
    owner: string, repo: string, ref: string, context: string, state: CommitState,
    opts: { description?: string; targetUrl?: string } = {},
  ): void {
    const repoState = this.store.repo(owner, repo);
    repoState.statuses.push({
      id: this.store.newId(), sha: this.sha(repoState, ref), context, state,
      description: opts.description ?? null, targetUrl: opts.targetUrl ?? null, createdAt: this.store.now(),
    });
  }

  startWorkflowRun(id: number): void {
    Object.assign(this.store.run(id), { status: 'in_progress', updatedAt: this.store.now() });
  }

  completeWorkflowRun(id: number, conclusion: CheckConclusion | 'stale' = 'success'): void {
    Object.assign(this.store.run(id), { status: 'completed', conclusion, updatedAt: this.store.now() });
  }

  /** Every PR across repos, in the shape `pulls.get` returns. */
  pulls(owner?: string, repo?: string): Json[] {
    const repos = owner && repo ? [this.store.repo(owner, repo)] : this.store.allRepos();
    return repos.flatMap((r) => r.pulls.map((p) => pullJson(this.ctx, r, p)));
  }

  /** Merged PRs of a repo, by number: method, merge commit SHA, and the merge commit's subject and body. */
  merges(owner: string, repo: string): MergeRecord[] {
    return this.store.repo(owner, repo).pulls.flatMap((p) =>
      p.merged && p.mergeMethod && p.mergeCommitSha
        ? [{ number: p.number, method: p.mergeMethod, sha: p.mergeCommitSha, commitTitle: p.mergeCommit?.title ?? null, commitMessage: p.mergeCommit?.message ?? null }]
        : []);
  }

  comments(owner: string, repo: string, number: number): string[] {
    return this.store.repo(owner, repo).comments.filter((c) => c.issueNumber === number).map((c) => c.body);
  }

  /** Workflow dispatches as received: workflow id or file, ref, inputs, and the run they created. */
  dispatches(): DispatchRecord[] {
    return [...this.store.dispatches];
  }

  workflowRuns(): Json[] {
    return this.store.runs.map((r) => runJson(this.ctx, r));
  }

  /** Deployments of a repo, oldest first, each with its statuses oldest first. */
  deployments(owner: string, repo: string): (Json & { statuses: Json[] })[] {
    const state = this.store.repo(owner, repo);
    return state.deployments.map((d) => ({
      ...deploymentJson(this.ctx, state, d),
      statuses: d.statuses.map((s) => deploymentStatusJson(this.ctx, state, d, s)),
    }));
  }

  private sha(repo: ReturnType<GitHubStore['repo']>, ref: string): string {
    const sha = this.store.resolveRef(repo, ref);
    if (!sha) throw new Error(`FakeGitHub: ${ref} is neither a branch of ${repo.owner}/${repo.name} nor a SHA`);
    return sha;
  }

  /** Auth, error mapping, and the request id Octokit's request log prints. */
  private async guard(req: FakeRequest, handler: Handler): Promise<FakeResponse> {
    return this.withRequestId(await this.authorized(req, handler));
  }

  private withRequestId(response: FakeResponse): FakeResponse {
    const requestId = `FAKE:${(++this.requestSeq).toString(16).toUpperCase()}`;
    return { ...response, headers: { 'x-github-request-id': requestId, ...response.headers } };
  }

  private async authorized(req: FakeRequest, handler: Handler): Promise<FakeResponse> {
    const [scheme = '', token] = (req.headers.authorization ?? '').split(' ');
    if (!/^(token|bearer)$/i.test(scheme) || (token !== this.token && !this.app.accepts(token))) {
      return { status: 401, body: new GitHubApiError(401, 'Bad credentials').body() };
    }
    try {
      for (const hook of this.hooks) await hook(req);
      return await handler(req);
    } catch (error) {
      if (error instanceof GitHubApiError) return { status: error.status, body: error.body() };
      throw error;
    }
  }
}
