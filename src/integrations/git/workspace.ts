import { join } from 'node:path';
import { GitError } from './git-error.ts';
import { refFormatProblem } from './ref-format-problem.ts';

export interface GitRepo {
  owner: string;
  name: string;
  /** https://, http:// or file://, never with credentials in it. */
  cloneUrl: string;
  baseBranch: string;
}

/** One run's checkout: a worktree of the repository's cached mirror, on its own branch. */
export interface Workspace {
  runId: string;
  repo: GitRepo;
  path: string;
  branch: string;
  /** The base branch's commit the branch was started from (or last rebased onto). */
  baseSha: string;
}

const SAFE_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,99}$/;

function invalid(message: string): GitError {
  return new GitError('invalid_input', message);
}

/** Run ids and repository names become directory names: nothing that could climb out of dataDir. */
export function assertSafeSegment(value: string, what: string): void {
  if (!SAFE_SEGMENT.test(value) || value.includes('..')) throw invalid(`${what} ${JSON.stringify(value)} is not a safe name`);
}

export function assertValidRepo(repo: GitRepo): void {
  assertSafeSegment(repo.owner, 'repository owner');
  assertSafeSegment(repo.name, 'repository name');
  let url: URL;
  try {
    url = new URL(repo.cloneUrl);
  } catch (error) {
    throw new GitError('invalid_input', `clone URL for ${repo.owner}/${repo.name} is not a URL`, { cause: error });
  }
  if (!['https:', 'http:', 'file:'].includes(url.protocol)) throw invalid(`clone URL protocol ${url.protocol} is not supported`);
  // Credentials in a URL end up in .git/config and in git's messages; they go through the helper instead.
  if (url.username || url.password) throw invalid(`clone URL for ${repo.owner}/${repo.name} must not contain credentials`);
  const problem = refFormatProblem(repo.baseBranch);
  if (problem) throw invalid(`base branch ${JSON.stringify(repo.baseBranch)} is not a valid branch name: ${problem}`);
}

export function mirrorPathOf(dataDir: string, repo: GitRepo): string {
  return join(dataDir, 'mirrors', repo.owner, `${repo.name}.git`);
}

export function lockPathOf(mirrorPath: string): string {
  return `${mirrorPath}.lock`;
}

export function workspacesDirOf(dataDir: string): string {
  return join(dataDir, 'workspaces');
}

/** Where base branches land in the mirror: remote-tracking refs, apart from the runs' own branches. */
export function baseRefOf(repo: GitRepo): string {
  return `refs/remotes/origin/${repo.baseBranch}`;
}

/** A full commit id: 40 hex digits (SHA-1) or 64 (SHA-256 repositories). */
export const COMMIT_SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
