import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';

/** Where and when a result was measured, so results from different runs can be compared fairly. */
export function benchEnvironment(): Record<string, unknown> {
  let commit: string | undefined;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    commit = undefined; // not a git checkout: the result is still valid, only unlabelled
  }
  return {
    at: new Date().toISOString(),
    commit,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    loadAverage: loadavg(),
  };
}
