import type { SlackMessage } from '../../integrations/slack.ts';
import type { Run } from '../../domain/run.ts';
import { ACTIONS, runButtonValue } from './action-ids.ts';
import { escapeMrkdwn, message, section } from './blocks.ts';
import { actions } from './buttons.ts';
import { clipReason, SECTION_CHARS } from './clip-reason.ts';

// Slack errors a person can fix themselves, with what to do.
const SLACK_HINTS: Record<string, string> = {
  not_in_channel: 'Invite me to the channel with `/invite @Baton`, then run the command again.',
  channel_not_found: "I can't see that channel. Invite me to it, or run the command in a channel I'm in.",
  is_archived: 'The channel is archived. Run the command in an active channel.',
};

/** The notification text needs only the gist; the section holds the rest. */
const FALLBACK_REASON_CHARS = 500;

/** Reasons are sentences of their own (the agent's, the gates', an API's); end each exactly once. */
function asSentence(reason: string): string {
  const text = reason.trim();
  return /[.!?…]$/.test(text) ? text : `${text}.`;
}

/**
 * The failure notice in the thread. The reason is untrusted text (test output quoted by a gate, the
 * agent's words, an API's message): escaped in the section and in the notification text alike, so a
 * `<!channel>` from a test's output pings nobody, and capped so that the section fits Slack's
 * limit even when escaping grows a 1,500-character output tail.
 */
export function runFailedMessage(run: Run, reason: string, slackError?: string): SlackMessage {
  const known = slackError !== undefined && Object.hasOwn(SLACK_HINTS, slackError) ? SLACK_HINTS[slackError] : undefined;
  const hint = known ?? `Click Retry, or run \`/agent fix ${run.ticketKey}\`, to try again.`;
  const said = asSentence(reason);
  const key = escapeMrkdwn(run.ticketKey);
  const head = `:x: *${key}* failed: `;
  const body = clipReason(said, SECTION_CHARS - head.length - hint.length - 1);
  return message(
    `${key} failed: ${clipReason(said, FALLBACK_REASON_CHARS)} ${hint}`,
    section(`${head}${body}\n${hint}`),
    // A new run of the same ticket, requested by whoever clicks (checked on the server).
    actions('baton.run.failed', { text: 'Retry', actionId: ACTIONS.runRetry, value: runButtonValue(run.id) }),
  );
}
