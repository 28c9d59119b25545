import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { Logger } from '../../../src/logger.ts';
import { runGit } from '../../../src/integrations/git/run-git.ts';
import { createWorkspaceManager, type WorkspaceManagerOptions } from '../../../src/integrations/git/create-workspace-manager.ts';
import type { GitRepo } from '../../../src/integrations/git/workspace.ts';

/** A scratch directory removed by `cleanup`. */
export async function tempDir(prefix = 'baton-git-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** git for the test's own setup (seeding remotes), hermetic from the developer's ~/.gitconfig. */
export function fixtureGit(home: string) {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    GIT_CONFIG_NOSYSTEM: '1',
    LC_ALL: 'C',
    GIT_AUTHOR_NAME: 'Ticket Author',
    GIT_AUTHOR_EMAIL: 'author@example.com',
    GIT_COMMITTER_NAME: 'Ticket Author',
    GIT_COMMITTER_EMAIL: 'author@example.com',
  };
  return (args: string[], cwd: string) => runGit(args, { cwd, env });
}

export interface Remote {
  /** Path of the bare repository acting as the remote. */
  path: string;
  url: string;
  repo: GitRepo;
  /** Commits `files` on `branch` of the remote (through a scratch clone) and returns the new sha. */
  commit(branch: string, files: Record<string, string>, message?: string): Promise<string>;
  /** Every ref on the remote, as `git ls-remote` sees it. */
  refs(): Promise<Map<string, string>>;
}

export async function createRemote(root: string, name = 'app'): Promise<Remote> {
  const git = fixtureGit(root);
  const path = join(root, 'remotes', `${name}.git`);
  await mkdir(path, { recursive: true });
  await git(['init', '--bare', '--quiet', '--initial-branch=main'], path);
  let n = 0;
  const remote: Remote = {
    path,
    url: `file://${path}`,
    repo: { owner: 'acme', name, cloneUrl: `file://${path}`, baseBranch: 'main' },
    async commit(branch, files, message) {
      n += 1;
      const scratch = join(root, 'scratch', `${name}-${n}`);
      await git(['clone', '--quiet', path, scratch], root);
      const hasBranch = (await git(['ls-remote', '--heads', 'origin', branch], scratch)).trim() !== '';
      await git(hasBranch ? ['checkout', '--quiet', branch] : ['checkout', '--quiet', '--orphan', branch], scratch);
      for (const [file, content] of Object.entries(files)) {
        await mkdir(dirname(join(scratch, file)), { recursive: true });
        await writeFile(join(scratch, file), content);
      }
      await git(['add', '--all'], scratch);
      await git(['commit', '--quiet', '-m', message ?? `commit ${n}`], scratch);
      await git(['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`], scratch);
      const sha = (await git(['rev-parse', 'HEAD'], scratch)).trim();
      await rm(scratch, { recursive: true, force: true });
      return sha;
    },
    async refs() {
      const out = await git(['ls-remote', path], root);
      return new Map(
        out
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((line) => {
            const [sha, ref] = line.split('\t');
            return [ref!, sha!] as [string, string];
          }),
      );
    },
  };
  return remote;
}

/** A remote with three commits on main. */
export async function seededRemote(root: string, name = 'app'): Promise<Remote> {
  const remote = await createRemote(root, name);
  await remote.commit('main', { 'README.md': '# app\n', 'src/index.js': 'export const answer = 42;\n' }, 'initial');
  await remote.commit('main', { 'src/util.js': 'export const add = (a, b) => a + b;\n' }, 'add util');
  await remote.commit('main', { 'src/index.js': 'export const answer = 43;\n' }, 'bump answer');
  return remote;
}

/** A pino logger whose lines the test can read. */
export function capturingLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { log: pino({ level: 'debug' }, stream), lines };
}

export function testManager(dataDir: string, extra: Partial<WorkspaceManagerOptions> = {}) {
  return createWorkspaceManager({ dataDir, log: pino({ level: 'silent' }), searchPath: process.env.PATH, ...extra });
}
