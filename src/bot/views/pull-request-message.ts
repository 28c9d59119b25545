import type { SlackMessage } from '../../integrations/slack.ts';
import type { Run } from '../../domain/run.ts';
import { link, message, section } from './blocks.ts';
import { clipMrkdwn } from './clip-mrkdwn.ts';
import { diffPreview, diffStatsLine, diffStatsOf } from './diff-preview.ts';
import { MESSAGE_LIMITS } from './message-limits.ts';
import { summarySection } from './summary-section.ts';
import { testEvidenceSection } from './test-evidence-section.ts';
import { unsandboxedWarning } from './unsandboxed-warning.ts';

export const PR_MESSAGE_LIMITS = MESSAGE_LIMITS;
const SUMMARY_CHARS = 2_000;
const EVIDENCE_CHARS = 1_500;
const DIFF_CHARS = 6_000;

/** The name of the full diff's file, as uploaded to the thread. */
export function diffFileName(run: Run): string {
  const sha = run.outcome?.headSha ?? run.headSha;
  const key = run.ticketKey.replace(/[^A-Za-z0-9_-]/g, '_');
  return sha ? `${key}-${sha.slice(0, 7)}.diff` : `${key}.diff`;
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
  const stats = outcome?.diffStats ?? diffStatsOf(diff);
  const unsandboxed = run.unsandboxed || outcome?.evidence.sandboxed === false;
  const plainUrl = prUrl && /^https?:\/\/[^\s<>|]+$/.test(prUrl) ? ` ${prUrl}` : '';
  return message(
    `${run.ticketKey}: ${prName} is open${plainUrl}`,
    section(`:rocket: *${pr}* is open for *${ticket}*${title}`),
    ...(unsandboxed ? [unsandboxedWarning()] : []),
    ...(outcome ? [summarySection(outcome.summary, SUMMARY_CHARS), testEvidenceSection(outcome.evidence, EVIDENCE_CHARS)] : []),
    section(`*Diff* · ${diffStatsLine(stats)}`),
    ...diffPreview(diff, diffFileName(run), DIFF_CHARS),
  );
}
