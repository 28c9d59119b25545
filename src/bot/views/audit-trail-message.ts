import type { SlackMessage } from '../../integrations/slack.ts';
import { context, escapeMrkdwn, message, section } from './blocks.ts';
import { inlineText } from './inline-text.ts';
import { formatScore } from './score.ts';
import { shortSha } from './short-sha.ts';
import { plainDateTime, slackShortDateTime } from './slack-date.ts';
import { userMention } from './user-mention.ts';

export interface AuditTrailEntry {
  at: Date;
  actor: string;
  action: string;
  detail: Record<string, unknown>;
}

export interface AuditTrailInput {
  ticketKey: string;
  runId: string;
  entries: AuditTrailEntry[];
}

// Slack: 3,000 characters a section, 50 blocks. An ephemeral trail is kept well under both: at most
// 8 sections and about 10,000 characters; the oldest entries are the ones left out.
const SECTION_CHARS = 2_900;
const MAX_SECTIONS = 8;
const TOTAL_CHARS = 10_000;
const LINE_CHARS = 400;
const VALUE_CHARS = 80;

const SHA_KEYS = new Set(['headSha', 'sha', 'mergedSha', 'newHeadSha']);
// Shown by their value alone, in this order; every other plain value follows as "key value".
const BARE_KEYS = ['gate', 'env'];

function detailParts(detail: Record<string, unknown>): string[] {
  const parts: string[] = [];
  for (const key of BARE_KEYS) {
    const value = Object.hasOwn(detail, key) ? detail[key] : undefined;
    if (typeof value === 'string') parts.push(inlineText(value, VALUE_CHARS));
  }
  for (const [key, value] of Object.entries(detail)) {
    if (BARE_KEYS.includes(key)) continue;
    if (SHA_KEYS.has(key) && typeof value === 'string') parts.push(`\`${shortSha(value)}\``);
    else if (key === 'score' && typeof value === 'number') parts.push(`score ${formatScore(value)}`);
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      parts.push(`${inlineText(key, 40)} ${inlineText(String(value), VALUE_CHARS)}`);
    }
    // Objects and lists (a reviewer's report, a workflow's inputs) stay in the audit_log table.
  }
  return parts;
}

/** "today 14:02 · @x · approval.granted · merge · `abc1234` · score 0.93" */
function line(entry: AuditTrailEntry): string {
  const actor = /^[UW][A-Z0-9]{2,}$/.test(entry.actor) ? userMention(entry.actor) : inlineText(entry.actor, 60);
  const parts = [slackShortDateTime(entry.at), actor, inlineText(entry.action, 60), ...detailParts(entry.detail)];
  const text = parts.join(' · ');
  return text.length <= LINE_CHARS ? text : `${text.slice(0, LINE_CHARS - 1).replace(/&[a-z]*$|[\uD800-\uDBFF]$/, '')}…`;
}

/** Lines into section texts under Slack's limit, in order. */
function pack(lines: string[]): string[] {
  const texts: string[] = [];
  let current: string[] = [];
  let size = 0;
  for (const l of lines) {
    if (current.length > 0 && size + 1 + l.length > SECTION_CHARS) {
      texts.push(current.join('\n'));
      current = [];
      size = 0;
    }
    current.push(l);
    size += (current.length > 1 ? 1 : 0) + l.length;
  }
  if (current.length > 0) texts.push(current.join('\n'));
  return texts;
}

/**
 * A run's audit trail for an ephemeral reply: one line per entry, oldest first and newest last.
 * When it does not all fit, the newest entries are kept and the message says how many older ones
 * were left out. Actors that are Slack user ids are mentions; others (baton, github:login) are text.
 */
export function auditTrailMessage(input: AuditTrailInput): SlackMessage {
  const key = escapeMrkdwn(input.ticketKey);
  const head = `*Audit trail of ${key}* · run \`${inlineText(input.runId, 40)}\``;
  if (input.entries.length === 0) return message(`${key}: no audit entries yet`, section(`${head}\nNo entries yet.`));
  const sorted = input.entries.map((e, i) => ({ e, i })).sort((a, b) => a.e.at.getTime() - b.e.at.getTime() || a.i - b.i).map(({ e }) => e);
  const lines = sorted.map(line);
  // Newest first while they fit, then put back in order.
  const kept: string[] = [];
  let size = head.length;
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    if (size + lines[i]!.length + 1 > TOTAL_CHARS) break;
    kept.unshift(lines[i]!);
    size += lines[i]!.length + 1;
  }
  let sections = pack(kept);
  while (sections.length > MAX_SECTIONS) {
    kept.shift();
    sections = pack(kept);
  }
  const left = lines.length - kept.length;
  const last = sorted.at(-1)!;
  return message(
    `${key}: ${lines.length} audit entr${lines.length === 1 ? 'y' : 'ies'}, the last at ${plainDateTime(last.at)}`,
    section(head),
    ...(left > 0 ? [context(`… ${left} older entr${left === 1 ? 'y' : 'ies'} left out; the audit_log table keeps them all.`)] : []),
    ...sections.map(section),
  );
}
