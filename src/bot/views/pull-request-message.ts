import type { Blocks, SlackMessage } from '../../integrations/slack.ts';
import type { TestRun } from '../../domain/agent-outcome.ts';
import type { Run, RunOutcome } from '../../domain/run.ts';
import { context, escapeMrkdwn, link, message, section } from './blocks.ts';
import { clipMrkdwn } from './clip-mrkdwn.ts';
import { unsandboxedWarning } from './unsandboxed-warning.ts';

/*
 * Slack's limits (Block Kit reference): 50 blocks per message, 3,000 characters per section text.
 * Slack truncates or refuses long messages well before its 40,000-character text limit when they
 * carry blocks, so the whole card is kept near 10,000 characters: the full diff goes as a file.
 */
export const PR_MESSAGE_LIMITS = { blocks: 50, sectionChars: 3_000, totalChars: 12_000 } as const;
const SUMMARY_CHARS = 2_000;
const EVIDENCE_CHARS = 1_500;
const DIFF_CHARS = 6_000;
const DIFF_LINE_CHARS = 240;
const FENCE = '```';
// Room for the fences and newlines around a chunk of diff inside one section.
const CHUNK_CHARS = PR_MESSAGE_LIMITS.sectionChars - 2 * FENCE.length - 2;

const RUN_LABEL: Record<TestRun['label'], string> = {
  base: 'Base commit',
  base_with_new_tests: 'Base commit + the new tests',
  change: 'With the change',
};

/** The name of the full diff's file, as uploaded to the thread. */
export function diffFileName(run: Run): string {
  const sha = run.outcome?.headSha ?? run.headSha;
  const key = run.ticketKey.replace(/[^A-Za-z0-9_-]/g, '_');
  return sha ? `${key}-${sha.slice(0, 7)}.diff` : `${key}.diff`;
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

function result(run: Omit<TestRun, 'output'>): string {
  if (run.timedOut) return 'timed out';
  if (run.exitCode === null) return 'killed';
  return run.exitCode === 0 ? 'passed (exit 0)' : `failed (exit ${run.exitCode})`;
}

/** Lines joined while they fit `max`; then one line saying how many were left out. */
function fitLines(lines: string[], max: number, more: (n: number) => string): string {
  const kept: string[] = [];
  let size = 0;
  for (const line of lines) {
    if (size + line.length + 1 > max - 60) break;
    kept.push(line);
    size += line.length + 1;
  }
  return kept.length < lines.length ? [...kept, more(lines.length - kept.length)].join('\n') : kept.join('\n');
}

function evidenceSection(evidence: RunOutcome['evidence']): Blocks[number] {
  const runs = evidence.runs.map((r) =>
    `• ${RUN_LABEL[r.label]}: ${result(r)} · ${seconds(r.durationMs)} · \`${clipMrkdwn(r.command.replace(/`/g, "'"), 120).text}\``);
  const files = evidence.testFiles.map((f) => `\`${clipMrkdwn(f.replace(/`/g, "'"), 150).text}\``);
  const lines = ['*Tests Baton ran itself*', ...runs];
  if (files.length > 0) lines.push(`Tests added or changed: ${files.slice(0, 10).join(', ')}${files.length > 10 ? ` and ${files.length - 10} more` : ''}`);
  return section(fitLines(lines, EVIDENCE_CHARS, (n) => `_… and ${n} more lines in the PR description_`));
}

function summarySection(summary: string): Blocks[number] {
  const { text, omitted } = clipMrkdwn(summary.trim() || 'No summary.', SUMMARY_CHARS);
  return section(`*Summary*\n${text}${omitted > 0 ? `…\n_(${omitted} more characters in the PR description)_` : ''}`);
}

function statsOf(diff: string): RunOutcome['diffStats'] {
  const lines = diff.split('\n');
  return {
    files: lines.filter((l) => l.startsWith('diff --git ')).length,
    added: lines.filter((l) => l.startsWith('+') && !l.startsWith('+++')).length,
    removed: lines.filter((l) => l.startsWith('-') && !l.startsWith('---')).length,
  };
}

/**
 * One diff line made safe inside a code block: escaped, its backtick runs broken (a ``` in the diff
 * would close the block), and a very long line shortened.
 */
function codeLine(line: string): string {
  const clipped = clipMrkdwn(line, DIFF_LINE_CHARS);
  return `${clipped.text}${clipped.omitted > 0 ? '…' : ''}`.replace(/`(?=`)/g, '`\u200B');
}

/** The diff's first lines in code-block sections, cut at whole lines; the rest is in the file. */
function diffPreview(diff: string, fileName: string): Blocks {
  const lines = diff.replace(/\n$/, '').split('\n');
  const chunks: string[][] = [[]];
  let chunkSize = 0;
  let total = 0;
  let shown = 0;
  for (const raw of lines) {
    const line = codeLine(raw);
    if (total + line.length + 1 > DIFF_CHARS) break;
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
  const file = `\`${escapeMrkdwn(fileName)}\``;
  const rest = lines.length - shown;
  blocks.push(context(rest > 0 ? `… ${rest} more line${rest === 1 ? '' : 's'} in the attached file ${file}` : `The full diff is attached as ${file}.`));
  return blocks;
}

/**
 * The card posted once the PR is open: the PR link, the agent's summary, the tests Baton ran
 * itself, and a preview of the diff (the whole diff is uploaded beside it as diffFileName(run)).
 * Summary, paths, commands and diff are untrusted text: escaped, and never able to form a link.
 */
export function pullRequestMessage(input: { run: Run; diff: string; prUrl?: string }): SlackMessage {
  const { run, diff } = input;
  const prUrl = input.prUrl ?? run.prUrl;
  const outcome = run.outcome;
  const prName = run.prNumber !== null ? `PR #${run.prNumber}` : 'The PR';
  const pr = prUrl ? link(prUrl, prName) : prName;
  const ticket = run.ticketUrl ? link(run.ticketUrl, run.ticketKey) : run.ticketKey;
  const title = run.ticketTitle ? ` · ${clipMrkdwn(run.ticketTitle, 300).text}` : '';
  const stats = outcome?.diffStats ?? statsOf(diff);
  const unsandboxed = run.unsandboxed || outcome?.evidence.sandboxed === false;
  const plainUrl = prUrl && /^https?:\/\/[^\s<>|]+$/.test(prUrl) ? ` ${prUrl}` : '';
  return message(
    `${run.ticketKey}: ${prName} is open${plainUrl}`,
    section(`:rocket: *${pr}* is open for *${ticket}*${title}`),
    ...(unsandboxed ? [unsandboxedWarning()] : []),
    ...(outcome ? [summarySection(outcome.summary), evidenceSection(outcome.evidence)] : []),
    section(`*Diff* · ${stats.files} file${stats.files === 1 ? '' : 's'} changed, +${stats.added} −${stats.removed}`),
    ...diffPreview(diff, diffFileName(run)),
  );
}
