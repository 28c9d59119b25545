import type { SlackMessage } from '../../integrations/slack.ts';
import type { Run } from '../../domain/run.ts';
import { escapeMrkdwn, message, section } from './blocks.ts';

// Slack errors a person can fix themselves, with what to do.
const SLACK_HINTS: Record<string, string> = {
  not_in_channel: 'Invite me to the channel with `/invite @Baton`, then run the command again.',
  channel_not_found: "I can't see that channel. Invite me to it, or run the command in a channel I'm in.",
  is_archived: 'The channel is archived. Run the command in an active channel.',
};

export function runFailedMessage(run: Run, reason: string, slackError?: string): SlackMessage {
  const hint = (slackError && SLACK_HINTS[slackError]) ?? `Run \`/agent fix ${run.ticketKey}\` to try again.`;
  return message(`${run.ticketKey} failed: ${reason}. ${hint}`, section(`:x: *${run.ticketKey}* failed: ${escapeMrkdwn(reason)}.\n${hint}`));
}
