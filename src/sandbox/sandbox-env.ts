import type { SandboxPolicy } from '../policy.ts';
import type { SandboxCommand } from './sandbox.ts';

const SYSTEM_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** The system PATH, with the directory of the node running Baton first when it lives elsewhere (nvm, /opt). */
export function sandboxPath(nodeBinDir: string): string {
  return [...(SYSTEM_PATH.includes(nodeBinDir) ? [] : [nodeBinDir]), ...SYSTEM_PATH].join(':');
}

/**
 * The whole environment of a sandboxed command, built from nothing: Baton's own environment holds
 * its tokens and DATABASE_URL, and a repository's tests may print every variable they see.
 * baton.yml's `sandbox.env`, then the caller's, go on top.
 */
export function sandboxEnv(options: {
  path: string;
  home: string;
  policy: Pick<SandboxPolicy, 'env'>;
  command: Pick<SandboxCommand, 'env'>;
}): Record<string, string> {
  return {
    PATH: options.path,
    HOME: options.home,
    TMPDIR: '/tmp',
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    CI: '1',
    NO_COLOR: '1',
    ...options.policy.env,
    ...options.command.env,
  };
}
