import type { Blocks } from '../../integrations/slack.ts';
import type { RunOutcome } from '../../domain/run.ts';
import { context, escapeMrkdwn, section } from './blocks.ts';
import { clipMrkdwn } from './clip-mrkdwn.ts';
import { MESSAGE_LIMITS } from './message-limits.ts';

const DIFF_LINE_CHARS = 240;
const FENCE = '```';
// Room for the fences and newlines around a chunk of diff inside one section.
const CHUNK_CHARS = MESSAGE_LIMITS.sectionChars - 2 * FENCE.length - 2;

/** Files, added and removed lines, counted from a unified diff (when the run kept no stats). */
export function diffStatsOf(diff: string): RunOutcome['diffStats'] {
  const lines = diff.split('\n');
  return {
    files: lines.filter((l) => l.startsWith('diff --git ')).length,
    added: lines.filter((l) => l.startsWith('+') && !l.startsWith('+++')).length,
    removed: lines.filter((l) => l.startsWith('-') && !l.startsWith('---')).length,
  };
}

/** "2 files changed, +12 −1" */
export function diffStatsLine(stats: RunOutcome['diffStats']): string {
  return `${stats.files} file${stats.files === 1 ? '' : 's'} changed, +${stats.added} −${stats.removed}`;
}

/**
 * One diff line made safe inside a code block: escaped, its backtick runs broken (a ``` in the diff
 * would close the block), and a very long line shortened.
 */
function codeLine(line: string): string {
  const clipped = clipMrkdwn(line, DIFF_LINE_CHARS);
  return `${clipped.text}${clipped.omitted > 0 ? '…' : ''}`.replace(/`(?=`)/g, '`\u200B');
}

/**
 * The diff's first lines in code-block sections of at most `max` characters in all, cut at whole
 * lines, then a line naming the attached file that has the rest.
 */
export function diffPreview(diff: string, fileName: string, max: number): Blocks {
  const lines = diff.replace(/\n$/, '').split('\n');
  const chunks: string[][] = [[]];
  let chunkSize = 0;
  let total = 0;
  let shown = 0;
  for (const raw of lines) {
    const line = codeLine(raw);
    if (total + line.length + 1 > max) break;
    if (chunkSize + line.length + 1 > CHUNK_CHARS) {
      chunks.push([]);
      chunkSize = 0;
    }
    chunks.at(-1)!.push(line);
    chunkSize += line.length + 1;
    total += line.length + 1;
    shown += 1;
  }
  const blocks = chunks.filter((c) => c.length > 0).map((c) => section(`${FENCE}\n${c.join('\n')}\n${FENCE}`));
  const file = `\`${escapeMrkdwn(fileName.replace(/`/g, "'"))}\``;
  const rest = lines.length - shown;
  blocks.push(context(rest > 0 ? `… ${rest} more line${rest === 1 ? '' : 's'} in the attached file ${file}` : `The full diff is attached as ${file}.`));
  return blocks;
}
