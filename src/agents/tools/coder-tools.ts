import type { SandboxPolicy } from '../../policy.ts';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import type { LoopTool } from '../loop-tool.ts';
import { askClarificationTool } from './ask-clarification-tool.ts';
import { bashTool } from './bash-tool.ts';
import type { CoderStop } from './coder-stop.ts';
import { finishTool } from './finish-tool.ts';
import { runTestsTool } from './run-tests-tool.ts';
import { textEditorTool } from './text-editor-tool.ts';

export interface CoderToolsOptions {
  /** The run's worktree on the host; the model is told it is /repo. */
  worktree: string;
  sandbox: Sandbox;
  policy: SandboxPolicy;
  testCommand: string | undefined;
  /** False where commands would run unconfined: run_tests takes bash's place. */
  offerBash: boolean;
}

/**
 * The coder's tools, in a fixed order (the tool list heads the cached prompt prefix). Without bash
 * and without a test command there is nothing to run tests with, so no run_tests either; the
 * caller should not start such a run.
 */
export function coderTools(options: CoderToolsOptions): LoopTool<CoderStop>[] {
  const { worktree, sandbox, policy, testCommand } = options;
  const tools: LoopTool<CoderStop>[] = [textEditorTool({ worktree, maxCharacters: policy.output_kib * 1024 })];
  if (options.offerBash) tools.push(bashTool({ worktree, sandbox, policy }));
  else if (testCommand !== undefined) tools.push(runTestsTool({ worktree, sandbox, policy, testCommand }));
  tools.push(finishTool(), askClarificationTool());
  return tools;
}
