import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ToolOutput } from '../loop-tool.ts';
import { writeText } from './file-text.ts';

/**
 * The editor's `create`: writes the file with `fileText`, making missing parent directories. As
 * the 20250728 tool documents it, create writes the file; an existing one is replaced, and the
 * answer says so, since the model may not have meant it.
 */
export async function createFile(target: { hostPath: string; shown: string; exists: boolean }, fileText: string): Promise<ToolOutput> {
  if (target.exists) {
    const info = await stat(target.hostPath);
    if (info.isDirectory()) return { content: `${target.shown} is a directory; give a file path to create.`, isError: true };
    if (!info.isFile()) return { content: `${target.shown} is not a regular file; it cannot be replaced.`, isError: true };
  }
  await mkdir(dirname(target.hostPath), { recursive: true });
  await writeText(target.hostPath, fileText, target.shown);
  const lines = fileText === '' ? 0 : fileText.replace(/\n$/, '').split('\n').length;
  return {
    content: target.exists
      ? `File ${target.shown} already existed and has been overwritten with the new content (${lines} lines).`
      : `File created successfully at: ${target.shown} (${lines} lines).`,
  };
}
