import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface RepoParams {
  seed: number;
  files: number;
  commits: number;
}

// Share of files per size band, by the mix of a typical application repository: mostly small
// sources and tests, some generated or long files, a few vendored bundles and binary assets.
export const SIZE_MIX = [
  { share: 0.885, min: 200, max: 4_096, binary: false },
  { share: 0.1, min: 4_096, max: 40_960, binary: false },
  { share: 0.012, min: 40_960, max: 409_600, binary: false },
  { share: 0.003, min: 10_240, max: 204_800, binary: true },
];

/** mulberry32: small, fast and the same on every machine, so the repository is too. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = 'user order cart item price total account session token config client server request response handler cache queue event payment invoice report search index filter status error retry'.split(' ');
const KEYWORDS = ['const', 'let', 'return', 'if', 'await', 'export function', 'import', 'for', 'throw new Error'];

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)]!;
}

function sourceLine(rand: () => number): string {
  const indent = '  '.repeat(Math.floor(rand() * 4));
  const name = `${pick(rand, WORDS)}${pick(rand, WORDS).replace(/^./, (c) => c.toUpperCase())}`;
  return `${indent}${pick(rand, KEYWORDS)} ${name} = ${pick(rand, WORDS)}(${Math.floor(rand() * 1000)}, '${pick(rand, WORDS)}');\n`;
}

/** File content for one version: a base from the file's own seed, then one edited block per later version. */
function content(seed: number, file: number, version: number, size: number, binary: boolean): Buffer {
  const rand = prng(seed * 1_000_003 + file);
  if (binary) return Buffer.from(Array.from({ length: size + version }, () => Math.floor(rand() * 256)));
  const lines: string[] = [];
  for (let length = 0; length < size; ) {
    const line = sourceLine(rand);
    lines.push(line);
    length += line.length;
  }
  for (let v = 1; v <= version; v++) {
    const edit = prng(seed * 7_919 + file * 31 + v);
    const at = Math.floor(edit() * lines.length);
    lines.splice(at, Math.min(3, lines.length - at), sourceLine(edit), sourceLine(edit));
  }
  return Buffer.from(lines.join(''));
}

interface FileSpec {
  path: string;
  size: number;
  binary: boolean;
  version: number;
}

function planFiles(params: RepoParams): FileSpec[] {
  const rand = prng(params.seed);
  const areas = Array.from({ length: 40 }, (_, i) => `${pick(rand, ['packages', 'services', 'apps', 'libs'])}/${pick(rand, WORDS)}-${i}`);
  return Array.from({ length: params.files }, (_, i) => {
    let r = rand();
    const band = SIZE_MIX.find((b) => (r -= b.share) < 0) ?? SIZE_MIX[0]!;
    const size = Math.round(band.min * Math.pow(band.max / band.min, rand())); // log-uniform within the band
    const dir = `${pick(rand, areas)}/${pick(rand, ['src', 'src/lib', 'test', 'src/api', 'assets', 'docs'])}`;
    const ext = band.binary ? 'png' : pick(rand, ['ts', 'ts', 'tsx', 'js', 'json', 'md']);
    return { path: `${dir}/${pick(rand, WORDS)}-${i}.${ext}`, size, binary: band.binary, version: 0 };
  });
}

/** The fast-import stream, one commit at a time: the first imports half the files, the rest add and edit a few each. */
async function* commitStream(params: RepoParams): AsyncGenerator<Buffer> {
  const rand = prng(params.seed ^ 0x5eed);
  const files = planFiles(params);
  let added = Math.floor(files.length / 2);
  const perCommit = Math.ceil((files.length - added) / Math.max(1, params.commits - 1));
  for (let c = 0; c < params.commits; c++) {
    const touched = new Set<number>();
    const existing = c === 0 ? 0 : added;
    if (c === 0) for (let i = 0; i < added; i++) touched.add(i);
    else {
      const edits = 5 + Math.floor(rand() * 25);
      for (let e = 0; e < edits; e++) touched.add(Math.floor(rand() * existing));
      added = Math.min(files.length, added + perCommit);
      for (let i = existing; i < added; i++) touched.add(i);
    }
    const when = 1_600_000_000 + c * 3_600;
    const message = `commit ${c + 1}: ${pick(rand, WORDS)} ${pick(rand, WORDS)}\n`;
    yield Buffer.from(
      `commit refs/heads/main\nauthor Bench <bench@example.com> ${when} +0000\ncommitter Bench <bench@example.com> ${when} +0000\n` +
        `data ${Buffer.byteLength(message)}\n${message}`,
    );
    for (const i of touched) {
      const file = files[i]!;
      if (i < existing) file.version += 1;
      const data = content(params.seed, i, file.version, file.size, file.binary);
      yield Buffer.concat([Buffer.from(`M 100644 inline ${file.path}\ndata ${data.length}\n`), data, Buffer.from('\n')]);
    }
    yield Buffer.from('\n');
  }
}

function git(args: string[], cwd: string, env: Record<string, string>, input?: AsyncIterable<Buffer>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, env, stdio: [input ? 'pipe' : 'ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`git ${args[0]} exited with ${code}`))));
    if (input && child.stdin) {
      const stdin = child.stdin;
      void (async () => {
        for await (const chunk of input) if (!stdin.write(chunk)) await new Promise((r) => stdin.once('drain', r));
        stdin.end();
      })().catch(reject);
    }
  });
}

/**
 * A bare repository at `path` generated from `params`, reused when already there (a marker file
 * is written last, so an interrupted generation is redone). Returns whether it was generated now.
 */
export async function generateRepo(path: string, params: RepoParams, env: Record<string, string>): Promise<boolean> {
  const marker = `${path}/baton-bench-complete`;
  if (existsSync(marker)) return false;
  const tmp = `${path}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(dirname(path), { recursive: true });
  await git(['init', '--bare', '--quiet', '--initial-branch=main', tmp], dirname(path), env);
  await git(['fast-import', '--quiet'], tmp, env, commitStream(params));
  // fast-import's pack has few deltas; a hosted repository is repacked, so this one is too.
  await git(['repack', '-a', '-d', '-f', '--quiet', '--window=10', '--depth=50'], tmp, env);
  await writeFile(`${tmp}/baton-bench-complete`, `${JSON.stringify(params)}\n`);
  await rm(path, { recursive: true, force: true });
  await rename(tmp, path);
  return true;
}
