import { spawn } from 'node:child_process';
import { GitError } from './git-error.ts';

export interface RunGitOptions {
  cwd: string;
  /** The child's whole environment: nothing of the parent's is passed through. */
  env: Record<string, string>;
  timeoutMs?: number;
  /** Applied to the command line and stderr before they go into an error. */
  redact?: (text: string) => string;
}

const DEFAULT_TIMEOUT_MS = 120_000;
// A diff of a large repository can be big; past this the command fails rather than truncating.
const MAX_STDOUT = 256 * 1024 * 1024;
const MAX_STDERR = 64 * 1024;

/** `-c key=value` pairs are plumbing (helpers, hook paths), noise in a message a person reads. */
function describe(args: string[]): string {
  const shown: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-c') i++;
    else shown.push(args[i]!);
  }
  return `git ${shown.join(' ')}`;
}

function lastLines(text: string, count: number): string {
  return text.trim().split('\n').slice(-count).join('\n');
}

/**
 * Runs git without a shell; resolves with stdout, rejects with a GitError carrying the redacted
 * command and stderr. spawn rather than execFile: git runs in its own process group so that a
 * timeout kills its helpers too (git-remote-https blocked on a dead connection would otherwise
 * hold the pipes open and the call would never return).
 */
export function runGit(args: string[], options: RunGitOptions): Promise<string> {
  const redact = options.redact ?? ((text: string) => text);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const command = redact(describe(args));
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const stdout: Buffer[] = [];
    let stdoutSize = 0;
    let stderr = '';
    let failure: 'timeout' | 'overflow' | undefined;
    const killGroup = (why: 'timeout' | 'overflow') => {
      failure ??= why;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch (error) {
        // ESRCH: the group is already gone, which is what we wanted.
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      }
    };
    const timer = setTimeout(() => killGroup('timeout'), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdoutSize += chunk.length;
      if (stdoutSize > MAX_STDOUT) killGroup('overflow');
      else stdout.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-MAX_STDERR);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const code = error.code === 'ENOENT' ? 'git_not_found' : 'git_failed';
      const what = error.code === 'ENOENT' ? 'git is not installed or not on PATH' : `could not start git: ${error.message}`;
      reject(new GitError(code, `${what} (${command})`, { command, cause: error }));
    });
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      const cleanStderr = redact(stderr);
      if (failure === 'timeout') {
        reject(new GitError('git_timeout', `${command} did not finish within ${Math.round(timeoutMs / 1000)} s`, { command, stderr: cleanStderr }));
      } else if (failure === 'overflow') {
        reject(new GitError('git_failed', `${command} printed more than ${MAX_STDOUT} bytes`, { command, stderr: cleanStderr }));
      } else if (exitCode !== 0) {
        const summary = lastLines(cleanStderr, 8) || 'no message';
        const tail = redact(Buffer.concat(stdout).subarray(-MAX_STDERR).toString('utf8'));
        const details = { command, stderr: cleanStderr, stdout: tail, exitCode: exitCode ?? undefined };
        reject(new GitError('git_failed', `${command} failed (exit ${exitCode ?? 'by signal'}): ${summary}`, details));
      } else {
        resolve(Buffer.concat(stdout).toString('utf8'));
      }
    });
  });
}
