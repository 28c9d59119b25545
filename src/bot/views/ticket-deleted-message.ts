import type { SlackMessage } from '../../integrations/slack.ts';
import type { TrackerName } from './ticket-event-messages.ts';
import { escapeMrkdwn, message, section } from './blocks.ts';

export function ticketDeletedMessage(ticketKey: string, tracker: TrackerName): SlackMessage {
  return message(
    `${ticketKey} no longer exists in ${tracker}, so Baton cancelled this run. Nothing will be pushed.`,
    section(`:wastebasket: *${escapeMrkdwn(ticketKey)}* no longer exists in ${tracker}, so Baton cancelled this run. Nothing will be pushed.`),
  );
}
