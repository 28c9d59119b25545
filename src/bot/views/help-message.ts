import type { SlackMessage } from '../../integrations/slack.ts';
import { context, message, section } from './blocks.ts';

export function helpMessage(problem?: string): SlackMessage {
  const usage = [
    '`/agent fix ENG-123` — hand a ticket to Baton: it fixes it, proves it with tests, and asks you before anything merges',
    '`/agent status` — what Baton is working on now',
    '`/agent status ENG-123` — where one ticket stands',
    '`/agent help` — this message',
  ].join('\n');
  return message(
    problem ? `${problem} Usage: /agent fix ENG-123 · /agent status · /agent help` : `Baton usage: ${usage}`,
    ...(problem ? [section(`:warning: ${problem}`)] : []),
    section(`*Baton commands*\n${usage}`),
    context('Keys look like `ENG-123`; a pasted Linear or Jira link works too.'),
  );
}
