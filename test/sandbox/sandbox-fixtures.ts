import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { policySchema, type SandboxPolicy } from '../../src/policy.ts';

export function sandboxPolicy(overrides: Partial<SandboxPolicy> = {}): SandboxPolicy {
  return { ...policySchema.parse({}).sandbox, ...overrides };
}

export interface Host {
  root: string;
  /** The run's worktree, mounted at /repo. */
  worktree: string;
  /** Stand-ins for the git mirror and Baton's data directory, beside the worktree as in production. */
  mirror: string;
  data: string;
  secret: string;
  cleanup(): Promise<void>;
}

/** A data directory laid out like Baton's: workspaces/<run> beside mirrors/ and a secrets file. */
export async function fakeHost(): Promise<Host> {
  const root = await mkdtemp(join(tmpdir(), 'baton-sandbox-'));
  const data = join(root, 'data');
  const mirror = join(data, 'mirrors', 'acme', 'app.git');
  const worktree = join(data, 'workspaces', 'run-1');
  await mkdir(mirror, { recursive: true });
  await mkdir(worktree, { recursive: true });
  const secret = `mirror-secret-${process.pid}-${Date.now()}`;
  await writeFile(join(mirror, 'config'), `[remote "origin"]\n\turl = https://x-access-token:${secret}@github.com/acme/app\n`);
  await writeFile(join(data, 'baton.key'), `${secret}\n`);
  await writeFile(join(worktree, '.git'), `gitdir: ${mirror}/worktrees/run-1\n`);
  await writeFile(join(worktree, 'README.md'), '# app\n');
  return { root, worktree, mirror, data, secret, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** Host processes whose command line contains `token` (the sandbox's pids are the host's too, seen from outside). */
export async function hostProcessesWith(token: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch((error: NodeJS.ErrnoException) => {
      // The process ended between readdir and read.
      if (error.code === 'ENOENT' || error.code === 'ESRCH') return '';
      throw error;
    });
    if (cmdline.split('\0').includes(token)) found.push(Number(entry));
  }
  return found;
}
