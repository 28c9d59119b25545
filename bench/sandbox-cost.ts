// What the sandbox adds to one command: the same command under bubblewrap, under the host runner
// (same environment, process group and output capture, no confinement) and spawned directly with
// /bin/sh -c, measured alternately in one run so that machine load hits all three alike.
// Reports medians in milliseconds and the ratio to the direct spawn; asserts no timings.
// Flags: --runs (per command and way, default 40), --warmup (not counted, default 5).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { policySchema } from '../src/policy.ts';
import { createBwrapSandbox } from '../src/sandbox/create-bwrap-sandbox.ts';
import { createHostRunner } from '../src/sandbox/create-host-runner.ts';
import { nodeInstall } from '../src/sandbox/node-install.ts';
import type { Sandbox } from '../src/sandbox/sandbox.ts';
import { sandboxEnv, sandboxPath } from '../src/sandbox/sandbox-env.ts';
import { benchEnvironment } from './lib/bench-environment.ts';
import { formatTable } from './lib/format-table.ts';
import { parseFlags } from './lib/parse-flags.ts';
import { percentile } from './lib/summarize-samples.ts';

const RESULTS_FILE = join(new URL('.', import.meta.url).pathname, 'results', 'sandbox-cost.json');
const COMMANDS = ['true', 'node -e 0'];

const defaults = { runs: 40, warmup: 5 };
let flags: typeof defaults;
try {
  flags = parseFlags(process.argv.slice(2), defaults);
  if (flags.runs < 1) throw new Error('--runs must be at least 1');
} catch (error) {
  console.error(`sandbox-cost: ${(error as Error).message}`);
  process.exit(2);
}

const policy = policySchema.parse({}).sandbox;
// The environment the sandboxed command gets, so that only the wrapping differs.
const env = sandboxEnv({ path: sandboxPath(nodeInstall(process.execPath).binDir), home: tmpdir(), policy, command: {} });

function direct(command: string, cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}`))));
  });
}

async function throughSandbox(sandbox: Sandbox, command: string, worktree: string): Promise<void> {
  const result = await sandbox.run({ command, worktree, network: false, timeoutMs: 60_000 });
  if (result.exitCode !== 0) throw new Error(`${command} exited ${result.exitCode}: ${result.output}`);
}

const hostRunner = createHostRunner({ policy });
const bwrap = createBwrapSandbox({ policy });
const ways: Record<string, (command: string, worktree: string) => Promise<void>> = {
  direct,
  'host runner': (command, worktree) => throughSandbox(hostRunner, command, worktree),
  bwrap: (command, worktree) => throughSandbox(bwrap, command, worktree),
};

const worktree = mkdtempSync(join(tmpdir(), 'baton-sandbox-cost-'));
try {
  const medians: Record<string, Record<string, number>> = {};
  const rows: string[][] = [];
  for (const command of COMMANDS) {
    const samples: Record<string, number[]> = Object.fromEntries(Object.keys(ways).map((w) => [w, []]));
    for (let i = 0; i < flags.warmup + flags.runs; i++) {
      // Rotate the order each round so that no way always runs first (or right after another).
      const names = Object.keys(ways);
      const order = [...names.slice(i % names.length), ...names.slice(0, i % names.length)];
      for (const name of order) {
        const start = performance.now();
        await ways[name]!(command, worktree);
        if (i >= flags.warmup) samples[name]!.push(performance.now() - start);
      }
    }
    const median = (name: string) => percentile([...samples[name]!].sort((a, b) => a - b), 50);
    medians[command] = Object.fromEntries(Object.keys(ways).map((w) => [w, median(w)]));
    for (const name of Object.keys(ways)) {
      const sorted = [...samples[name]!].sort((a, b) => a - b);
      rows.push([
        `${command} — ${name}`,
        median(name).toFixed(2),
        percentile(sorted, 90).toFixed(2),
        `${(median(name) / median('direct')).toFixed(2)}×`,
        `+${(median(name) - median('direct')).toFixed(2)}`,
      ]);
    }
  }
  console.log(`runs: ${flags.runs} per command and way (after ${flags.warmup} warm-up), alternating`);
  console.log(formatTable(['command — how', 'median ms', 'p90 ms', 'vs direct', 'added ms'], rows));
  mkdirSync(join(RESULTS_FILE, '..'), { recursive: true });
  writeFileSync(RESULTS_FILE, JSON.stringify({ environment: benchEnvironment(), runs: flags.runs, medians }, null, 2));
} finally {
  rmSync(worktree, { recursive: true, force: true });
}
