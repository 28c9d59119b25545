import { lstat, realpath } from 'node:fs/promises';
import { isAbsolute, join, posix, relative, sep } from 'node:path';

/** The repository root as the model is told it: `/repo/x`, `./x` and `x` name the same file. */
export const REPO_ROOT = '/repo';

export type RepoPath =
  | {
      ok: true;
      /** Where the file is on the host, through no symlink (the worktree's realpath joined with what exists of it). */
      hostPath: string;
      /** How to name it to the model: `/repo/src/a.ts`, `/repo` for the root. */
      shown: string;
      /** False when the final component (or a directory above it) does not exist yet. */
      exists: boolean;
    }
  | { ok: false; reason: string };

/**
 * Maps a path the model gave to a host path inside the worktree, or refuses it with a reason the
 * model can act on. Refused: anything that climbs out (`..`), any absolute path outside `/repo`,
 * a symlink anywhere on the way that leads out (or nowhere, since creating through a dangling link
 * writes wherever it points), and `.git`, whose worktree file points into Baton's mirror.
 */
export async function resolveRepoPath(worktree: string, requested: unknown): Promise<RepoPath> {
  if (typeof requested !== 'string' || requested.trim() === '') return refuse('give `path`, e.g. /repo/src/index.ts');
  if (requested.includes('\0')) return refuse('the path contains a NUL byte');

  let rel: string;
  if (requested === REPO_ROOT || requested.startsWith(`${REPO_ROOT}/`)) rel = requested.slice(REPO_ROOT.length);
  else if (isAbsolute(requested)) {
    return refuse(`${requested} is outside the repository; paths are relative to the repository root, ${REPO_ROOT}`);
  } else rel = requested;

  // Lexical first: the host never sees the unnormalised path, so `link/../x` means /repo/x here.
  rel = posix.normalize(`./${rel.replace(/^\/+/, '')}`).replace(/\/+$/, '');
  if (rel === '..' || rel.startsWith('../')) return refuse(`${requested} climbs out of the repository (${REPO_ROOT})`);
  if (rel === '.') rel = '';
  if (touchesGit(rel)) return refuse(`${shownOf(rel)} is inside .git, which is Baton's, not the repository's content`);

  let root: string;
  try {
    root = await realpath(worktree);
  } catch (error) {
    return refuse(`the worktree itself cannot be read (${codeOf(error)})`);
  }

  const parts = rel === '' ? [] : rel.split('/');
  // Walk down until a component is missing: what exists is resolved through the kernel, what does
  // not exist yet cannot be a symlink.
  let current = root;
  for (let i = 0; i < parts.length; i++) {
    const next = join(current, parts[i]!);
    let isLink: boolean;
    try {
      isLink = (await lstat(next)).isSymbolicLink();
    } catch (error) {
      const code = codeOf(error);
      if (code === 'ENOENT') return inside(root, join(current, ...parts.slice(i)), rel, false);
      if (code === 'ENOTDIR') return refuse(`${shownOf(parts.slice(0, i).join('/'))} is a file, not a directory`);
      return refuse(`${shownOf(parts.slice(0, i + 1).join('/'))} cannot be read (${code})`);
    }
    if (!isLink) {
      current = next;
      continue;
    }
    let target: string;
    try {
      target = await realpath(next);
    } catch {
      return refuse(`${shownOf(parts.slice(0, i + 1).join('/'))} is a symlink to a path that does not exist; following it could leave the repository`);
    }
    const checked = contained(root, target);
    if (!checked.ok) return refuse(`${shownOf(parts.slice(0, i + 1).join('/'))} is a symlink that points outside the repository`);
    if (touchesGit(checked.rel)) return refuse(`${shownOf(parts.slice(0, i + 1).join('/'))} is a symlink into .git, which is Baton's`);
    current = target;
  }
  return inside(root, current, rel, true);
}

function inside(root: string, hostPath: string, rel: string, exists: boolean): RepoPath {
  const checked = contained(root, hostPath);
  if (!checked.ok) return refuse(`${shownOf(rel)} resolves outside the repository`);
  return { ok: true, hostPath, shown: shownOf(rel), exists };
}

function contained(root: string, path: string): { ok: true; rel: string } | { ok: false } {
  const rel = relative(root, path);
  if (rel === '') return { ok: true, rel: '' };
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return { ok: false };
  return { ok: true, rel: rel.split(sep).join('/') };
}

// Any `.git` component, at the top or in a nested repository; case-insensitive because some
// filesystems are, and git refuses `.GIT` paths for that reason too.
function touchesGit(rel: string): boolean {
  return rel.split('/').some((part) => part.toLowerCase() === '.git');
}

function shownOf(rel: string): string {
  return rel === '' ? REPO_ROOT : `${REPO_ROOT}/${rel}`;
}

function refuse(reason: string): RepoPath {
  return { ok: false, reason };
}

function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? String(error);
}
