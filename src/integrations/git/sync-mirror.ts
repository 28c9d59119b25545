import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Logger } from '../../logger.ts';
import type { GitRunner } from './create-git-runner.ts';
import { GitError } from './git-error.ts';
import { MIRROR_REFSPECS } from './reset-mirror-config.ts';
import { baseRefOf, mirrorPathOf, type GitRepo } from './workspace.ts';

export interface MirrorDeps {
  dataDir: string;
  git: GitRunner;
  log: Logger;
}

async function fetchInto(path: string, repo: GitRepo, git: GitRunner): Promise<void> {
  // The URL comes from Baton's config, not the mirror's: its config is not trusted to point home.
  await git.remote(['fetch', '--prune', '--quiet', repo.cloneUrl, ...MIRROR_REFSPECS], path, repo.cloneUrl);
}

/** Builds the mirror beside its final path and renames it in, so a crash never leaves a half mirror. */
async function createMirror(path: string, repo: GitRepo, git: GitRunner): Promise<void> {
  const parent = dirname(path);
  await mkdir(parent, { recursive: true });
  const tmpPrefix = `${basename(path)}.tmp-`;
  // Under the lock any earlier temporary is a crashed attempt.
  for (const entry of await readdir(parent)) {
    if (entry.startsWith(tmpPrefix)) await rm(join(parent, entry), { recursive: true, force: true });
  }
  const tmp = join(parent, `${tmpPrefix}${process.pid}`);
  await git.local(['init', '--bare', '--quiet', tmp], parent);
  try {
    await fetchInto(tmp, repo, git);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
  await rename(tmp, path);
}

/**
 * Creates or fetches the repository's mirror and returns the base branch's commit.
 * Call it holding the repository's lock.
 */
export async function syncMirror(repo: GitRepo, deps: MirrorDeps): Promise<{ mirrorPath: string; baseSha: string }> {
  const mirrorPath = mirrorPathOf(deps.dataDir, repo);
  const started = Date.now();
  const fresh = !existsSync(join(mirrorPath, 'HEAD'));
  if (fresh) await createMirror(mirrorPath, repo, deps.git);
  else await fetchInto(mirrorPath, repo, deps.git);
  deps.log.info({ repo: `${repo.owner}/${repo.name}`, ms: Date.now() - started }, fresh ? 'mirror cloned' : 'mirror fetched');
  const baseSha = await deps.git
    .local(['rev-parse', '--verify', '--quiet', `${baseRefOf(repo)}^{commit}`], mirrorPath)
    .catch((error: unknown) => {
      throw new GitError('base_branch_not_found', `${repo.owner}/${repo.name} has no branch ${repo.baseBranch}`, { cause: error });
    });
  return { mirrorPath, baseSha: baseSha.trim() };
}
