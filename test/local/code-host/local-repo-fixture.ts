import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import pino from 'pino';
import { migrate } from '../../../src/db/migrate.ts';
import { createLocalCodeHost, type LocalCodeHost, type LocalRepoConfig } from '../../../src/local/code-host/create-local-code-host.ts';
import type { Logger } from '../../../src/logger.ts';
import { fixtureGit, tempDir } from '../../integrations/git/git-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.ts';

/** A person's repository on disk: a working tree with `main` checked out (or a bare one). */
export interface LocalRepo {
  path: string;
  git(args: string[], cwd?: string): Promise<string>;
  sha(ref: string): Promise<string>;
  /** A file's content at `ref`. */
  show(ref: string, file: string): Promise<string>;
  /** A person commits on the checked-out branch (main): the base moves. Non-bare only. */
  commitHere(files: Record<string, string>, message?: string): Promise<string>;
  /** Pushes one commit with `files` on `branch` (started from `from`, or the branch itself) into the repository, as a run does. */
  push(branch: string, files: Record<string, string>, options?: { from?: string; message?: string }): Promise<string>;
}

export async function createLocalRepo(root: string, name: string, files: Record<string, string>, options: { bare?: boolean } = {}): Promise<LocalRepo> {
  const git = fixtureGit(root);
  const path = join(root, name);
  let scratchCount = 0;
  const write = async (dir: string, content: Record<string, string>): Promise<void> => {
    for (const [file, text] of Object.entries(content)) {
      await mkdir(dirname(join(dir, file)), { recursive: true });
      await writeFile(join(dir, file), text);
    }
  };
  const seed = join(root, `${name}-seed`);
  await mkdir(seed, { recursive: true });
  await git(['init', '--quiet', '--initial-branch=main'], seed);
  await write(seed, files);
  await git(['add', '--all'], seed);
  await git(['commit', '--quiet', '-m', 'initial'], seed);
  await git(['clone', '--quiet', ...(options.bare ? ['--bare'] : []), seed, path], root);
  await rm(seed, { recursive: true, force: true });

  const repo: LocalRepo = {
    path,
    git: (args, cwd = path) => git(args, cwd),
    sha: async (ref) => (await git(['rev-parse', '--verify', `${ref}^{commit}`], path)).trim(),
    show: (ref, file) => git(['show', `${ref}:${file}`], path),
    async commitHere(content, message = 'a person commits') {
      await write(path, content);
      await git(['add', '--all'], path);
      await git(['commit', '--quiet', '-m', message], path);
      return repo.sha('HEAD');
    },
    async push(branch, content, { from, message } = {}) {
      scratchCount += 1;
      const scratch = join(root, `${name}-scratch-${scratchCount}`);
      await git(['clone', '--quiet', path, scratch], root);
      await git(['checkout', '--quiet', '-B', branch, `origin/${from ?? branch}`], scratch);
      await write(scratch, content);
      await git(['add', '--all'], scratch);
      await git(['commit', '--quiet', '-m', message ?? `change on ${branch}`], scratch);
      await git(['push', '--quiet', '--force', 'origin', `HEAD:refs/heads/${branch}`], scratch);
      const sha = (await git(['rev-parse', 'HEAD'], scratch)).trim();
      await rm(scratch, { recursive: true, force: true });
      return sha;
    },
  };
  return repo;
}

export const CALC = {
  'README.md': '# calc\n',
  'src/calc.js': 'export function add(a, b) {\n  return a + b;\n}\n\nexport function range(start, end) {\n  const out = [];\n  for (let i = start; i < end; i++) out.push(i);\n  return out;\n}\n',
};

export const FIX = { 'src/calc.js': CALC['src/calc.js'].replace('i < end', 'i <= end') };

export interface HostWorld {
  db: TestDatabase;
  dir: string;
  pageUrl: string;
  host(repos: Record<string, LocalRepoConfig>, log?: Logger): LocalCodeHost;
  close(): Promise<void>;
}

/** A fresh schema with the migrations, a scratch directory, and hosts over them. */
export async function hostWorld(): Promise<HostWorld> {
  const db = await createTestDatabase();
  await migrate(db.pool, db.schema);
  const { dir, cleanup } = await tempDir('baton-local-host-');
  const pageUrl = 'http://127.0.0.1:4999';
  return {
    db, dir, pageUrl,
    host: (repos, log = pino({ level: 'silent' })) =>
      createLocalCodeHost({ pool: db.pool, repos, pageUrl, log, searchPath: process.env.PATH, home: dir }),
    async close() {
      await db.drop();
      await cleanup();
    },
  };
}
