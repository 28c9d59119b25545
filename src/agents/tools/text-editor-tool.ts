import { z } from 'zod';
import type { LoopTool, ToolOutput } from '../loop-tool.ts';
import { createFile } from './create-file.ts';
import { FileTextError } from './file-text.ts';
import { insertText } from './insert-text.ts';
import { resolveRepoPath } from './resolve-repo-path.ts';
import { strReplace } from './str-replace.ts';
import { viewPath } from './view-path.ts';

export interface TextEditorOptions {
  /** The run's worktree on the host; the model knows it as /repo. */
  worktree: string;
  /** A file view longer than this keeps its head and tail lines; told to the model in the definition. */
  maxCharacters?: number;
}

const DEFAULT_MAX_CHARACTERS = 30_000;

// The schema is built into the model (a schema-less client tool); this checks what it sent.
const inputSchema = z.object({
  command: z.string(),
  path: z.unknown().optional(),
  view_range: z.tuple([z.number().int(), z.number().int()]).optional(),
  file_text: z.string().optional(),
  old_str: z.string().optional(),
  new_str: z.string().optional(),
  insert_line: z.number().int().optional(),
  insert_text: z.string().optional(),
});
type EditorInput = z.infer<typeof inputSchema>;

/**
 * Anthropic's text editor tool (text_editor_20250728, `str_replace_based_edit_tool`), executed by
 * Baton on the run's worktree: view, create, str_replace and insert, every path confined to it.
 */
export function textEditorTool(options: TextEditorOptions): LoopTool {
  const maxCharacters = options.maxCharacters ?? DEFAULT_MAX_CHARACTERS;
  return {
    definition: { type: 'text_editor_20250728', name: 'str_replace_based_edit_tool', max_characters: maxCharacters },
    readOnly: false,
    async run(raw) {
      const parsed = inputSchema.safeParse(raw);
      if (!parsed.success) return failed(`Invalid input: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}`);
      const input = parsed.data;
      if (typeof input.path !== 'string' || input.path.trim() === '') return failed('Give `path`, e.g. /repo/src/index.ts.');
      const target = await resolveRepoPath(options.worktree, input.path);
      if (!target.ok) return failed(`Refused: ${target.reason}.`);
      try {
        return await runCommand(input, target, maxCharacters);
      } catch (error) {
        return failed(describe(error, input.command, target.shown));
      }
    },
  };
}

async function runCommand(input: EditorInput, target: { hostPath: string; shown: string; exists: boolean }, maxCharacters: number): Promise<ToolOutput> {
  const missing = `The path ${target.shown} does not exist.`;
  switch (input.command) {
    case 'view':
      if (!target.exists) return failed(missing);
      return await viewPath(target, input.view_range, maxCharacters);
    case 'create':
      if (input.file_text === undefined) return failed('`create` needs `file_text`, the whole content of the file.');
      return await createFile(target, input.file_text);
    case 'str_replace':
      if (input.old_str === undefined) return failed('`str_replace` needs `old_str`, the exact text to replace.');
      if (!target.exists) return failed(missing);
      return await strReplace(target, input.old_str, input.new_str ?? '');
    case 'insert': {
      // The documentation names the text `insert_text`; earlier versions of the tool sent `new_str`.
      const text = input.insert_text ?? input.new_str;
      if (input.insert_line === undefined || text === undefined) return failed('`insert` needs `insert_line` (0 = the top) and `insert_text`.');
      if (!target.exists) return failed(missing);
      return await insertText(target, input.insert_line, text);
    }
    case 'undo_edit':
      return failed('`undo_edit` is not part of this version of the tool; use str_replace to put the text back.');
    default:
      return failed(`Unknown command \`${input.command}\`; use view, create, str_replace or insert.`);
  }
}

function describe(error: unknown, command: string, shown: string): string {
  if (error instanceof FileTextError) return error.message;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return `The path ${shown} does not exist.`;
  if (code === 'EISDIR') return `${shown} is a directory; \`${command}\` needs a file.`;
  if (code === 'ELOOP') return `Refused: ${shown} is a symlink.`;
  if (code === 'EACCES' || code === 'EPERM') return `${shown} cannot be accessed (${code}).`;
  return `\`${command}\` on ${shown} failed: ${code ?? (error instanceof Error ? error.message : String(error))}.`;
}

function failed(content: string): ToolOutput {
  return { content, isError: true };
}
