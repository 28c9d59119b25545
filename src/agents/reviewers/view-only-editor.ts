import type { LoopTool } from '../loop-tool.ts';
import { textEditorTool } from '../tools/text-editor-tool.ts';

/**
 * Anthropic's text editor tool (the model is trained on it, so it reads files well with it) limited to
 * `view`: a reviewer reads the worktree at the head Baton proved and must not change what it reviews.
 * Any other command is answered `is_error` without touching the disk.
 */
export function viewOnlyEditorTool(options: { worktree: string }): LoopTool {
  const editor = textEditorTool({ worktree: options.worktree });
  return {
    definition: editor.definition,
    // Views never write, so several in one turn may run together.
    readOnly: true,
    async run(input, context) {
      const command = typeof input === 'object' && input !== null ? (input as { command?: unknown }).command : undefined;
      if (command !== 'view') {
        const named = typeof command === 'string' ? `\`${command}\`` : 'a command other than `view`';
        return {
          content: `read-only: ${named} is refused. Reviewers read the change, they do not edit it; only \`view\` works here (a file, with an optional view_range, or a directory).`,
          isError: true,
        };
      }
      return editor.run(input, context);
    },
  };
}
