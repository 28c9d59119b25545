import type { SlackMessage } from '../../integrations/slack.ts';
import type { TrackerLabel } from '../../domain/route-ticket.ts';
import { escapeMrkdwn, message, section } from './blocks.ts';

/**
 * Each message's fallback text is its section without emoji and bold, for notifications. Keys and
 * state names come from the tracker or the person typing, so they are escaped like any outside text.
 */
function notice(markdown: string): SlackMessage {
  return message(markdown.replace(/^:[a-z_]+: /, '').replace(/\*/g, ''), section(markdown));
}

export function runCancelledByTicketMessage(ticketKey: string, stateName: string, tracker: TrackerLabel): SlackMessage {
  return notice(`:no_entry_sign: *${escapeMrkdwn(ticketKey)}* was moved to *${escapeMrkdwn(stateName)}* in ${tracker}, so Baton cancelled this run. Nothing will be pushed.`);
}

export function runResumedMessage(ticketKey: string): SlackMessage {
  return notice(`:arrows_counterclockwise: *${escapeMrkdwn(ticketKey)}*'s description was edited, so Baton is resuming the run with the new description.`);
}

export function unknownTicketPrefixMessage(key: string, configuredPrefixes: readonly { prefix: string; tracker: TrackerLabel }[]): SlackMessage {
  const known = configuredPrefixes.map((p) => `${escapeMrkdwn(p.prefix)} (${p.tracker})`).join(', ');
  const what = `:question: Baton doesn't know which tracker holds *${escapeMrkdwn(key)}*`;
  return notice(
    configuredPrefixes.length
      ? `${what} — configured prefixes: ${known}. Add the prefix under \`teams\` in baton.yml.`
      : `${what}, and no ticket prefixes are configured yet — add a team to baton.yml.`,
  );
}

export function ticketDeletedMessage(ticketKey: string, tracker: TrackerLabel): SlackMessage {
  return notice(`:wastebasket: *${escapeMrkdwn(ticketKey)}* no longer exists in ${tracker}, so Baton cancelled this run. Nothing will be pushed.`);
}
