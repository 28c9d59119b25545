/**
 * A ticket as Baton sees it, whichever tracker holds it. Trackers translate into this shape at
 * the edge (src/integrations/trackers), so jobs, agents and views never meet a Linear or Jira type.
 */

export type TicketPriority = 'urgent' | 'high' | 'medium' | 'low' | 'none';

/** Coarse lifecycle of a state; the tracker's own state name is kept beside it for people. */
export type StateCategory = 'todo' | 'in_progress' | 'done' | 'cancelled';

export interface TicketState {
  name: string;
  category: StateCategory;
}

export interface TicketComment {
  author: string;
  /** Markdown (Linear) or Jira's document rendered to markdown. */
  body: string;
  /** ISO 8601. */
  createdAt: string;
}

export interface Ticket {
  /** ENG-123 (Linear identifier) or OPS-7 (Jira key). */
  key: string;
  title: string;
  /** Markdown or plain text; empty when the ticket has none. */
  description: string;
  url: string;
  labels: string[];
  priority: TicketPriority;
  /** Linear team key or Jira project key. */
  team: string;
  state: TicketState;
  reporter: { name: string; id: string } | null;
  /** The most recent comments, oldest first, at most MAX_TICKET_COMMENTS. */
  comments: TicketComment[];
}

export const MAX_TICKET_COMMENTS = 10;

/**
 * Which tickets polling treats as ready for Baton: those of one team (or project) carrying a label,
 * in a named state, or both. At least one of label and state is required, so a rule can never mean
 * "every ticket of the team".
 */
export type ReadyRule =
  | { team: string; label: string; state?: string }
  | { team: string; label?: string; state: string };
