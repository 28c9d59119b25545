import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { LoopTool, ToolOutput } from '../../../src/agents/loop-tool.ts';
import { fixtureGit, tempDir } from '../../integrations/git/git-fixtures.ts';

export interface ToolWorld {
  /** A linked git worktree (its `.git` is a file pointing into the main repository), as runs get. */
  worktree: string;
  /** A directory beside it that nothing may read or write through the tools. */
  outside: string;
  /** Content of `outside/secret.txt`. */
  secret: string;
  cleanup: () => Promise<void>;
}

export async function toolWorld(files: Record<string, string> = {}): Promise<ToolWorld> {
  const { dir, cleanup } = await tempDir('baton-tools-');
  const git = fixtureGit(dir);
  const main = join(dir, 'main');
  await mkdir(main);
  await git(['init', '--quiet', '--initial-branch=main'], main);
  const seed = { 'README.md': '# app\n', 'src/index.js': 'export const answer = 42;\n', ...files };
  for (const [file, content] of Object.entries(seed)) {
    await mkdir(dirname(join(main, file)), { recursive: true });
    await writeFile(join(main, file), content);
  }
  await git(['add', '--all'], main);
  await git(['commit', '--quiet', '-m', 'seed'], main);
  const worktree = join(dir, 'workspaces', 'run-1');
  await git(['worktree', 'add', '--quiet', '-b', 'baton/T-1', worktree], main);

  const outside = join(dir, 'outside');
  await mkdir(outside);
  const secret = 'TOP SECRET: the outside file\n';
  await writeFile(join(outside, 'secret.txt'), secret);
  return { worktree, outside, secret, cleanup };
}

/** Runs a tool the way the loop does and checks it never throws. */
export function call<T>(tool: LoopTool<T>, input: unknown): Promise<ToolOutput<T>> {
  return tool.run(input, { signal: new AbortController().signal });
}

/** A tool's name as the model sees it (a few members of the SDK's ToolUnion, toolsets, have none). */
export function toolName(tool: LoopTool<unknown>): string | undefined {
  return 'name' in tool.definition ? tool.definition.name : undefined;
}
