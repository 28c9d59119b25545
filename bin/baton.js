#!/usr/bin/env -S node --max-semi-space-size=4
// --max-semi-space-size: see src/cli.ts (idle memory); npm start and the Dockerfile pass it too.
// Runs the compiled CLI when present (Docker image), else the TypeScript source through tsx.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/src/cli.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli.ts', import.meta.url).href);
}
