import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface NodeInstall {
  /** The directory of the node binary as Baton found it (goes on the sandbox's PATH). */
  binDir: string;
  /** What to bind read-only when node lives outside /usr: its install prefix, or the binary alone. */
  bind: string | undefined;
}

/**
 * Where the node running Baton is installed, so that commands in the sandbox (npm test) find the
 * same node. Under /usr (Debian's /usr/bin/node, the image's /usr/local/bin/node) it is already
 * visible. Elsewhere (/opt/node, ~/.nvm/versions/node/v20…) the prefix is bound, since npm lives in
 * lib/node_modules beside it, but only when it looks like a node install: a binary in ~/bin must not
 * bring the whole home directory with it.
 */
export function nodeInstall(execPath: string): NodeInstall {
  const real = realpathSync(execPath);
  const binDir = dirname(execPath);
  if (real.startsWith('/usr/')) return { binDir, bind: undefined };
  const realBin = dirname(real);
  const prefix = basename(realBin) === 'bin' ? dirname(realBin) : undefined;
  const isInstall = prefix !== undefined && prefix !== '/' && existsSync(join(prefix, 'lib', 'node_modules'));
  return { binDir, bind: isInstall ? prefix : real };
}
