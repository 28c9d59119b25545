import { lstatSync, readlinkSync } from 'node:fs';
import { nodeInstall } from './node-install.ts';
import { sandboxPath } from './sandbox-env.ts';

/** What of the host the sandbox shows, read once when the sandbox is created. */
export interface HostLayout {
  /** Directories bound read-only at the same path. */
  readOnly: string[];
  /** Top-level symlinks recreated as they are on the host (merged /usr: /bin -> usr/bin). */
  symlinks: { path: string; target: string }[];
  /** The sandbox's PATH. */
  path: string;
}

// Where programs and their libraries live; /usr/local is inside /usr. Nothing of /home, /root,
// /var, /run, /srv or /opt: the data directory, the git mirrors and any secrets are somewhere there.
const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

export function readHostLayout(execPath: string): HostLayout {
  const readOnly: string[] = [];
  const symlinks: HostLayout['symlinks'] = [];
  for (const dir of SYSTEM_DIRS) {
    const stat = lstatSync(dir, { throwIfNoEntry: false });
    if (stat?.isSymbolicLink()) symlinks.push({ path: dir, target: readlinkSync(dir) });
    else if (stat?.isDirectory()) readOnly.push(dir);
  }
  const node = nodeInstall(execPath);
  if (node.bind !== undefined) readOnly.push(node.bind);
  return { readOnly, symlinks, path: sandboxPath(node.binDir) };
}
