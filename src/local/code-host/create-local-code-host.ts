import {
  addLocalPullComment, closeLocalPull, findOpenLocalPull, insertLocalPull, listLocalPulls, localPullById, localPullByNumber,
  localPullComments, setLocalPullHead, updateLocalPull, type LocalPull, type LocalPullComment,
} from '../../db/local-pull-requests.ts';
import type { Pool } from '../../db/pool.ts';
import type { MergeMethod, MergeOutcome, PullRequest, RepoRef } from '../../domain/pull-request.ts';
import { refFormatProblem } from '../../integrations/git/ref-format-problem.ts';
import type { OpenPullRequestInput } from '../../integrations/github/create-github-client.ts';
import { GitHubError } from '../../integrations/github/github-error.ts';
import type { Logger } from '../../logger.ts';
import { createKeyedQueue } from './keyed-queue.ts';
import { createLocalGit } from './local-git.ts';
import { mergeLocalPull, type LocalMergeApprovedInput } from './merge-local-pull.ts';
import { mergeTrees } from './merge-tree.ts';
import { readDiff } from './read-diff.ts';
import { repoOnDisk, type RepoOnDisk } from './repo-on-disk.ts';
import { toPullRequest, type Mergeability } from './to-pull-request.ts';

export type { LocalMergeApprovedInput } from './merge-local-pull.ts';

/** baton.yml `repos.<owner/name>` of a repository with `path:`. */
export interface LocalRepoConfig {
  /** Absolute path of a git repository on this machine, bare or not. */
  path: string;
  base: string;
  merge_method?: MergeMethod;
}

export interface LocalCodeHostOptions {
  pool: Pool;
  /** Only the repositories with `path:`, keyed owner/name as in baton.yml. */
  repos: Record<string, LocalRepoConfig>;
  /** The local page's base URL: a pull request is `<pageUrl>/pulls/<id>`. */
  pageUrl: string;
  log: Logger;
  /** Committer of merges and author of comments; default Baton <baton@localhost>. */
  identity?: { name: string; email: string };
  /** PATH for git (config.ts reads it); default the usual system directories. */
  searchPath?: string;
  /** HOME for git, so the person's ~/.gitconfig applies in their checkout; left out, none is read. */
  home?: string;
  gitTimeoutMs?: number;
}

const DEFAULT_SEARCH_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

// Failures are GitHubErrors, like GitHubClient's: the jobs (src/jobs/errors.ts) then treat a pull
// request or repository that is not there exactly as they treat GitHub's 404 and 422.
const notFound = (message: string): GitHubError => new GitHubError('not_found', message, { status: 404 });
const invalid = (message: string): GitHubError => new GitHubError('invalid', message, { status: 422 });

/**
 * The code host of repositories on disk (local mode): the GitHubClient verbs the jobs use for pull
 * requests, with the same signatures, over pull requests kept in Baton's database and branches in
 * the repository at `path`. Plus what the local page needs (list, diff, comments).
 */
