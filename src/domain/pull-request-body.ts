/**
 * The body of the PR Baton opens. Pure: the same run gives the same body, so a retried publish
 * job updates the PR only when something actually changed.
 */

export interface PullRequestBodyInput {
  ticket: { key: string; url: string; title: string };
  summary: string;
  testEvidence: string;
  /** The run's UUID, kept in a hidden marker so a PR can be traced back to its run. */
  runId: string;
  /** The reviewers' consensus as markdown (consensusMarkdown); a placeholder when there is none. */
  consensus?: string;
}

/** GitHub refuses a PR body longer than this (422 "body is too long"). */
export const PULL_REQUEST_BODY_LIMIT = 65_536;

const CONSENSUS_START = '<!-- baton:consensus:start -->';
const CONSENSUS_END = '<!-- baton:consensus:end -->';
const CONSENSUS_PENDING = '_Reviewer consensus pending._';
const SUMMARY_LIMIT = 20_000;
/**
 * Room kept for the consensus section whatever its length, so a long test log cannot crowd it out
 * and the evidence shown does not depend on the review. Room for twenty findings with their details.
 */
export const CONSENSUS_LIMIT = 12_000;

export function pullRequestBody(input: PullRequestBodyInput): string {
  const { ticket, runId } = input;
  if (!/^[A-Za-z0-9-]+$/.test(runId)) throw new Error(`run id ${JSON.stringify(runId)} cannot go in a PR marker`);
  // Linear links a PR when a magic word is followed directly by the key (or an issue URL); Jira's
  // GitHub integration links on the key anywhere in the branch, title or body. The link is for people.
  const head = [
    `Fixes ${ticket.key} ([${escapeLinkText(ticket.title)}](${escapeLinkUrl(ticket.url)}))`,
    '',
    '## Summary',
    '',
    truncateText(input.summary.trim(), SUMMARY_LIMIT, 'summary') || '_No summary._',
    '',
    '## Test evidence',
    '',
    '',
  ].join('\n');
  const consensus = truncateText((input.consensus ?? CONSENSUS_PENDING).trim(), CONSENSUS_LIMIT, 'consensus');
  const tail = ['', '', consensusSection(consensus), '', `<!-- baton-run: ${runId} -->`, ''].join('\n');
  const reserve = CONSENSUS_LIMIT - consensus.length;
  const evidence = fencedEvidence(input.testEvidence, PULL_REQUEST_BODY_LIMIT - head.length - tail.length - reserve);
  return head + evidence + tail;
}

function consensusSection(markdown: string): string {
  return `${CONSENSUS_START}\n## Reviewer consensus\n\n${markdown}\n${CONSENSUS_END}`;
}

/** A fence longer than any backtick run in the text, so evidence containing ``` cannot close it early. */
function fencedEvidence(evidence: string, room: number): string {
  const text = evidence.replace(/\s+$/, '') || '(no output)';
  const longestRun = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  const block = (content: string): string => `${fence}text\n${content}\n${fence}`;
  if (block(text).length <= room) return block(text);
  // Test runners print their summary last, so the tail is what to keep.
  const note = (kept: number): string =>
    `_Test evidence truncated: the last ${kept.toLocaleString('en')} of ${text.length.toLocaleString('en')} characters are shown (GitHub limits a PR body to ${PULL_REQUEST_BODY_LIMIT.toLocaleString('en')} characters)._\n\n`;
  const keep = Math.max(0, room - block('').length - note(text.length).length);
  const kept = sliceTail(text, keep);
  return note(kept.length) + block(kept);
}

function truncateText(text: string, limit: number, what: string): string {
  if (text.length <= limit) return text;
  const note = `\n\n_(${what} truncated to fit GitHub's PR body limit)_`;
  if (limit < note.length * 2) return sliceHead(text, limit); // no room to say so
  return sliceHead(text, limit - note.length) + note;
}

// Cutting between the halves of a surrogate pair would leave an invalid character behind.
function sliceHead(text: string, length: number): string {
  const cut = /[\uD800-\uDBFF]/.test(text.charAt(length - 1)) ? length - 1 : length;
  return text.slice(0, Math.max(cut, 0));
}

function sliceTail(text: string, length: number): string {
  if (length <= 0) return '';
  const start = text.length - length;
  return text.slice(/[\uDC00-\uDFFF]/.test(text.charAt(start)) ? start + 1 : start);
}

function escapeLinkText(text: string): string {
  return text.replace(/[\\[\]]/g, '\\$&').replace(/[\r\n]+/g, ' ');
}

function escapeLinkUrl(url: string): string {
  return url.replace(/[()\s<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}
