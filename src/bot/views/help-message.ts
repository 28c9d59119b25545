import type { SlackMessage } from '../../integrations/slack.ts';
import { context, message, section } from './blocks.ts';
import { clipMrkdwn } from './clip-mrkdwn.ts';

// Slack refuses a section over 3,000 characters; the problem shares one with the emoji.
const MAX_PROBLEM = 1000;

/**
 * The usage, after the problem when there is one. The problem quotes what the person typed, so it
 * is escaped (a typed `<!channel>` must not come back live) and capped.
 */
export function helpMessage(rawProblem?: string): SlackMessage {
  const problem = rawProblem === undefined ? undefined : clipMrkdwn(rawProblem, MAX_PROBLEM).text;
  const usage = [
    '`/agent fix ENG-123` — hand a ticket to Baton: it fixes it, proves it with tests, and asks you before anything merges',
    '`/agent status` — what Baton is working on now',
    '`/agent status ENG-123` — where one ticket stands',
    '`/agent audit ENG-123` — who decided what on its latest run, and when',
    '`/agent help` — this message',
  ].join('\n');
  return message(
    problem ? `${problem} Usage: /agent fix ENG-123 · /agent status · /agent help` : `Baton usage: ${usage}`,
    ...(problem ? [section(`:warning: ${problem}`)] : []),
    section(`*Baton commands*\n${usage}`),
    context('Keys look like `ENG-123`; a pasted Linear or Jira link works too.'),
  );
}
