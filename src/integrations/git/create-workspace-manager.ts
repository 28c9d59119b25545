import { mkdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../logger.ts';
import { assertPushableBranch } from './assert-pushable-branch.ts';
import { branchHead } from './branch-head.ts';
import { branchName } from './branch-name.ts';
import { checkOutBaseWithFiles } from './check-out-base-with-files.ts';
import { cleanupStaleWorkspaces, type ActiveRunIds } from './cleanup-stale-workspaces.ts';
import { commitAll } from './commit-all.ts';
import { createGitRunner, type GitCredentials } from './create-git-runner.ts';
import { diffAgainstBase } from './diff-against-base.ts';
import { GitError } from './git-error.ts';
import { pushBranch, type PushOptions } from './push-branch.ts';
import { rebaseOnBase, type RebaseResult } from './rebase-on-base.ts';
import { removeWorktree, worktreeGitDir, type WorktreeDeps } from './remove-worktree.ts';
import { restoreHead, untrackedFiles } from './restore-head.ts';
import { syncMirror } from './sync-mirror.ts';
import { withRepoLock } from './with-repo-lock.ts';
import { assertSafeSegment, assertValidRepo, lockPathOf, mirrorPathOf, workspacesDirOf, type GitRepo, type Workspace } from './workspace.ts';
import { writeBranchMarker } from './worktree-branch-marker.ts';

export interface WorkspaceManagerOptions {
  /** Mirrors, workspaces and git's private HOME live under here. */
  dataDir: string;
  log: Logger;
  /** Asked before every fetch and push; the values reach git only through its environment. */
  credentials?: () => Promise<GitCredentials | undefined>;
  /** Never pushed, on top of main, master and each repository's base branch. */
  protectedBranches?: string[];
  /** PATH for git and what it runs; the parent's environment is never passed through. */
  searchPath?: string;
  /** Author and committer of Baton's commits of the agent's change, and committer of rebased commits. */
  identity?: { name: string; email: string };
  lockTimeoutMs?: number;
  gitTimeoutMs?: number;
}

export interface PrepareWorkspaceInput {
  repo: GitRepo;
  runId: string;
  ticketKey: string;
  title: string;
}

export interface WorkspaceManager {
  prepareWorkspace(input: PrepareWorkspaceInput): Promise<Workspace>;
  rebaseOnBase(workspace: Workspace): Promise<RebaseResult>;
  push(workspace: Workspace, options?: PushOptions): Promise<{ branch: string; sha: string }>;
  removeWorkspace(runId: string): Promise<void>;
  /** Pass a function reading the active runs: it is then read after the workspaces are listed (see ActiveRunIds). */
  cleanupStaleWorkspaces(activeRuns: ActiveRunIds): Promise<string[]>;
  /** Commits everything in the worktree as Baton, hooks off; undefined when nothing changed. */
  commitAll(workspace: Workspace, message: string): Promise<string | undefined>;
  /** The branch head's unified diff against `workspace.baseSha`, renames found. */
  diffAgainstBase(workspace: Workspace): Promise<string>;
  /** The commit the run's branch points at. */
  branchHead(workspace: Workspace): Promise<string>;
  /** The base commit checked out (HEAD detached) with only `paths` taken from `sha`. */
  checkOutBaseWithFiles(workspace: Workspace, sha: string, paths: readonly string[]): Promise<void>;
  /** Untracked, not ignored files in the worktree. */
  untrackedFiles(workspace: Workspace): Promise<string[]>;
  /** Back on the branch as committed, untracked files not in `keep` removed; returns the head. */
  restoreHead(workspace: Workspace, keep: readonly string[]): Promise<string>;
}

const DEFAULT_SEARCH_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function createWorkspaceManager(options: WorkspaceManagerOptions): WorkspaceManager {
  const log = options.log.child({ component: 'git' });
  const identity = options.identity ?? { name: 'Baton', email: 'baton@localhost' };
  const git = createGitRunner({
    home: join(options.dataDir, 'git-home'),
    credentials: options.credentials,
    searchPath: options.searchPath ?? DEFAULT_SEARCH_PATH,
    identity,
    // Generous: the first clone of a large repository is one command.
    timeoutMs: options.gitTimeoutMs ?? 30 * 60_000,
  });
  const lockTimeoutMs = options.lockTimeoutMs ?? 30 * 60_000;
  const protectedBranches = options.protectedBranches ?? [];
  let resolved: Promise<WorktreeDeps> | undefined;
  // git writes real paths into a worktree's `.git` file and its worktree list: with the data
  // directory behind a symlink (DATA_DIR on a mounted volume), paths spelled as configured would
  // never match them, and removing a workspace would leave it registered with its branch.
  const ready = (): Promise<WorktreeDeps> =>
    (resolved ??= (async () => {
      await mkdir(options.dataDir, { recursive: true });
      return { dataDir: await realpath(options.dataDir), git, log, lockTimeoutMs };
    })().catch((error: unknown) => {
      resolved = undefined; // a data directory mounted late is picked up by the next call
      throw error;
    }));
  const workspacePath = (dataDir: string, runId: string): string => join(workspacesDirOf(dataDir), runId);

  return {
    /**
     * A fresh worktree on `baton/<KEY>-<slug>` from the just-fetched base branch. Calling it again
     * for the same run (a redelivered job) replaces the earlier worktree with a fresh one.
     */
    async prepareWorkspace({ repo, runId, ticketKey, title }) {
      assertValidRepo(repo);
      assertSafeSegment(runId, 'run id');
      const branch = branchName(ticketKey, title);
      // A branch Baton could not push later is refused now, before any work is done on it.
      assertPushableBranch(branch, { baseBranch: repo.baseBranch, protectedBranches });
      const deps = await ready();
      const path = workspacePath(deps.dataDir, runId);
      await removeWorktree(path, deps);
      await mkdir(workspacesDirOf(deps.dataDir), { recursive: true });
      const lock = lockPathOf(mirrorPathOf(deps.dataDir, repo));
      const { baseSha } = await withRepoLock(
        lock,
        async () => {
          const synced = await syncMirror(repo, deps);
          // Registered under the lock (it writes the mirror's refs and worktrees/), checked out
          // after it: on a large repository the checkout is most of the time, and another run of the
          // same repository need not wait for it.
          const add = ['worktree', 'add', '--quiet', '--no-checkout', '--no-track', '-B', branch, path, synced.baseSha];
          await git.local(add, synced.mirrorPath).catch((error: unknown) => {
            const stderr = error instanceof GitError ? (error.stderr ?? '') : '';
            if (!/already (checked out|used by worktree)/.test(stderr)) throw error;
            throw new GitError('branch_in_use', `${branch} is checked out by another run's workspace`, { cause: error });
          });
          // Under the lock, so start-up cleanup never sees this worktree without knowing its branch.
          const gitDir = await worktreeGitDir(path, deps.dataDir);
          if (!gitDir) throw new GitError('git_failed', `worktree ${path} has no admin directory in its mirror`);
          await writeBranchMarker(gitDir, branch);
          return synced;
        },
        { timeoutMs: deps.lockTimeoutMs },
      );
      await git.local(['reset', '--hard', '--quiet', baseSha], path);
      log.info({ runId, repo: `${repo.owner}/${repo.name}`, branch, baseSha }, 'workspace prepared');
      return { runId, repo, path, branch, baseSha };
    },
    rebaseOnBase: async (workspace) => rebaseOnBase(workspace, await ready()),
    push: async (workspace, pushOptions = {}) => pushBranch(workspace, pushOptions, { ...(await ready()), protectedBranches }),
    async removeWorkspace(runId) {
      assertSafeSegment(runId, 'run id');
      const deps = await ready();
      await removeWorktree(workspacePath(deps.dataDir, runId), deps);
    },
    cleanupStaleWorkspaces: async (activeRuns) => cleanupStaleWorkspaces(activeRuns, await ready()),
    commitAll: async (workspace, message) => commitAll(workspace, message, { ...(await ready()), identity }),
    diffAgainstBase: async (workspace) => diffAgainstBase(workspace, await ready()),
    branchHead: async (workspace) => branchHead(workspace, await ready()),
    checkOutBaseWithFiles: async (workspace, sha, paths) => checkOutBaseWithFiles(workspace, sha, paths, await ready()),
    untrackedFiles: async (workspace) => untrackedFiles(workspace, await ready()),
    restoreHead: async (workspace, keep) => restoreHead(workspace, keep, await ready()),
  };
}
