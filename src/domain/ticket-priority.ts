import type { TicketPriority } from './ticket.ts';

// Linear's priority is a number: 0 none, 1 urgent, 2 high, 3 medium, 4 low.
const LINEAR: readonly TicketPriority[] = ['none', 'urgent', 'high', 'medium', 'low'];

export function linearPriority(value: number | null | undefined): TicketPriority {
  // Only an index of the list: a payload's value is untrusted, and LINEAR['length'] is a number.
  return typeof value === 'number' && Number.isInteger(value) ? (LINEAR[value] ?? 'none') : 'none';
}

// Jira Cloud's default scheme is Highest..Lowest; Blocker..Trivial is the older (and Data Center) one.
// A Map: the name comes from the payload, and a plain object would answer `constructor` with Object.
const JIRA = new Map<string, TicketPriority>([
  ['highest', 'urgent'],
  ['blocker', 'urgent'],
  ['critical', 'urgent'],
  ['high', 'high'],
  ['major', 'high'],
  ['medium', 'medium'],
  ['low', 'low'],
  ['minor', 'low'],
  ['lowest', 'low'],
  ['trivial', 'low'],
]);

/** A priority name outside both stock schemes is a custom one we cannot rank, so it reads as none. */
export function jiraPriority(name: string | null | undefined): TicketPriority {
  return (typeof name === 'string' && JIRA.get(name.trim().toLowerCase())) || 'none';
}
