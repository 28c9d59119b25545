import { createHash } from 'node:crypto';
import { GITHUB_DOCS as DOCS, GitHubApiError } from './github-api-error.ts';

export { GitHubApiError } from './github-api-error.ts';

export type MergeMethod = 'merge' | 'squash' | 'rebase';
export type CheckConclusion =
  | 'success' | 'failure' | 'neutral' | 'cancelled' | 'skipped' | 'timed_out' | 'action_required';
export type CommitState = 'error' | 'failure' | 'pending' | 'success';
export type RunStatus = 'queued' | 'in_progress' | 'completed';

export interface RepoSeed {
  owner: string;
  name: string;
  defaultBranch?: string;
  /** branch → head SHA; the default branch gets a generated SHA when missing. */
  branches?: Record<string, string>;
  mergeMethods?: MergeMethod[];
  /** Contexts a protected base branch requires before `pulls.merge` succeeds. */
  requiredChecks?: string[];
  workflows?: { id?: number; name: string; path: string }[];
}

export interface PullSeed {
  head: string;
  base?: string;
  title?: string;
  body?: string;
  draft?: boolean;
  /** `null` mimics GitHub still computing mergeability. */
  mergeable?: boolean | null;
  /** Overrides the state derived from checks and `mergeable`. */
  mergeableState?: string;
}

export interface WorkflowState { id: number; name: string; path: string }

export interface RepoState {
  id: number;
  owner: string;
  name: string;
  defaultBranch: string;
  branches: Map<string, string>;
  mergeMethods: Set<MergeMethod>;
  requiredChecks: string[];
  workflows: WorkflowState[];
  nextNumber: number;
  pulls: PullState[];
  comments: CommentState[];
  checkRuns: CheckRunState[];
  statuses: StatusState[];
  deployments: DeploymentState[];
}

export interface PullState {
  id: number;
  number: number;
  title: string;
  body: string | null;
  head: string;
  headOwner: string;
  base: string;
  state: 'open' | 'closed';
  draft: boolean;
  merged: boolean;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  mergeMethod: MergeMethod | null;
  /** The merge commit's subject and body; null until merged, and for a rebase, which makes no merge commit. */
  mergeCommit: MergeCommitState | null;
  /** Frozen at merge/close so a later push to the branch does not rewrite history. */
  closedHeadSha: string | null;
  mergeable: boolean | null;
  mergeableState: string | undefined;
  labels: string[];
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

export interface MergeCommitState { title: string; message: string }

/** One merged PR as a test reads it back: how it was merged and the merge commit's subject and body. */
export interface MergeRecord {
  number: number;
  method: MergeMethod;
  /** The merge commit (for a rebase, the last rebased commit, as GitHub reports it). */
  sha: string;
  /** null for a rebase: GitHub ignores commit_title and commit_message there. */
  commitTitle: string | null;
  commitMessage: string | null;
}

export interface CommentState { id: number; issueNumber: number; body: string; createdAt: string }
export interface CheckRunState {
  id: number; sha: string; name: string; status: RunStatus; conclusion: CheckConclusion | null;
  detailsUrl: string | null; startedAt: string; completedAt: string | null;
}
export interface StatusState {
  id: number; sha: string; context: string; state: CommitState;
  description: string | null; targetUrl: string | null; createdAt: string;
}
export interface RunState {
  id: number; repo: RepoState; workflow: WorkflowState; event: string; headBranch: string;
  headSha: string; status: RunStatus; conclusion: string | null; runNumber: number;
  createdAt: string; updatedAt: string;
  /** How many more run listings leave it out: GitHub lists a dispatched run a moment after the 204. */
  hiddenListings: number;
}

export interface DispatchBehaviour {
  /** Honour `return_run_details` as GitHub.com does since 2026-02; false answers 204 like older servers. */
  runDetails: boolean;
  /** Listings a freshly dispatched run is missing from. */
  hiddenListings: number;
}
export interface DispatchRecord {
  owner: string; repo: string; workflow: string; ref: string; inputs: Record<string, unknown>; runId: number;
}
export interface DeploymentState {
  id: number; sha: string; ref: string; task: string; environment: string; description: string | null;
  payload: unknown; productionEnvironment: boolean; transientEnvironment: boolean; createdAt: string;
  statuses: DeploymentStatusState[];
}
export interface DeploymentStatusState {
  id: number; state: string; description: string; environment: string;
  targetUrl: string; logUrl: string; environmentUrl: string; createdAt: string;
}

/** In-memory GitHub: repos, branches, PRs, CI results, workflow runs and deployments. */
export class GitHubStore {
  readonly runs: RunState[] = [];
  readonly dispatches: DispatchRecord[] = [];
  readonly dispatchBehaviour: DispatchBehaviour = { runDetails: true, hiddenListings: 0 };
  private readonly repos = new Map<string, RepoState>();
  private nextId = 1000;
  private shaSeq = 0;

  newId(): number {
    return this.nextId++;
  }

  newSha(seed = ''): string {
    return createHash('sha1').update(`${seed}:${++this.shaSeq}`).digest('hex');
  }

