// Idle memory of Baton as `npm start` runs it: the real CLI in a process of its own (fresh DATA_DIR,
// LOCAL_MODE=off, PORT=0, no Slack, no model), /readyz answered 200, then `--settle` seconds of
// nothing; then VmRSS from /proc of Baton and of every process under it (a database server it
// started, if any: PGlite runs inside Baton's own process, so there is none). Three starts:
//   embedded, first start: DATABASE_URL unset, an empty DATA_DIR (the embedded database's initdb runs);
//   embedded, restart:     the same DATA_DIR again (what every later `npm start` does);
//   external PostgreSQL:   DATABASE_URL (--pg-url) with a fresh schema, dropped after. The server's
//                          own memory is shared and not counted.
// RSS counts a page shared by several processes in each of them; PSS divides it among them, so a
// database of many processes (PostgreSQL's server, its background workers and one backend per
// connection) is fairly counted by PSS, not by RSS summed. Both are shown; the goal is on RSS.
// Flags: --settle 10 (s), --runs 1 (starts per mode), --pg-url (empty: skip that mode), --goal-mib 300.
// Reports the goal; exits non-zero only when the bench itself broke.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnBaton } from '../test/support/spawn-baton.ts';
import { benchEnvironment } from './lib/bench-environment.ts';
import { formatTable } from './lib/format-table.ts';
import { machineSchema } from './lib/machine-postgres.ts';
import { parseFlags } from './lib/parse-flags.ts';

const RESULTS_FILE = join(new URL('.', import.meta.url).pathname, 'results', 'idle-memory.json');
const defaults = { settle: 10, runs: 1, 'pg-url': 'postgres://postgres@127.0.0.1:5432/test', 'goal-mib': 300 };
let flags: typeof defaults;
try {
  flags = parseFlags(process.argv.slice(2), defaults);
  if (flags.runs < 1) throw new Error('--runs must be at least 1');
} catch (error) {
  console.error(`idle-memory: ${(error as Error).message}`);
  process.exit(2);
}

interface Sample {
  mode: string;
  /** Baton's own VmRSS, and the sum over the processes it started (none with PGlite). */
  batonKib: number;
  childrenKib: number;
  /** Proportional set size of Baton and the processes it started, summed. */
  pssKib: number;
  children: string[];
  /** Baton's VmHWM: the most it held at any time, start-up included. */
  peakKib: number;
  readyMs: number;
}

const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;

