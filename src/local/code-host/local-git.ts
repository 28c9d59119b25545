import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { GitError } from '../../integrations/git/git-error.ts';

export interface LocalGitOptions {
  /** PATH for git; the parent's environment is never passed through. */
  searchPath: string;
  /**
   * HOME for git: the person's own, so that their ~/.gitconfig (an LFS smudge filter, say) applies
   * when Baton updates their checkout. Left out, git reads no global configuration.
   */
  home?: string;
  /** Committer (and author) of the commits a merge writes. */
  identity: { name: string; email: string };
  timeoutMs: number;
}

export interface GitRun {
  cwd: string;
  /** Written to git's stdin (`update-ref --stdin`). */
  input?: string;
  /** Exit codes that are answers rather than failures (merge-tree's 1 for a conflict). */
  okExitCodes?: readonly number[];
  /** Extra variables, e.g. the author of a replayed commit. */
  env?: Record<string, string>;
}

export interface GitResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export type LocalGit = (args: string[], run: GitRun) => Promise<GitResult>;

const MAX_OUTPUT = 64 * 1024 * 1024;

// Baton's writes into a person's repository run none of its hooks (a post-checkout hook would fire
// on every worktree update, and hooks are not Baton's to run), no fsmonitor daemon, no signing
// program and no automatic gc racing the next command. /dev/null/<hook> can never exist.
const HARDENING = ['-c', 'core.hooksPath=/dev/null', '-c', 'core.fsmonitor=false', '-c', 'commit.gpgSign=false', '-c', 'gc.auto=0'];

/**
 * git in a repository on this machine, without a shell. Discovery stops at `cwd` itself
 * (GIT_CEILING_DIRECTORIES): a configured path that is not a repository must fail, not find the
 * repository of a directory above it.
 */
export function createLocalGit(options: LocalGitOptions): LocalGit {
  const { name, email } = options.identity;
  const baseEnv: Record<string, string> = {
    PATH: options.searchPath,
    LC_ALL: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: name,
    GIT_AUTHOR_EMAIL: email,
    GIT_COMMITTER_NAME: name,
    GIT_COMMITTER_EMAIL: email,
    ...(options.home ? { HOME: options.home } : { GIT_CONFIG_GLOBAL: '/dev/null' }),
  };
  return (args, run) =>
    new Promise((resolve, reject) => {
      const command = `git ${args.join(' ')}`.slice(0, 300);
      const env = { ...baseEnv, GIT_CEILING_DIRECTORIES: dirname(run.cwd), ...run.env };
      const child = spawn('git', [...HARDENING, ...args], { cwd: run.cwd, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
      const stdout: Buffer[] = [];
      let size = 0;
      let stderr = '';
      let failure: string | undefined;
      const kill = (why: string): void => {
        failure ??= why;
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error; // already gone
        }
      };
      const timer = setTimeout(() => kill(`did not finish within ${Math.round(options.timeoutMs / 1000)} s`), options.timeoutMs);
      child.stdout.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_OUTPUT) kill(`printed more than ${MAX_OUTPUT} bytes`);
        else stdout.push(chunk);
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString('utf8')).slice(-64 * 1024);
      });
      // git may exit before reading all of stdin (a refused transaction); that EPIPE is its answer, not ours.
      child.stdin.on('error', () => undefined);
      child.stdin.end(run.input ?? '');
      child.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const code = error.code === 'ENOENT' ? 'git_not_found' : 'git_failed';
        reject(new GitError(code, `${code === 'git_not_found' ? 'git is not installed or not on PATH' : error.message} (${command})`, { command, cause: error }));
      });
      child.on('close', (exitCode) => {
        clearTimeout(timer);
        const out = Buffer.concat(stdout).toString('utf8');
        if (failure) {
          reject(new GitError(failure.startsWith('did not') ? 'git_timeout' : 'git_failed', `${command} ${failure}`, { command, stderr }));
          return;
        }
        const code = exitCode ?? -1;
        if (code === 0 || run.okExitCodes?.includes(code)) {
          resolve({ stdout: out, stderr, exitCode: code });
          return;
        }
        const summary = stderr.trim().split('\n').slice(-8).join('\n') || 'no message';
        reject(new GitError('git_failed', `${command} failed in ${run.cwd} (exit ${exitCode ?? 'by signal'}): ${summary}`, {
          command, stderr, stdout: out.slice(-64 * 1024), exitCode: code,
        }));
      });
    });
}
