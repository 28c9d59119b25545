// Preparing a run's checkout: cached mirror + `git worktree add` (fetch included) against a fresh
// `git clone` over file:// (a full pack transfer, as from a real remote), on a generated repository.
// `npx tsx bench/workspace.ts [--files 30000] [--commits 300] [--iterations 5] [--seed 42]`
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createWorkspaceManager } from '../src/integrations/git/create-workspace-manager.ts';
import { runGit } from '../src/integrations/git/run-git.ts';
import { generateRepo, SIZE_MIX, type RepoParams } from './lib/generate-repo.ts';

const run = promisify(execFile);
const workDir = resolve(import.meta.dirname, '.work');

export interface WorkspaceBenchResult {
  params: RepoParams & { iterations: number };
  worktreeMs: number[];
  cloneMs: number[];
  coldMirrorMs: number;
  ratio: number;
  worktreeKiB: number;
  cloneKiB: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function duKiB(...paths: string[]): Promise<number> {
  const { stdout } = await run('du', ['-skc', ...paths]);
  return Number(stdout.trim().split('\n').at(-1)!.split('\t')[0]);
}

const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** The manager logs each fetch's duration: collected, they split a run's time into fetch and checkout. */
function fetchDurations(into: number[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      const line = JSON.parse(chunk.toString()) as { msg?: string; ms?: number };
      if (line.msg === 'mirror fetched' && line.ms !== undefined) into.push(line.ms);
      done();
    },
  });
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const value = await fn();
  return [performance.now() - start, value];
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<WorkspaceBenchResult> {
  const { values } = parseArgs({
    args: argv,
    options: { files: { type: 'string' }, commits: { type: 'string' }, iterations: { type: 'string' }, seed: { type: 'string' } },
  });
  const params = { seed: Number(values.seed ?? 42), files: Number(values.files ?? 30_000), commits: Number(values.commits ?? 300) };
  const iterations = Number(values.iterations ?? 5);
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: workDir, GIT_CONFIG_NOSYSTEM: '1', LC_ALL: 'C' };

  const repoPath = join(workDir, `workspace-repo-s${params.seed}-f${params.files}-c${params.commits}.git`);
  const [genMs, generated] = await timed(() => generateRepo(repoPath, params, env));
  const packKiB = Number((await runGit(['count-objects', '-v'], { cwd: repoPath, env })).match(/size-pack: (\d+)/)?.[1]);
  const treeBytes = await runGit(['ls-tree', '-r', '-l', 'main'], { cwd: repoPath, env });
  const sizes = treeBytes.trim().split('\n').map((line) => Number(line.split(/\s+/)[3]));
  const mix = SIZE_MIX.map((b) => `${(b.share * 100).toFixed(1)}% ${b.min >> 10 || '0.2'}–${b.max >> 10} KiB${b.binary ? ' binary' : ''}`).join(', ');
  console.log(`repository: seed=${params.seed} files=${params.files} commits=${params.commits}; size mix ${mix}`);
  console.log(
    `  HEAD ${sizes.length} files, ${mib(sizes.reduce((a, b) => a + b, 0) / 1024)}; pack ${mib(packKiB)}; ` +
      (generated ? `generated in ${secs(genMs)}` : `cached in ${repoPath}`),
  );

  const scratch = await mkdtemp(join(workDir, 'workspace-run-'));
  try {
    const dataDir = join(scratch, 'data');
    const fetchMs: number[] = [];
    const log = pino({ level: 'info' }, fetchDurations(fetchMs));
    const manager = createWorkspaceManager({ dataDir, log, searchPath: env.PATH });
    const repo = { owner: 'bench', name: 'app', cloneUrl: pathToFileURL(repoPath).href, baseBranch: 'main' };
    const prepare = (runId: string) => manager.prepareWorkspace({ repo, runId, ticketKey: 'BENCH-1', title: `run ${runId}` });
    const [coldMirrorMs] = await timed(() => prepare('cold'));

    const mirrorKiB = await duKiB(join(dataDir, 'mirrors'));
    const cloneEnv = { ...env, HOME: join(dataDir, 'git-home'), GIT_TERMINAL_PROMPT: '0' };
    const worktreeMs: number[] = [];
    const worktreeKiB: number[] = [];
    const cloneMs: number[] = [];
    const cloneKiB: number[] = [];
    // Interleaved and after a sync, so writeback of one step's files does not land on the next;
    // nothing is deleted until the end, because on a disk mounted with online discard (this VM's)
    // removing 30,000 files makes the next step that creates files several times slower.
    for (let i = 0; i < iterations; i++) {
      await run('sync');
      const [wtMs, ws] = await timed(() => prepare(`run-${i}`));
      worktreeMs.push(wtMs);
      // The worktree's index and HEAD live in the mirror's worktrees/<id>: they count too.
      worktreeKiB.push(await duKiB(ws.path, join(dataDir, 'mirrors/bench/app.git/worktrees', `run-${i}`)));

      await run('sync');
      const target = join(scratch, `clone-${i}`);
      const [clMs] = await timed(() => runGit(['clone', '--quiet', repo.cloneUrl, target], { cwd: scratch, env: cloneEnv, timeoutMs: 600_000 }));
      cloneMs.push(clMs);
      cloneKiB.push(await duKiB(target));
    }

    const ratio = median(cloneMs) / median(worktreeMs);
    console.log(`iterations: ${iterations} each (after one cold run that clones the mirror: ${secs(coldMirrorMs)})`);
    console.log(`mirror + worktree add (fetch included): median ${secs(median(worktreeMs))}  [${worktreeMs.map(secs).join(', ')}]`);
    console.log(`  of which git fetch (nothing new):      median ${secs(median(fetchMs))}`);
    console.log(`fresh git clone over file://:          median ${secs(median(cloneMs))}  [${cloneMs.map(secs).join(', ')}]`);
    console.log(`ratio clone / worktree: ${ratio.toFixed(2)}×`);
    console.log(
      `disk per extra workspace: worktree ${mib(median(worktreeKiB))} (checkout + its index) vs clone ${mib(median(cloneKiB))}; ` +
        `shared mirror ${mib(mirrorKiB)} once`,
    );
    return {
      params: { ...params, iterations },
      worktreeMs,
      cloneMs,
      coldMirrorMs,
      ratio,
      worktreeKiB: median(worktreeKiB),
      cloneKiB: median(cloneKiB),
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
