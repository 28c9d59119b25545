import { constants } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { join } from 'node:path';

/** Notes a repository keeps for coding agents, in the order they are looked for. */
export const REPO_NOTES_FILES = ['AGENTS.md', 'CLAUDE.md'] as const;

/** Enough for build and test hints; a larger file would crowd the ticket out of the prompt. */
export const DEFAULT_NOTES_MAX_BYTES = 16 * 1024;

export interface RepoNotes {
  file: (typeof REPO_NOTES_FILES)[number];
  text: string;
  /** Bytes past the cap that were not read. */
  omittedBytes: number;
}

/**
 * The first of AGENTS.md or CLAUDE.md at the worktree root, capped at `maxBytes`. Baton reads it on
 * the host, outside the sandbox, so only a regular file counts: a symlink (which could point at
 * Baton's data directory or /etc), a FIFO (which would block) or a directory is skipped.
 */
export async function readRepoNotes(worktree: string, maxBytes = DEFAULT_NOTES_MAX_BYTES): Promise<RepoNotes | undefined> {
  for (const file of REPO_NOTES_FILES) {
    const path = join(worktree, file);
    const stat = await lstat(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
      throw error;
    });
    if (!stat?.isFile()) continue;
    // O_NOFOLLOW: a file swapped for a symlink after the lstat is still refused.
    const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const buffer = Buffer.alloc(Math.min(stat.size, maxBytes));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      // A multi-byte character cut at the cap decodes as one U+FFFD: harmless in notes.
      const text = buffer.subarray(0, bytesRead).toString('utf8');
      return { file, text, omittedBytes: Math.max(0, stat.size - bytesRead) };
    } finally {
      await handle.close();
    }
  }
  return undefined;
}
