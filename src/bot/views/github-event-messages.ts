import type { SlackMessage } from '../../integrations/slack.ts';
import { CHECK_CONCLUSIONS, type CheckConclusion, type ChecksCompletedEvent, type CommentEvent, type PullRequestClosedEvent, type ReviewEvent } from '../../domain/github-event.ts';
import { escapeMrkdwn, link, message, section } from './blocks.ts';

// Relayed bodies are cut here; a PR thread is not the place to read a long review.
const MAX_BODY_CHARS = 1500;
// Slack refuses a section whose text is over 3000 characters; escaping can make a body 4x longer.
const MAX_QUOTE_CHARS = 2800;

/** A relayed body as a Slack quote: truncated, made inert, every line prefixed so no line escapes the quote. */
export function quoteUntrusted(body: string): string {
  const chars = Array.from(body.trim()); // by code point, so an emoji is never cut in half
  const cut = chars.length > MAX_BODY_CHARS ? `${chars.slice(0, MAX_BODY_CHARS).join('').trimEnd()}…` : chars.join('');
  const quoted = escapeMrkdwn(cut)
    .split(/\r?\n/)
    .map((line) => `> ${line}`)
    .join('\n');
  // Cut again if escaping grew it, dropping a half-written entity such as `&am`.
  return quoted.length <= MAX_QUOTE_CHARS ? quoted : `${quoted.slice(0, MAX_QUOTE_CHARS).replace(/&[a-z]*$/, '')}…`;
}

export function pullRequestClosedMessage(event: PullRequestClosedEvent, ticketKey: string): SlackMessage {
  const pr = `PR #${event.number}`;
  // An empty actor: the PR was found closed by polling, which does not always say who.
  const by = event.actor ? ` by @${escapeMrkdwn(event.actor)}` : '';
  const key = escapeMrkdwn(ticketKey);
  const [headline, outcome] = event.merged
    ? [`:twisted_rightwards_arrows: ${link(event.url, pr)} was merged on GitHub${by}`, 'this run is done.']
    : [`:no_entry_sign: ${link(event.url, pr)} was closed on GitHub${by} without merging`, `the run is cancelled. Run \`/agent fix ${key}\` to start again.`];
  const text = event.merged
    ? `${pr} was merged on GitHub${by} — ${outcome}`
    : `${pr} was closed on GitHub${by} without merging — ${outcome}`;
  return message(text, section(`${headline} — ${outcome}\n_${escapeMrkdwn(event.title)}_`));
}

const CONCLUSION: Record<CheckConclusion | 'none', { emoji: string; verb: string }> = {
  success: { emoji: ':white_check_mark:', verb: 'passed' },
  failure: { emoji: ':x:', verb: 'failed' },
  timed_out: { emoji: ':x:', verb: 'timed out' },
  cancelled: { emoji: ':no_entry_sign:', verb: 'was cancelled' },
  action_required: { emoji: ':warning:', verb: 'needs action' },
  neutral: { emoji: ':white_circle:', verb: 'finished (neutral)' },
  skipped: { emoji: ':fast_forward:', verb: 'was skipped' },
  stale: { emoji: ':hourglass:', verb: 'went stale' },
  startup_failure: { emoji: ':x:', verb: 'failed to start' },
  none: { emoji: ':grey_question:', verb: 'finished without a conclusion' },
};

export function checksCompletedMessage(event: ChecksCompletedEvent): SlackMessage {
  const known = event.conclusion === null ? 'none' : CHECK_CONCLUSIONS.find((c) => c === event.conclusion);
  // A conclusion GitHub added after this was written: say what GitHub said, in its words.
  const { emoji, verb } = known ? CONCLUSION[known] : { emoji: ':grey_question:', verb: `finished (${escapeMrkdwn(event.conclusion ?? '')})` };
  const sha = event.headSha.slice(0, 7);
  const name = escapeMrkdwn(event.name);
  return message(`CI: ${name} ${verb} on ${sha}`, section(`${emoji} CI: ${link(event.url, event.name)} ${verb} on \`${sha}\``));
}

const REVIEW_VERB: Record<ReviewEvent['state'], { emoji: string; verb: string }> = {
  approved: { emoji: ':white_check_mark:', verb: 'approved' },
  changes_requested: { emoji: ':warning:', verb: 'requested changes on' },
  commented: { emoji: ':speech_balloon:', verb: 'commented on' },
};

/** "@x did y on PR #n:" and the quoted body; a colon only when a body follows. */
function relay(emoji: string, author: string, action: string, number: number, url: string, body: string): SlackMessage {
  const who = `@${escapeMrkdwn(author)}`;
  const end = body.trim() ? ':' : '.';
  const headline = section(`${emoji} ${who} ${action} ${link(url, `PR #${number}`)}${end}`);
  return message(`${who} ${action} PR #${number}${end}`, headline, ...(body.trim() ? [section(quoteUntrusted(body))] : []));
}

export function reviewRelayMessage(event: ReviewEvent): SlackMessage {
  const { emoji, verb } = REVIEW_VERB[event.state];
  return relay(emoji, event.author, verb, event.number, event.url, event.body);
}

export function commentRelayMessage(event: CommentEvent): SlackMessage {
  // Backticks would end the code span early; a file name with one is rare enough to just drop it.
  const action = event.path ? `commented on \`${escapeMrkdwn(event.path.replace(/`/g, ''))}${event.line ? `:${event.line}` : ''}\` in` : 'commented on';
  return relay(':speech_balloon:', event.author, action, event.number, event.url, event.body);
}
