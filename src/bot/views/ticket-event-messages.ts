import type { SlackMessage } from '../../integrations/slack.ts';
import { escapeMrkdwn, message, section } from './blocks.ts';

export type TrackerName = 'Linear' | 'Jira';

/**
 * Each message's fallback text is its section without emoji and bold, for notifications. Keys and
 * state names come from the tracker or the person typing, so they are escaped like any outside text.
 */
function notice(markdown: string): SlackMessage {
  return message(markdown.replace(/^:[a-z_]+: /, '').replace(/\*/g, ''), section(markdown));
}

export function runCancelledByTicketMessage(ticketKey: string, stateName: string, tracker: TrackerName): SlackMessage {
  return notice(`:no_entry_sign: *${escapeMrkdwn(ticketKey)}* was moved to *${escapeMrkdwn(stateName)}* in ${tracker}, so Baton cancelled this run. Nothing will be pushed.`);
}

export function runResumedMessage(ticketKey: string): SlackMessage {
  return notice(`:arrows_counterclockwise: *${escapeMrkdwn(ticketKey)}*'s description was edited, so Baton is resuming the run with the new description.`);
}

export function unknownTicketPrefixMessage(key: string, configuredPrefixes: readonly { prefix: string; tracker: TrackerName }[]): SlackMessage {
  const known = configuredPrefixes.map((p) => `${escapeMrkdwn(p.prefix)} (${p.tracker})`).join(', ');
  const what = `:question: Baton doesn't know which tracker holds *${escapeMrkdwn(key)}*`;
  return notice(
    configuredPrefixes.length
      ? `${what} — configured prefixes: ${known}. Add the prefix under \`teams\` in baton.yml.`
      : `${what}, and no ticket prefixes are configured yet — add a team to baton.yml.`,
  );
}

export function ticketNotFoundMessage(key: string, tracker: TrackerName): SlackMessage {
  // Linear scopes API access by team, Jira by project: a key that exists can still be invisible to Baton.
  const scope = tracker === 'Linear' ? 'team' : 'project';
  return notice(
    `:mag: *${escapeMrkdwn(key)}* not found in ${tracker}. Check the key; if it is right, Baton's ${tracker} API key may not have access to that ${scope}.`,
  );
}
