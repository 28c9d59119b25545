// Node 20's --test does not expand globs, and with no files it passes with 0 tests; this finds
// every *.test.ts under test/ and fails loudly if there are none.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2);

function findTests(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : findTests(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const files = findTests(join(root, 'test'))
  .map((f) => relative(root, f))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
if (files.length === 0) {
  console.error(`no test files found under test/${only.length ? ` matching ${only.join(', ')}` : ''}`);
  process.exit(1);
}
// The sandbox tests (and the agent flows) run the real bubblewrap: `npm test` installs it on a fresh
// machine, as .ci/run does, rather than failing dozens of tests with "bwrap not found".
if (spawnSync('sh', ['-c', 'command -v bwrap'], { stdio: 'ignore' }).status !== 0) {
  const installed = spawnSync(join(root, 'scripts/install-bubblewrap.sh'), { stdio: 'inherit' });
  if (installed.status !== 0) {
    console.error('bubblewrap (bwrap) is needed by the sandbox tests and could not be installed; install the bubblewrap package');
    process.exit(1);
  }
}
// Local mode's browser test drives Debian's chromium: installed the same way, when missing.
if (!existsSync('/usr/bin/chromium')) {
  const installed = spawnSync(join(root, 'scripts/install-chromium.sh'), { stdio: 'inherit' });
  if (installed.status !== 0) {
    console.error('chromium is needed by the local-mode browser test and could not be installed; install the chromium package');
    process.exit(1);
  }
}
console.error(`running ${files.length} test files`);
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${Math.max(2, availableParallelism())}`, ...files],
  { cwd: root, stdio: 'inherit' },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
