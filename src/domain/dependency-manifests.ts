/**
 * Files that decide what a repository's install step fetches and runs. A change touching one is
 * installed again before Baton's test runs, and only offline: the agent's edit of a package.json
 * `postinstall` script, a requirements file or a go.mod is the agent's code, never run with the
 * network (prove-change.ts).
 */

const MANIFEST_NAMES = new Set([
  // JavaScript
  'package.json', 'package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'pnpm-workspace.yaml', 'bun.lock', 'bun.lockb',
  '.npmrc', '.yarnrc', '.yarnrc.yml',
  // Python
  'pyproject.toml', 'setup.py', 'setup.cfg', 'poetry.lock', 'Pipfile', 'Pipfile.lock', 'uv.lock',
  // Go, Rust, Ruby, PHP
  'go.mod', 'go.sum', 'Cargo.toml', 'Cargo.lock', 'Gemfile', 'Gemfile.lock', 'composer.json', 'composer.lock',
]);

/** requirements.txt, requirements-dev.txt, requirements/base.txt's siblings named requirements*.txt. */
const REQUIREMENTS = /^requirements[^/]*\.txt$/;

/** True for a dependency manifest or lockfile at any depth (a monorepo's packages have their own). */
export function isDependencyManifest(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return MANIFEST_NAMES.has(name) || REQUIREMENTS.test(name);
}

/** The manifests among `paths`, in order. */
export function dependencyManifests(paths: Iterable<string>): string[] {
  return [...new Set([...paths].filter(isDependencyManifest))];
}