function procField(pid: number, file: 'status' | 'smaps_rollup', field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/${file}`, 'utf8'));
  return match ? Number(match[1]) : 0;
}

/** Every live descendant of `root` (a database server, a helper), from /proc's parent links. */
function descendants(root: number): { pid: number; name: string }[] {
  const parents = new Map<number, { ppid: number; name: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The name sits in parentheses and may hold spaces: the fields after the last ')' are fixed.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      parents.set(Number(entry), { ppid: Number(stat.slice(close + 2).split(' ')[1]), name: stat.slice(stat.indexOf('(') + 1, close) });
    } catch {
      // The process ended between the listing and the read: it holds no memory any more.
    }
  }
  const found: { pid: number; name: string }[] = [];
  const walk = (pid: number): void => {
    for (const [child, info] of parents) {
      if (info.ppid !== pid) continue;
      found.push({ pid: child, name: info.name });
      walk(child);
    }
  };
  walk(root);
  return found;
}

async function waitReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await fetch(`${url}/readyz`).then((r) => r.status, () => 0);
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`/readyz did not answer 200 within ${timeoutMs / 1000} s (last: ${status})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function measure(mode: string, dataDir: string, env: Record<string, string>): Promise<Sample> {
  const started = Date.now();
  // The CLI as `npm start` runs it (`node --import tsx src/cli.ts start --exit-with-parent`).
  const baton = await spawnBaton({ cwd: dataDir, env: { DATA_DIR: join(dataDir, '.data'), ...env }, args: ['--exit-with-parent'], timeoutMs: 120_000 });
  try {
    await waitReady(baton.url, 30_000);
    const readyMs = Date.now() - started;
    await new Promise((r) => setTimeout(r, flags.settle * 1000));
    const children = descendants(baton.pid).map((p) => ({ ...p, kib: procField(p.pid, 'status', 'VmRSS') }));
    return {
      mode,
      batonKib: procField(baton.pid, 'status', 'VmRSS'),
      childrenKib: children.reduce((sum, c) => sum + c.kib, 0),
      pssKib: [baton.pid, ...children.map((c) => c.pid)].reduce((sum, pid) => sum + procField(pid, 'smaps_rollup', 'Pss'), 0),
      children: children.map((c) => `${c.name} (${c.pid}) ${mib(c.kib)}`),
      peakKib: procField(baton.pid, 'status', 'VmHWM'),
      readyMs,
    };
  } finally {
    const code = await baton.stop('SIGTERM');
    if (code !== 0) problems.push(`${mode}: Baton exited with ${code} on SIGTERM:\n${baton.output.slice(-20).join('')}`);
  }
}

const problems: string[] = [];
const samples: Sample[] = [];
const dirs: string[] = [];
try {
  for (let run = 0; run < flags.runs; run += 1) {
    const dir = mkdtempSync(join(tmpdir(), 'baton-idle-memory-'));
    dirs.push(dir);
    samples.push(await measure('embedded, first start', dir, {}));
    samples.push(await measure('embedded, restart', dir, {}));
    if (flags['pg-url']) {
      const schema = await machineSchema(flags['pg-url']);
      if (!schema.ok) {
        if (run === 0) console.log(`external PostgreSQL skipped: ${schema.reason}`);
        continue;
      }
      const externalDir = mkdtempSync(join(tmpdir(), 'baton-idle-memory-'));
      dirs.push(externalDir);
      try {
        samples.push(await measure('external PostgreSQL', externalDir, { DATABASE_URL: flags['pg-url'], DATABASE_SCHEMA: schema.schema }));
      } finally {
        await schema.drop();
      }
    }
  }

  const goalKib = flags['goal-mib'] * 1024;
  console.log(`\nidle RSS, ${flags.settle} s after /readyz answered 200 (Baton started as npm start does; VmRSS from /proc)`);
  // The goal is the embedded default's; an external server's memory is not measured here.
  const verdict = (s: Sample) => (s.mode.startsWith('embedded') ? (s.batonKib + s.childrenKib < goalKib ? 'PASS' : 'FAIL') : 'n/a');
  console.log(formatTable(['mode', 'Baton RSS', 'its children (RSS)', 'all told RSS', 'all told PSS', 'Baton peak (VmHWM)', 'ready after', 'goal'], samples.map((s) => [
    s.mode, mib(s.batonKib), s.children.length ? s.children.join(', ') : 'none', mib(s.batonKib + s.childrenKib), mib(s.pssKib), mib(s.peakKib),
    `${(s.readyMs / 1000).toFixed(1)} s`, verdict(s),
  ])));
  console.log(`goal: an idle Baton with its default (embedded) database under ${flags['goal-mib']} MiB RSS all told; the external server's own memory is not counted`);
console.log('(an esbuild child is tsx compiling TypeScript that its cache did not hold: a first `npm start` after an install or a change has one too)');
  for (const p of problems) console.log(`BROKEN: ${p}`);
  mkdirSync(join(RESULTS_FILE, '..'), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify({ bench: 'idle-memory', ...benchEnvironment(), flags: { ...flags, 'pg-url': flags['pg-url'] ? 'set' : '' }, samples, problems }, null, 2)}\n`);
  console.log(`results written to ${RESULTS_FILE}`);
} catch (error) {
  problems.push(String(error));
  console.error(`idle-memory broke: ${(error as Error).stack ?? String(error)}`);
} finally {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}
if (problems.length > 0) process.exitCode = 1;
