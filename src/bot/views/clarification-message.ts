import type { SlackMessage } from '../../integrations/slack.ts';
import type { Run } from '../../domain/run.ts';
import { context, link, message, section } from './blocks.ts';
import { clipMrkdwn } from './clip-mrkdwn.ts';
import { userMention } from './user-mention.ts';

// Slack refuses a section text over 3,000 characters; the cut note fits in the rest.
const QUOTE_LIMIT = 2_850;

/** The agent's text, made inert and quoted line by line ("> " counts against the limit too). */
function quoted(text: string): string {
  const { text: clipped, omitted } = clipMrkdwn(text.trim(), QUOTE_LIMIT - 3);
  const lines = clipped.split('\n');
  const out: string[] = [];
  let size = 0;
  for (const line of lines) {
    if (size + line.length + 3 > QUOTE_LIMIT) break;
    out.push(`> ${line}`);
    size += line.length + 3;
  }
  return omitted === 0 && out.length === lines.length ? out.join('\n') : `${out.join('\n')}…\n_(cut here: the whole question is on the ticket)_`;
}

/** Posted in the thread when the agent needs an answer; the run waits, holding no agent. */
export function clarificationMessage(run: Run, question: string): SlackMessage {
  const ticket = run.ticketUrl ? link(run.ticketUrl, run.ticketKey) : run.ticketKey;
  const asker = run.source === 'slack' ? `${userMention(run.requestedBy)}, the agent` : 'The agent';
  return message(
    `${run.ticketKey}: the agent needs an answer to go on. Reply in this thread, or update the ticket.`,
    section(`:question: ${asker} working on *${ticket}* needs an answer to go on:`),
    section(quoted(question)),
    context(`Reply in this thread, or update the ticket, and the run picks up where it stopped. The question is on ${ticket} too.`),
  );
}
