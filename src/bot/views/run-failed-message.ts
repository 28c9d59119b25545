import type { SlackMessage } from '../../integrations/slack.ts';
import type { Run } from '../../domain/run.ts';
import { escapeMrkdwn, message, section } from './blocks.ts';

// Slack errors a person can fix themselves, with what to do.
const SLACK_HINTS: Record<string, string> = {
  not_in_channel: 'Invite me to the channel with `/invite @Baton`, then run the command again.',
  channel_not_found: "I can't see that channel. Invite me to it, or run the command in a channel I'm in.",
  is_archived: 'The channel is archived. Run the command in an active channel.',
};

/** Reasons are sentences of their own (the agent's, the gates', an API's); end each exactly once. */
function asSentence(reason: string): string {
  const text = reason.trim();
  return /[.!?…]$/.test(text) ? text : `${text}.`;
}

export function runFailedMessage(run: Run, reason: string, slackError?: string): SlackMessage {
  const known = slackError !== undefined && Object.hasOwn(SLACK_HINTS, slackError) ? SLACK_HINTS[slackError] : undefined;
  const hint = known ?? `Run \`/agent fix ${run.ticketKey}\` to try again.`;
  const said = asSentence(reason);
  return message(`${run.ticketKey} failed: ${said} ${hint}`, section(`:x: *${run.ticketKey}* failed: ${escapeMrkdwn(said)}\n${hint}`));
}
