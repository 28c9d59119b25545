import type { MergeMethod } from '../../domain/pull-request.ts';
import { mergeTrees } from './merge-tree.ts';
import type { RepoOnDisk } from './repo-on-disk.ts';

export interface MergeCommitInput {
  method: MergeMethod;
  /** The base branch's commit the result goes on top of. */
  base: string;
  /** The approved head commit. */
  head: string;
  /** Subject and body of the merge or squash commit (a rebase keeps each commit's own). */
  title: string;
  message: string;
}

/** The commit the base branch should move to, or why there is none. Nothing is moved here. */
export type MergeCommit =
  | { ok: true; sha: string }
  | { ok: false; conflicts: string[] }
  | { ok: false; problem: string };

const short = (sha: string): string => sha.slice(0, 7);

/**
 * Writes what GitHub's merge button would, with plumbing only (no index, no checkout):
 * - merge: a merge commit, parents base and head;
 * - squash: one commit with the merged tree, parent base;
 * - rebase: each commit of base..head replayed on base, authors kept, Baton the committer.
 * The objects are written; the branch is the caller's to move (compare-and-swap).
 */
export async function buildMergeCommit(repo: RepoOnDisk, input: MergeCommitInput): Promise<MergeCommit> {
  if (input.method === 'rebase') return replay(repo, input.base, input.head);
  const merged = await mergeTrees(repo, input.base, input.head);
  if (!merged.ok) return 'conflicts' in merged ? merged : { ok: false, problem: 'its branch shares no history with the base branch' };
  const parents = input.method === 'merge' ? [input.base, input.head] : [input.base];
  const message = ['-m', input.title, ...(input.message.trim() ? ['-m', input.message] : [])];
  const sha = await repo.out(['commit-tree', '--no-gpg-sign', merged.tree, ...parents.flatMap((p) => ['-p', p]), ...message]);
  return { ok: true, sha };
}

async function treeOf(repo: RepoOnDisk, commit: string): Promise<string> {
  return repo.out(['rev-parse', '--verify', `${commit}^{tree}`]);
}

async function replay(repo: RepoOnDisk, base: string, head: string): Promise<MergeCommit> {
  const listed = await repo.out(['rev-list', '--reverse', '--topo-order', '--parents', `${base}..${head}`]);
  let tip = base;
  for (const line of listed.split('\n').filter(Boolean)) {
    const [commit = '', ...parents] = line.split(' ');
    if (parents.length !== 1) {
      return { ok: false, problem: `its commit ${short(commit)} is a merge, which a rebase merge cannot replay; merge or squash it instead` };
    }
    const tree = await replayedTree(repo, tip, parents[0]!, commit);
    if (typeof tree !== 'string') return tree;
    // A change the base already has: dropped, as `git rebase` drops it.
    if (tree === (await treeOf(repo, tip))) continue;
    const { env, message } = await authorAndMessage(repo, commit);
    tip = (await repo.run(['commit-tree', '--no-gpg-sign', tree, '-p', tip, '-m', message], { env })).stdout.trim();
  }
  return { ok: true, sha: tip };
}

/**
 * `commit` applied on `tip`: a three-way merge whose base is the commit's parent. git 2.38's
 * merge-tree finds the merge base itself (the `--merge-base` option came in 2.40), so it is given
 * two stand-ins with that parent as their only parent: one with the tip's tree, one with the
 * commit's. Their merge base is the parent, which makes the merge a cherry-pick.
 */
async function replayedTree(repo: RepoOnDisk, tip: string, parent: string, commit: string): Promise<string | { ok: false; conflicts: string[] }> {
  const tipTree = await treeOf(repo, tip);
  if (tipTree === (await treeOf(repo, parent))) return treeOf(repo, commit);
  const standIn = (tree: string, note: string): Promise<string> =>
    repo.out(['commit-tree', '--no-gpg-sign', tree, '-p', parent, '-m', `baton: replay stand-in (${note})`]);
  const ours = await standIn(tipTree, 'base');
  const theirs = await standIn(await treeOf(repo, commit), short(commit));
  const merged = await mergeTrees(repo, ours, theirs);
  if (merged.ok) return merged.tree;
  // The stand-ins share their parent, so histories are never unrelated here.
  return { ok: false, conflicts: 'conflicts' in merged ? merged.conflicts : [] };
}

/** The commit's author (kept by a rebase) as git's environment, and its message as written. */
async function authorAndMessage(repo: RepoOnDisk, commit: string): Promise<{ env: Record<string, string>; message: string }> {
  const raw = (await repo.run(['cat-file', 'commit', commit])).stdout;
  const split = raw.indexOf('\n\n');
  const headers = split === -1 ? raw : raw.slice(0, split);
  const message = split === -1 ? '' : raw.slice(split + 2);
  const author = /^author (.*) <(.*)> (\d+) ([+-]\d{4})$/m.exec(headers);
  // `@<seconds> <zone>` is git's own date format, read back exactly.
  const env: Record<string, string> = author ? { GIT_AUTHOR_NAME: author[1]!, GIT_AUTHOR_EMAIL: author[2]!, GIT_AUTHOR_DATE: `@${author[3]} ${author[4]}` } : {};
  return { env, message };
}