  /** GitHub timestamps carry whole seconds only. */
  now(): string {
    return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  seedRepo(seed: RepoSeed): RepoState {
    const defaultBranch = seed.defaultBranch ?? 'main';
    const branches = new Map(Object.entries(seed.branches ?? {}));
    if (!branches.has(defaultBranch)) branches.set(defaultBranch, this.newSha(defaultBranch));
    const repo: RepoState = {
      id: this.newId(), owner: seed.owner, name: seed.name, defaultBranch, branches,
      mergeMethods: new Set(seed.mergeMethods ?? ['merge', 'squash', 'rebase']),
      requiredChecks: seed.requiredChecks ?? [],
      workflows: (seed.workflows ?? []).map((w) => ({ id: w.id ?? this.newId(), name: w.name, path: w.path })),
      nextNumber: 1, pulls: [], comments: [], checkRuns: [], statuses: [], deployments: [],
    };
    this.repos.set(`${seed.owner}/${seed.name}`.toLowerCase(), repo);
    return repo;
  }

  repo(owner: string, name: string): RepoState {
    const repo = this.repos.get(`${owner}/${name}`.toLowerCase());
    if (!repo) throw new GitHubApiError(404, 'Not Found');
    return repo;
  }

  allRepos(): RepoState[] {
    return [...this.repos.values()];
  }

  pull(repo: RepoState, number: number): PullState {
    const pull = repo.pulls.find((p) => p.number === number);
    if (!pull) throw new GitHubApiError(404, 'Not Found');
    return pull;
  }

  /** Branch names (optionally `refs/heads/…`) resolve to their head; anything else is taken as a SHA. */
  resolveRef(repo: RepoState, ref: string): string | undefined {
    const branch = ref.replace(/^refs\/heads\//, '');
    if (repo.branches.has(branch)) return repo.branches.get(branch);
    return /^[0-9a-f]{7,40}$/i.test(ref) ? ref : undefined;
  }

  headSha(repo: RepoState, pull: PullState): string {
    return pull.closedHeadSha ?? repo.branches.get(pull.head) ?? '';
  }

  latestCheckRuns(repo: RepoState, sha: string): CheckRunState[] {
    const byName = new Map<string, CheckRunState>();
    for (const run of repo.checkRuns) if (run.sha === sha) byName.set(run.name, run);
    return [...byName.values()];
  }

  latestStatuses(repo: RepoState, sha: string): StatusState[] {
    const byContext = new Map<string, StatusState>();
    for (const status of repo.statuses) if (status.sha === sha) byContext.set(status.context, status);
    return [...byContext.values()];
  }

  /** Commit statuses and check runs folded into one context → state list, as branch protection sees them. */
  contexts(repo: RepoState, sha: string): { context: string; state: CommitState }[] {
    const checks = this.latestCheckRuns(repo, sha).map((run) => ({
      context: run.name,
      state: (run.status !== 'completed' ? 'pending'
        : ['success', 'neutral', 'skipped'].includes(run.conclusion ?? '') ? 'success' : 'failure') as CommitState,
    }));
    return [...this.latestStatuses(repo, sha).map((s) => ({ context: s.context, state: s.state })), ...checks];
  }

  combinedState(repo: RepoState, sha: string): CommitState {
    const states = this.latestStatuses(repo, sha).map((s) => s.state);
    if (states.some((s) => s === 'error' || s === 'failure')) return 'failure';
    if (states.length === 0 || states.includes('pending')) return 'pending';
    return 'success';
  }

  /** The first required context that is missing or not green, if any. */
  unmetRequiredCheck(repo: RepoState, sha: string): string | undefined {
    const contexts = this.contexts(repo, sha);
    return repo.requiredChecks.find((name) => !contexts.some((c) => c.context === name && c.state === 'success'));
  }

  mergeableState(repo: RepoState, pull: PullState): string {
    if (pull.mergeableState) return pull.mergeableState;
    if (pull.state === 'closed') return 'unknown';
    if (pull.draft) return 'draft';
    if (pull.mergeable === null) return 'unknown';
    if (!pull.mergeable) return 'dirty';
    const sha = this.headSha(repo, pull);
    if (this.unmetRequiredCheck(repo, sha)) return 'blocked';
    return this.contexts(repo, sha).every((c) => c.state === 'success') ? 'clean' : 'unstable';
  }

  createPull(repo: RepoState, seed: PullSeed & { headOwner?: string }): PullState {
    const base = seed.base ?? repo.defaultBranch;
    if (!repo.branches.has(seed.head)) {
      throw new GitHubApiError(422, 'Validation Failed', [{ resource: 'PullRequest', field: 'head', code: 'invalid' }]);
    }
    if (!repo.branches.has(base)) {
      throw new GitHubApiError(422, 'Validation Failed', [{ resource: 'PullRequest', field: 'base', code: 'invalid' }]);
    }
    const headOwner = seed.headOwner ?? repo.owner;
    if (repo.pulls.some((p) => p.state === 'open' && p.head === seed.head && p.headOwner === headOwner && p.base === base)) {
      throw new GitHubApiError(
        422, 'Validation Failed',
        [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${headOwner}:${seed.head}.` }],
        `${DOCS}/pulls/pulls#create-a-pull-request`,
      );
    }
    const at = this.now();
    const pull: PullState = {
      id: this.newId(), number: repo.nextNumber++, title: seed.title ?? seed.head, body: seed.body ?? null,
      head: seed.head, headOwner, base, state: 'open', draft: seed.draft ?? false, merged: false,
      mergedAt: null, mergeCommitSha: null, mergeMethod: null, mergeCommit: null, closedHeadSha: null, mergeable: seed.mergeable === undefined ? true : seed.mergeable, // `??` would turn a seeded null into true
      mergeableState: seed.mergeableState, labels: [], createdAt: at, updatedAt: at, closedAt: null,
    };
    repo.pulls.push(pull);
    return pull;
  }

  mergePull(
    repo: RepoState, pull: PullState, opts: { sha?: string; merge_method?: string; commit_title?: string; commit_message?: string },
  ): { sha: string; merged: true; message: string } {
    const method = (opts.merge_method ?? 'merge') as MergeMethod;
    if (!repo.mergeMethods.has(method)) {
      const noun = { merge: 'Merge commits', squash: 'Squash merges', rebase: 'Rebase merges' }[method] ?? method;
      throw new GitHubApiError(405, `${noun} are not allowed on this repository.`, undefined, `${DOCS}/pulls/pulls#merge-a-pull-request`);
    }
    const head = this.headSha(repo, pull);
    if (pull.state !== 'open' || pull.draft || pull.mergeable === false || pull.mergeableState === 'dirty') {
      throw new GitHubApiError(405, 'Pull Request is not mergeable', undefined, `${DOCS}/pulls/pulls#merge-a-pull-request`);
    }
    if (opts.sha !== undefined && opts.sha !== head) {
      throw new GitHubApiError(409, 'Head branch was modified. Review and try the merge again.', undefined, `${DOCS}/pulls/pulls#merge-a-pull-request`);
    }
    const unmet = this.unmetRequiredCheck(repo, head);
    if (unmet) {
      throw new GitHubApiError(405, `Required status check "${unmet}" is expected.`, undefined, 'https://help.github.com/articles/about-protected-branches');
    }
    const sha = this.newSha(`merge:${pull.number}`);
    const at = this.now();
    repo.branches.set(pull.base, sha);
    Object.assign(pull, {
      state: 'closed', merged: true, mergedAt: at, closedAt: at, updatedAt: at, mergeCommitSha: sha, closedHeadSha: head,
      mergeMethod: method, mergeCommit: mergeCommit(pull, method, opts),
    });
    return { sha, merged: true, message: 'Pull Request successfully merged' };
  }

  workflow(repo: RepoState, idOrFile: string | number): WorkflowState {
    const key = String(idOrFile);
    const workflow = repo.workflows.find((w) => String(w.id) === key || w.path.split('/').pop() === key);
    if (!workflow) throw new GitHubApiError(404, 'Not Found', undefined, `${DOCS}/actions/workflows`);
    return workflow;
  }

  dispatch(repo: RepoState, workflowKey: string, ref: string, inputs: Record<string, unknown>): RunState {
    const workflow = this.workflow(repo, workflowKey);
    const branch = ref.replace(/^refs\/heads\//, '');
    const sha = this.resolveRef(repo, ref);
    if (!sha) throw new GitHubApiError(422, `No ref found for: ${ref}`);
    const at = this.now();
    const run: RunState = {
      id: this.newId(), repo, workflow, event: 'workflow_dispatch', headBranch: branch, headSha: sha,
      status: 'queued', conclusion: null, createdAt: at, updatedAt: at, hiddenListings: this.dispatchBehaviour.hiddenListings,
      runNumber: this.runs.filter((r) => r.workflow === workflow).length + 1,
    };
    this.runs.push(run);
    this.dispatches.push({ owner: repo.owner, repo: repo.name, workflow: workflowKey, ref, inputs, runId: run.id });
    return run;
  }

  run(id: number): RunState {
    const run = this.runs.find((r) => r.id === id);
    if (!run) throw new GitHubApiError(404, 'Not Found');
    return run;
  }
}

/**
 * The commit a merge writes. Left out, GitHub's defaults (per the repository's default merge
 * message settings): a merge is "Merge pull request #n from owner/branch" with the PR title as
 * body; a squash is "Title (#n)" with its commits' messages (which the fake does not model) as
 * body. A rebase replays the commits as they are, so GitHub ignores both fields there.
 */
function mergeCommit(
  pull: PullState, method: MergeMethod, opts: { commit_title?: string; commit_message?: string },
): MergeCommitState | null {
  if (method === 'rebase') return null;
  const title = opts.commit_title ?? (method === 'merge' ? `Merge pull request #${pull.number} from ${pull.headOwner}/${pull.head}` : `${pull.title} (#${pull.number})`);
  const message = opts.commit_message ?? (method === 'merge' ? pull.title : '');
  return { title, message };
}