export function createLocalCodeHost(options: LocalCodeHostOptions) {
  const { pool, log: parentLog } = options;
  const log = parentLog.child({ component: 'local-code-host' });
  const identity = options.identity ?? { name: 'Baton', email: 'baton@localhost' };
  const git = createLocalGit({ searchPath: options.searchPath ?? DEFAULT_SEARCH_PATH, home: options.home, identity, timeoutMs: options.gitTimeoutMs ?? 120_000 });
  const pageUrl = options.pageUrl.replace(/\/+$/, '');
  const serialize = createKeyedQueue();
  const keys = Object.keys(options.repos);

  /** The configured key for a repository, matched without case as GitHub matches names. */
  const keyOf = (repo: RepoRef): string | undefined => {
    const wanted = `${repo.owner}/${repo.name}`.toLowerCase();
    return keys.find((key) => key.toLowerCase() === wanted);
  };
  const resolve = (repo: RepoRef): { key: string; disk: RepoOnDisk } => {
    const key = keyOf(repo);
    if (key === undefined) throw notFound(`${repo.owner}/${repo.name} is not a local repository (no repos.<r>.path in baton.yml)`);
    return { key, disk: repoOnDisk(git, options.repos[key]!.path) };
  };
  const diskOf = (pull: LocalPull): RepoOnDisk | undefined => {
    const config = options.repos[pull.repo];
    return config && repoOnDisk(git, config.path);
  };
  const urlOf = (pull: LocalPull): string => `${pageUrl}/pulls/${pull.id}`;

  /** An open pull request follows its branch, as on GitHub: a push moves its head. */
  const refresh = async (pull: LocalPull): Promise<LocalPull> => {
    const disk = diskOf(pull);
    if (pull.state !== 'open' || !disk) return pull;
    const head = await disk.branchSha(pull.headRef);
    if (!head || head === pull.headSha) return pull; // a deleted branch leaves its last head, as GitHub does
    return (await setLocalPullHead(pool, pull.id, head)) ?? (await localPullById(pool, pull.id)) ?? pull;
  };
  const mergeability = async (disk: RepoOnDisk, pull: LocalPull): Promise<Mergeability> => {
    if (pull.state !== 'open') return { mergeable: null, mergeableState: null };
    const base = await disk.branchSha(pull.baseRef);
    if (!base) return { mergeable: false, mergeableState: 'dirty' };
    const merged = await mergeTrees(disk, base, pull.headSha);
    return merged.ok ? { mergeable: true, mergeableState: 'clean' } : { mergeable: false, mergeableState: 'dirty' };
  };
  const byNumber = async (repo: RepoRef, number: number): Promise<{ key: string; disk: RepoOnDisk; pull: LocalPull }> => {
    const { key, disk } = resolve(repo);
    const pull = await localPullByNumber(pool, key, number);
    if (!pull) throw notFound(`${key} has no local pull request #${number}`);
    return { key, disk, pull: await refresh(pull) };
  };
  const branchOrFail = async (disk: RepoOnDisk, branch: string): Promise<string> => {
    const problem = refFormatProblem(branch);
    if (problem) throw invalid(`${JSON.stringify(branch)} is not a branch name: ${problem}`);
    const sha = await disk.branchSha(branch);
    if (!sha) throw invalid(`the repository at ${disk.path} has no branch ${branch}`);
    return sha;
  };

  return {
    /** Whether `repo` is one of this host's (has `path:` in baton.yml). */
    handles: (repo: RepoRef): boolean => keyOf(repo) !== undefined,

    async findOpenPullRequest(repo: RepoRef, branch: string): Promise<PullRequest | undefined> {
      const { key } = resolve(repo);
      const pull = await findOpenLocalPull(pool, key, branch);
      return pull && toPullRequest(await refresh(pull), urlOf(pull));
    },

    /** Idempotent: the pull request already open from `head` gets the new title, body and commits. */
    async openPullRequest(input: OpenPullRequestInput): Promise<{ pr: PullRequest; created: boolean }> {
      const { key, disk } = resolve(input.repo);
      const headSha = await branchOrFail(disk, input.head);
      const baseSha = await branchOrFail(disk, input.base);
      const update = { title: input.title, body: input.body, headSha, baseSha };
      const existing = await findOpenLocalPull(pool, key, input.head);
      if (!existing) {
        const created = await insertLocalPull(pool, { repo: key, headRef: input.head, baseRef: input.base, ...update });
        if (created) {
          log.info({ repo: key, pr: created.number, head: input.head, headSha }, 'local pull request opened');
          return { pr: toPullRequest(created, urlOf(created)), created: true };
        }
      }
      // Open already, or opened by a racing call between our look and our insert.
      const open = existing ?? (await findOpenLocalPull(pool, key, input.head));
      if (!open) throw new Error(`local pull request from ${input.head} of ${key} vanished while it was opened`);
      const updated = (await updateLocalPull(pool, open.id, update)) ?? open;
      return { pr: toPullRequest(updated, urlOf(updated)), created: false };
    },

    async getPullRequest(repo: RepoRef, number: number): Promise<PullRequest> {
      const { disk, pull } = await byNumber(repo, number);
      return toPullRequest(pull, urlOf(pull), await mergeability(disk, pull));
    },

    /** Merges at the approved SHA only, from a baton/* branch only; otherwise says why not. */
    async mergeApproved(input: LocalMergeApprovedInput): Promise<MergeOutcome> {
      const { key, disk } = resolve(input.repo);
      return serialize(disk.path, () => mergeLocalPull(key, disk.path, input, { pool, git, log, defaultMerger: identity.name }));
    },

    /** Closes without merging; closing a closed (or merged) one is a no-op. The branch is left. */
    async closePullRequest(repo: RepoRef, number: number): Promise<PullRequest> {
      const { pull } = await byNumber(repo, number);
      const closed = (await closeLocalPull(pool, pull.id)) ?? (await localPullById(pool, pull.id)) ?? pull;
      if (closed.state !== pull.state) log.info({ repo: pull.repo, pr: pull.number }, 'local pull request closed');
      return toPullRequest(closed, urlOf(closed));
    },

    async commentOnPullRequest(repo: RepoRef, number: number, markdown: string): Promise<{ url: string }> {
      const { pull } = await byNumber(repo, number);
      const comment = await addLocalPullComment(pool, pull.id, identity.name, markdown);
      return { url: `${urlOf(pull)}#comment-${comment.id}` };
    },

    /** For the page: newest first, open ones following their branches. */
    async listPulls(limit?: number): Promise<LocalPull[]> {
      return Promise.all((await listLocalPulls(pool, limit)).map(refresh));
    },

    async pullById(id: number): Promise<LocalPull | undefined> {
      const pull = await localPullById(pool, id);
      return pull && refresh(pull);
    },

    pullUrl: urlOf,

    /** `base...head` from the repository; empty when the repository is no longer configured. */
    async diff(pull: LocalPull): Promise<{ diff: string; truncated: boolean }> {
      const disk = diskOf(pull);
      return disk ? readDiff(disk, pull) : { diff: '', truncated: false };
    },

    comments: (pull: LocalPull): Promise<LocalPullComment[]> => localPullComments(pool, pull.id),
  };
}

export type LocalCodeHost = ReturnType<typeof createLocalCodeHost>;
