/**
 * `/agent …` text → a command. Pure, so every wording a person might type is tested without Slack.
 */
export type AgentCommand =
  | { kind: 'help' }
  | { kind: 'fix'; ticketKey: string }
  | { kind: 'status'; ticketKey: string | undefined }
  /** The latest run's audit trail for a ticket, as an ephemeral message. */
  | { kind: 'audit'; ticketKey: string }
  | { kind: 'invalid'; reason: string };

const TICKET_KEY = /^[A-Z][A-Z0-9_]{0,9}-[1-9][0-9]{0,8}$/;
// A pasted Linear or Jira link is as good as its key: …/issue/ENG-123/slug, …/browse/OPS-7.
const KEY_IN_URL = /\/(?:issue|browse)\/([A-Za-z][A-Za-z0-9_]{0,9}-[0-9]{1,9})(?:[/?#]|$)/;

// What a person typed is quoted back in the reply; a long paste is cut, as a key is never this long.
const MAX_ECHO = 40;
const echo = (text: string): string => {
  const chars = Array.from(text);
  return chars.length > MAX_ECHO ? `${chars.slice(0, MAX_ECHO).join('')}…` : text;
};

export type TicketKeyResult = { ok: true; value: string } | { ok: false; reason: string };

export function parseTicketKey(input: string): TicketKeyResult {
  const raw = input.trim().replace(/^<(.+?)(\|.*)?>$/, '$1');
  const fromUrl = KEY_IN_URL.exec(raw)?.[1];
  const candidate = (fromUrl ?? raw).toUpperCase();
  if (TICKET_KEY.test(candidate)) return { ok: true, value: candidate };
  return {
    ok: false,
    reason: `“${echo(input.trim())}” is not a ticket key. A key is the team prefix, a dash and the number, like ENG-123.`,
  };
}

export function parseAgentCommand(text: string): AgentCommand {
  const [verb = '', ...rest] = text.trim().split(/\s+/).filter(Boolean);
  const args = rest.join(' ');
  switch (verb.toLowerCase()) {
    case '':
    case 'help':
      return { kind: 'help' };
    case 'fix': {
      if (!args) return { kind: 'invalid', reason: 'Which ticket? Try `/agent fix ENG-123`.' };
      if (rest.length > 1) return { kind: 'invalid', reason: 'One ticket at a time, please: `/agent fix ENG-123`.' };
      const key = parseTicketKey(args);
      return key.ok ? { kind: 'fix', ticketKey: key.value } : { kind: 'invalid', reason: key.reason };
    }
    case 'status': {
      if (!args) return { kind: 'status', ticketKey: undefined };
      const key = parseTicketKey(args);
      return key.ok ? { kind: 'status', ticketKey: key.value } : { kind: 'invalid', reason: key.reason };
    }
    case 'audit': {
      if (!args) return { kind: 'invalid', reason: 'Which ticket? Try `/agent audit ENG-123`.' };
      if (rest.length > 1) return { kind: 'invalid', reason: 'One ticket at a time, please: `/agent audit ENG-123`.' };
      const key = parseTicketKey(args);
      return key.ok ? { kind: 'audit', ticketKey: key.value } : { kind: 'invalid', reason: key.reason };
    }
    default:
      return { kind: 'invalid', reason: `I don't know the command “${echo(verb)}”.` };
  }
}
