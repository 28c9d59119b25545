import { GitError } from './git-error.ts';
import type { MirrorDeps } from './sync-mirror.ts';
import type { Workspace } from './workspace.ts';
import { excludePathspecs, nestedRepositories } from './nested-repositories.ts';
import { worktreeGit } from './worktree-git.ts';

export interface CommitDeps extends MirrorDeps {
  /** Author and committer: Baton itself, never the agent or the ticket's author. */
  identity: { name: string; email: string };
}

/**
 * Stages everything in the worktree (untracked files too, .gitignore respected) and commits it on
 * the run's branch as Baton. Runs on the host, outside any sandbox: the repository's hooks are
 * untrusted code, so none run (the runner points core.hooksPath at an empty directory, and
 * --no-verify), and no signing program or automatic gc starts. Returns the new commit, or
 * undefined when there was nothing to commit. Submodules and nested repositories are left as they
 * are: staging them would run `git status` inside them, under their own config (nestedRepositories).
 */
export async function commitAll(workspace: Workspace, message: string, deps: CommitDeps): Promise<string | undefined> {
  const git = await worktreeGit(workspace, deps);
  const head = (await git(['symbolic-ref', '--quiet', 'HEAD']).catch(() => '')).trim();
  if (head !== `refs/heads/${workspace.branch}`) {
    throw new GitError('workspace_dirty', `workspace ${workspace.runId} is not on ${workspace.branch} (HEAD is ${head || 'detached'}); it cannot be committed`);
  }
  await git(['add', '--all', '--', ':/', ...excludePathspecs(await nestedRepositories(git))]);
  const staged = await git(['diff', '--cached', '--name-only', '-z']);
  if (staged === '') return undefined;
  const { name, email } = deps.identity;
  const config = ['-c', `user.name=${name}`, '-c', `user.email=${email}`, '-c', 'commit.gpgSign=false', '-c', 'gc.auto=0'];
  await git([...config, 'commit', '--quiet', '--no-verify', '--no-gpg-sign', '--cleanup=whitespace', '-m', message.trim() || 'Baton: change']);
  return (await git(['rev-parse', '--verify', 'HEAD^{commit}'])).trim();
}
