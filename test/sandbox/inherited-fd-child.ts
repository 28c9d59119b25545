/*
 * Run as its own process by inherited-fds.test.ts, with descriptors handed down by its parent (as a
 * supervisor, a shell or a test runner can hand them to Baton): runs one command under the sandbox
 * named by argv[2] and prints the result, and the descriptors it holds itself, as JSON.
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { policySchema } from '../../src/policy.ts';
import { createBwrapSandbox } from '../../src/sandbox/create-bwrap-sandbox.ts';
import { createHostRunner } from '../../src/sandbox/create-host-runner.ts';

const [kind, worktree, command] = process.argv.slice(2);
const policy = policySchema.parse({}).sandbox;
const sandbox = kind === 'host' ? createHostRunner({ policy }) : createBwrapSandbox({ policy, bwrapPath: '/usr/bin/bwrap' });
const result = await sandbox.run({ command: command!, worktree: worktree!, network: false, timeoutMs: 20_000 });
// What this process itself holds, to show the descriptors really were inherited.
const held: Record<string, string> = {};
for (const fd of readdirSync('/proc/self/fd')) {
  try {
    held[fd] = readlinkSync(`/proc/self/fd/${fd}`);
  } catch (error) {
    held[fd] = `unreadable: ${(error as NodeJS.ErrnoException).code}`; // readdir's own descriptor, closed by now
  }
}
process.stdout.write(JSON.stringify({ result, held }));
