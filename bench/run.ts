// `npm run bench` runs every bench in bench/ (each *.ts here but this file), one process each;
// `npm run bench -- ack-latency [--flags]` runs the named ones, passing the flags on.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const benchDir = new URL('.', import.meta.url).pathname;
const available = readdirSync(benchDir)
  .filter((file) => file.endsWith('.ts') && file !== 'run.ts')
  .map((file) => file.slice(0, -'.ts'.length))
  .sort();

const args = process.argv.slice(2);
const firstFlag = args.findIndex((arg) => arg.startsWith('-'));
const names = firstFlag === -1 ? args : args.slice(0, firstFlag);
const flags = firstFlag === -1 ? [] : args.slice(firstFlag);
const unknown = names.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  console.error(`no bench named ${unknown.join(', ')}; available: ${available.join(', ') || '(none)'}`);
  process.exit(2);
}

function runBench(name: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(benchDir, `${name}.ts`), ...flags], { stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

let failed = 0;
for (const name of names.length > 0 ? names : available) {
  console.log(`== bench ${name} ==`);
  const code = await runBench(name);
  if (code !== 0) {
    console.error(`bench ${name} exited with code ${code}`);
    failed += 1;
  }
}
process.exitCode = failed > 0 ? 1 : 0;
