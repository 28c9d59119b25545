import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRedactor } from '../../logger.ts';
import { GitError } from './git-error.ts';
import { configValue, resetMirrorConfig } from './reset-mirror-config.ts';
import { runGit } from './run-git.ts';

export interface GitCredentials {
  username: string;
  password: string;
}

export interface GitRunnerOptions {
  /** Private HOME for git: its .gitconfig, the credential helper, an empty hooks directory. */
  home: string;
  credentials?: () => Promise<GitCredentials | undefined>;
  /** PATH for git and what it runs. */
  searchPath: string;
  identity: { name: string; email: string };
  timeoutMs: number;
}

/** Local commands get no credentials; `remote` commands get them through the helper, for `url`'s host only. */
export interface GitRunner {
  readonly home: string;
  local(args: string[], cwd: string): Promise<string>;
  /**
   * Runs in the mirror `gitDir`, never in a worktree (whose `.git` file the workspace controls).
   * Every program git starts inherits the token, so the mirror's config is reset to Baton's own
   * first (resetMirrorConfig, with `url` as its remote): call it holding the repository's lock.
   */
  remote(args: string[], gitDir: string, url: string): Promise<string>;
}

// Git runs this for `get`, `store` and `erase`; it answers only `get`, and only for the host Baton
// asked about, so a rewritten URL (url.*.insteadOf in a repo's config) cannot collect the token.
const CREDENTIAL_HELPER = `#!/bin/sh
test "$1" = get || exit 0
host=
while IFS= read -r line; do
  case "$line" in host=*) host="\${line#host=}" ;; esac
done
test -n "$BATON_GIT_PASSWORD" && test "$host" = "$BATON_GIT_HOST" || exit 0
printf 'username=%s\\npassword=%s\\n' "$BATON_GIT_USERNAME" "$BATON_GIT_PASSWORD"
`;

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export function createGitRunner(options: GitRunnerOptions): GitRunner {
  const helperPath = join(options.home, 'credential-helper');
  const hooksDir = join(options.home, 'no-hooks');
  let ready: Promise<void> | undefined;

  const prepare = (): Promise<void> =>
    (ready ??= (async () => {
      await mkdir(hooksDir, { recursive: true, mode: 0o700 });
      await chmod(options.home, 0o700);
      const config = [
        '[user]',
        `\tname = ${configValue(options.identity.name)}`,
        `\temail = ${configValue(options.identity.email)}`,
        '[init]\n\tdefaultBranch = main',
        '[advice]\n\tdetachedHead = false',
        // Automatic gc in the background would outlive the command and race the next one.
        '[gc]\n\tautoDetach = false',
        '',
      ].join('\n');
      await writeFile(join(options.home, '.gitconfig'), config, { mode: 0o600 });
      await writeFile(helperPath, CREDENTIAL_HELPER, { mode: 0o700 });
    })().catch((error: unknown) => {
      ready = undefined; // let the next command try again rather than fail forever
      throw error;
    }));

  const baseEnv: Record<string, string> = {
    PATH: options.searchPath,
    HOME: options.home,
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    // Only the file written above: not also ~/.config/git/config, which nothing here writes or checks.
    GIT_CONFIG_GLOBAL: join(options.home, '.gitconfig'),
    // Stable, parseable messages whatever the host's locale.
    LC_ALL: 'C',
  };
  // Command-line config wins over the repository's own, which a hostile checkout could have edited:
  // no hooks, no fsmonitor command, no askpass program.
  const hardening = ['-c', `core.hooksPath=${hooksDir}`, '-c', 'core.fsmonitor=false', '-c', 'core.askPass='];

  return {
    home: options.home,
    async local(args, cwd) {
      await prepare();
      return runGit([...hardening, ...args], { cwd, env: baseEnv, timeoutMs: options.timeoutMs, redact: createRedactor([]) });
    },
    async remote(args, gitDir, url) {
      await prepare();
      await resetMirrorConfig(gitDir, url);
      const creds = await options.credentials?.();
      if (creds && /[\0\n\r]/.test(creds.username + creds.password)) {
        throw new GitError('invalid_input', 'git credentials must not contain line breaks or NUL');
      }
      // Named rather than discovered: a missing HEAD would send discovery up to a parent directory, and
      // a `commondir` file would move the repository (config included) anywhere; the variables win over both.
      const repoEnv = { GIT_DIR: gitDir, GIT_COMMON_DIR: gitDir };
      const env = creds
        ? { ...baseEnv, ...repoEnv, BATON_GIT_USERNAME: creds.username, BATON_GIT_PASSWORD: creds.password, BATON_GIT_HOST: hostOf(url) }
        : { ...baseEnv, ...repoEnv };
      // The empty value drops every helper configured before it (global or repository), then ours is the only one.
      const helper = ['-c', 'credential.helper=', '-c', `credential.helper=!${shellQuote(helperPath)}`];
      return runGit([...hardening, ...helper, ...args], {
        cwd: gitDir,
        env,
        timeoutMs: options.timeoutMs,
        redact: createRedactor(creds ? [creds.password] : []),
      });
    },
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch (error) {
    throw new GitError('invalid_input', `not a URL: ${url}`, { cause: error });
  }
}
