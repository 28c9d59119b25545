import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GitError } from './git-error.ts';

// Remote branches become remote-tracking refs, not local branches as `clone --mirror` would make
// them: with `+refs/*:refs/*` and --prune, a fetch would overwrite or delete the runs' own
// baton/* branches that live in this repository while their worktrees are checked out.
export const MIRROR_REFSPECS = ['+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*'];

// What git reads besides the config file, that a workspace can write and that would change what a
// credentialed command runs or where it connects: with extensions.worktreeConfig (which the
// template leaves off) config.worktree; `commondir` moves the whole repository, config included,
// elsewhere; `alternates` makes git run core.alternateRefsCommand, or `git for-each-ref` in each
// alternate, with our environment.
const UNTRUSTED_FILES = ['config.worktree', 'commondir', 'objects/info/alternates'];

/** A quoted git config value; control characters are refused, since a line break would start a new line. */
export function configValue(text: string): string {
  if ([...text].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) {
    throw new GitError('invalid_input', `${JSON.stringify(text)} cannot go into a git config file`);
  }
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * Replaces the mirror's config with Baton's own and deletes the files above. A worktree's
 * `git config` writes this config, so code run in any workspace could have set http.proxy,
 * core.sshCommand, url.*.insteadOf, include.path and the like, which no `-c` on the command line
 * can all undo. GitRunner.remote calls it before every credentialed command, holding the
 * repository's lock.
 * It also drops what workspaces configured for themselves: each run starts from the same config.
 */
export async function resetMirrorConfig(mirrorPath: string, cloneUrl: string): Promise<void> {
  const config = [
    '[core]',
    '\trepositoryformatversion = 0',
    // Here and not in a config.worktree: without extensions.worktreeConfig git applies core.bare
    // from the common config to the mirror only, and the worktrees stay non-bare.
    '\tbare = true',
    '[remote "origin"]',
    // Only so that a person running `git fetch` in the mirror gets the same refs as Baton.
    `\turl = ${configValue(cloneUrl)}`,
    ...MIRROR_REFSPECS.map((spec) => `\tfetch = ${configValue(spec)}`),
    '',
  ].join('\n');
  const path = join(mirrorPath, 'config');
  const tmp = `${path}.baton-${process.pid}`;
  await writeFile(tmp, config, { mode: 0o600 });
  await rename(tmp, path); // never a half-written config, for us or for a workspace reading it
  for (const file of UNTRUSTED_FILES) await rm(join(mirrorPath, file), { force: true, recursive: true });
}
