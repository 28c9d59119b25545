import { setTimeout as delay } from 'node:timers/promises';
import { GitError } from '../../integrations/git/git-error.ts';
import type { Logger } from '../../logger.ts';
import type { LocalGit } from './local-git.ts';
import { repoOnDisk, type RepoOnDisk } from './repo-on-disk.ts';

/*
 * A person's repository is usually not bare, and its base branch is usually the one checked out.
 * Moving that branch alone would leave their files and index at the old commit while HEAD names
 * the new one: `git status` would show the merge undone, and a `git commit -a` would undo it for
 * real. So the checkout moves with the branch, as `git merge --ff-only` would move it: a two-tree
 * `read-tree -m -u <old> <new>`, which updates only the files the merge changed and keeps local
 * changes to any other file. git refuses it, touching nothing, when a file the merge changes has
 * local changes, or an untracked file is in the way; Baton asks git first (`-n`) and then refuses
 * the merge itself with that reason, so the branch is never moved under a checkout that cannot
 * follow. Local changes that can be kept are kept, and a warning says so.
 */

const short = (sha: string): string => sha.slice(0, 7);

/** The working trees (the repository's own and linked ones) that have `branch` checked out. */
export async function checkoutsOf(repo: RepoOnDisk, branch: string): Promise<string[]> {
  const fields = (await repo.run(['worktree', 'list', '--porcelain', '-z'])).stdout.split('\0');
  const found: string[] = [];
  let path: string | undefined;
  let onBranch = false;
  let usable = true;
  for (const field of fields) {
    if (field === '') {
      if (path !== undefined && onBranch && usable) found.push(path);
      path = undefined;
      onBranch = false;
      usable = true;
    } else if (field.startsWith('worktree ')) path = field.slice('worktree '.length);
    else if (field === `branch refs/heads/${branch}`) onBranch = true;
    // A bare repository has no files to update; a prunable worktree's directory is gone.
    else if (field === 'bare' || field.startsWith('prunable')) usable = false;
  }
  return found;
}

export type CheckoutsVerdict = { ok: true; dirty: string[] } | { ok: false; message: string };

/** Whether every checkout of the base can move from `from` to `to` without losing anything. */
export async function checkoutsCanMove(git: LocalGit, checkouts: string[], from: string, to: string): Promise<CheckoutsVerdict> {
  const dirty: string[] = [];
  for (const path of checkouts) {
    const checkout = repoOnDisk(git, path);
    for (let waited = 0; ; waited += LOCK_WAIT_MS) {
      try {
        // Stale stat data would read as local changes; refresh it (exit 1 lists files that differ).
        await checkout.run(['update-index', '-q', '--refresh'], { okExitCodes: [1] });
        const status = await checkout.run(['status', '--porcelain', '--untracked-files=no', '-z']);
        if (status.stdout !== '' && !dirty.includes(path)) dirty.push(path);
        await checkout.run(['read-tree', '-m', '-u', '-n', from, to]);
        break;
      } catch (error) {
        if (!(error instanceof GitError) || error.code !== 'git_failed') throw error;
        const stderr = error.stderr ?? error.message;
        // Another git command (a person's, or another Baton process moving this checkout) holds
        // the index for a moment: wait it out rather than refuse an approved merge for it.
        if (LOCKED.test(stderr) && waited < LOCK_PATIENCE_MS) {
          await delay(LOCK_WAIT_MS);
          continue;
        }
        return { ok: false, message: whyNot(path, stderr) };
      }
    }
  }
  return { ok: true, dirty };
}

const LOCKED = /index\.lock|unable to create .*lock/i;
const LOCK_WAIT_MS = 50;
const LOCK_PATIENCE_MS = 3_000;

function whyNot(path: string, stderr: string): string {
  const changed = [...stderr.matchAll(/Entry '(.+?)' (?:not uptodate|would be overwritten)/g)].map((m) => m[1]!);
  const untracked = [...stderr.matchAll(/Untracked working tree file '(.+?)' would be/g)].map((m) => m[1]!);
  if (changed.length > 0) {
    return `the base branch is checked out in ${path}, with local changes to ${changed.join(', ')}, which the merge also changes; commit or stash them there, then retry`;
  }
  if (untracked.length > 0) {
    return `the base branch is checked out in ${path}, where the untracked ${untracked.join(', ')} would be overwritten by the merge; move ${untracked.length === 1 ? 'it' : 'them'} aside, then retry`;
  }
  if (LOCKED.test(stderr)) {
    return `the base branch is checked out in ${path}, where another git command is running; retry when it is done`;
  }
  if (/resolve your current index|unmerged/i.test(stderr)) {
    return `the base branch is checked out in ${path}, which is in the middle of a merge; finish or abort it, then retry`;
  }
  return `the base branch is checked out in ${path}, whose files git would not update: ${stderr.trim().split('\n')[0] ?? 'no reason given'}`;
}

/**
 * After the branch moved: brings each checkout along. It was checked just before; if something
 * changed in between, the branch stays merged and the warning says how to catch the files up.
 */
export async function moveCheckouts(git: LocalGit, checkouts: string[], from: string, to: string, dirty: readonly string[], log: Logger): Promise<void> {
  for (const path of checkouts) {
    try {
      await git(['read-tree', '-m', '-u', from, to], { cwd: path });
      if (dirty.includes(path)) {
        log.warn({ checkout: path, from, to }, `merged into the checked-out base branch in ${path}, which has local changes: they were kept, and the files the merge changed were updated`);
      }
    } catch (error) {
      log.warn(
        { err: error, checkout: path, from, to },
        `merged ${short(to)} into the base branch, but the files checked out in ${path} are still those of ${short(from)}; ` +
          `once git can, run \`git -C ${path} read-tree -m -u ${from} ${to}\` to bring them up to date (it keeps local changes)`,
      );
    }
  }
}
