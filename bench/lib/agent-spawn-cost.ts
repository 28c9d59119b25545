import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import type { SandboxPolicy } from '../../src/policy.ts';
import { nodeInstall } from '../../src/sandbox/node-install.ts';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import { sandboxEnv, sandboxPath } from '../../src/sandbox/sandbox-env.ts';
import { percentile } from './summarize-samples.ts';

export interface SpawnCost {
  command: string;
  sandboxMedianMs: number;
  plainMedianMs: number;
  sandboxP95Ms: number;
  plainP95Ms: number;
}

/** `/bin/sh -c command` in the worktree, with the environment the sandbox would give it: only the confinement differs. */
function plainSpawn(command: string, cwd: string, env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code} outside the sandbox`))));
  });
}

/**
 * Each command `runs` times under the sandbox (as the bash tool runs it) and as a plain spawn,
 * alternating (which goes first swaps every round), after `warmup` uncounted rounds.
 */
export async function measureSpawnCost(options: {
  sandbox: Sandbox; policy: SandboxPolicy; worktree: string; commands: string[]; runs: number; warmup: number;
}): Promise<SpawnCost[]> {
  const { sandbox, policy, worktree } = options;
  const env = sandboxEnv({ path: sandboxPath(nodeInstall(process.execPath).binDir), home: tmpdir(), policy, command: {} });
  const results: SpawnCost[] = [];
  for (const command of options.commands) {
    const boxed: number[] = [];
    const plain: number[] = [];
    const inSandbox = async (): Promise<number> => {
      const start = performance.now();
      const result = await sandbox.run({ command, worktree, network: false, timeoutMs: policy.command_timeout_seconds * 1000 });
      if (result.exitCode !== 0) throw new Error(`${command} exited ${result.exitCode} in the sandbox: ${result.output.slice(-500)}`);
      return performance.now() - start;
    };
    const outside = async (): Promise<number> => {
      const start = performance.now();
      await plainSpawn(command, worktree, env);
      return performance.now() - start;
    };
    for (let i = 0; i < options.warmup + options.runs; i++) {
      const pair = i % 2 === 0 ? [inSandbox, outside] : [outside, inSandbox];
      const times = new Map<unknown, number>();
      for (const way of pair) times.set(way, await way());
      if (i < options.warmup) continue;
      boxed.push(times.get(inSandbox)!);
      plain.push(times.get(outside)!);
    }
    boxed.sort((a, b) => a - b);
    plain.sort((a, b) => a - b);
    results.push({
      command,
      sandboxMedianMs: percentile(boxed, 50),
      plainMedianMs: percentile(plain, 50),
      sandboxP95Ms: percentile(boxed, 95),
      plainP95Ms: percentile(plain, 95),
    });
  }
  return results;
}
