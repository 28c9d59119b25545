import type Anthropic from '@anthropic-ai/sdk';
import { posix } from 'node:path';
import { globMatcher } from '../domain/glob-match.ts';
import type { LoopTool } from './loop-tool.ts';

/**
 * Whether the agent has reproduced the bug, as Baton sees it from the tool calls (never from what
 * the model says): a test file (one of outcome_gates.test_paths) was created or edited through the
 * editor, and a later command (bash or run_tests) exited non-zero. The gates prove FAIL_TO_PASS
 * later; this only decides when to tell the model to ask instead of wandering.
 */
export class ReproductionWatch {
  private readonly isTestPath: (path: string) => boolean;
  private testEdited = false;
  private seen = false;

  constructor(
    testPaths: readonly string[],
    /** Called once, when reproduction is first seen by a live tool call (not a replayed one). */
    private readonly onReproduced: () => Promise<void>,
  ) {
    this.isTestPath = globMatcher(testPaths);
  }

  get reproduced(): boolean {
    return this.seen;
  }

  /** The same tool, reporting each call to the watch after it ran. */
  wrap<T>(tool: LoopTool<T>): LoopTool<T> {
    const name = 'name' in tool.definition ? tool.definition.name : '';
    return {
      ...tool,
      run: async (input, context) => {
        const output = await tool.run(input, context);
        if (this.observe(name, input, output.content, output.isError === true)) await this.onReproduced();
        return output;
      },
    };
  }

  /** Replays a saved conversation (a resumed run), so a reproduction from before the pause counts. */
  replay(messages: readonly Anthropic.MessageParam[]): void {
    const calls = new Map<string, { name: string; input: unknown }>();
    for (const message of messages) {
      if (typeof message.content === 'string') continue;
      for (const block of message.content) {
        if (block.type === 'tool_use') calls.set(block.id, { name: block.name, input: block.input });
        if (block.type === 'tool_result') {
          const call = calls.get(block.tool_use_id);
          if (call) this.observe(call.name, call.input, resultText(block), block.is_error === true);
        }
      }
    }
  }

  /** True when this call is the one that completes the reproduction. */
  private observe(name: string, input: unknown, content: string, isError: boolean): boolean {
    if (this.seen) return false;
    if (name === EDITOR && !isError && editsTest(input, this.isTestPath)) {
      this.testEdited = true;
      return false;
    }
    if ((name === 'bash' || name === 'run_tests') && this.testEdited && commandFailed(content)) {
      this.seen = true;
      return true;
    }
    return false;
  }
}

const EDITOR = 'str_replace_based_edit_tool';
const WRITING_COMMANDS = new Set(['create', 'str_replace', 'insert']);

function editsTest(input: unknown, isTestPath: (path: string) => boolean): boolean {
  if (typeof input !== 'object' || input === null) return false;
  const { command, path } = input as { command?: unknown; path?: unknown };
  if (typeof command !== 'string' || !WRITING_COMMANDS.has(command) || typeof path !== 'string') return false;
  const rel = repoRelative(path);
  return rel !== undefined && isTestPath(rel);
}

/** `/repo/test/a.js`, `./test/a.js` and `test/a.js` all become `test/a.js`. */
export function repoRelative(path: string): string | undefined {
  const stripped = path === '/repo' ? '' : path.startsWith('/repo/') ? path.slice('/repo/'.length) : path;
  if (stripped.startsWith('/')) return undefined;
  const rel = posix.normalize(`./${stripped}`);
  return rel === '.' || rel.startsWith('../') ? undefined : rel.replace(/\/+$/, '');
}

// bash and run_tests end their answer with this line (src/agents/tools/command-answer.ts); a
// timeout or a kill has none, and a hang is no reproduction.
const EXIT_CODE_LINE = /(?:^|\n)Exit code: (-?\d+)(?=\n|$)/g;

function commandFailed(content: string): boolean {
  const last = [...content.matchAll(EXIT_CODE_LINE)].at(-1);
  return last !== undefined && Number(last[1]) !== 0;
}

function resultText(block: Anthropic.ToolResultBlockParam): string {
  if (typeof block.content === 'string') return block.content;
  return (block.content ?? []).map((part) => (part.type === 'text' ? part.text : '')).join('\n');
}
