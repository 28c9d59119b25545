import type { TicketPriority, TicketState } from './ticket.ts';

/**
 * A tracker webhook delivery, reduced to what intake decides on: did the ticket just gain a
 * label, move state, or get a new description. Built by src/bot/webhooks/parse-*-webhook.ts.
 */
export interface TicketEvent {
  /** `deleted`: Linear's Issue `remove` or Jira's `jira:issue_deleted`; the other fields are the last known. */
  kind: 'created' | 'updated' | 'deleted';
  source: 'linear' | 'jira' | 'local';
  ticketKey: string;
  /** Linear team key or Jira project key. */
  team: string;
  /** Labels the ticket gained in this change; on creation, all of its labels. */
  labelsAdded: string[];
  /** Present only when this change moved the ticket to another state. */
  stateChangedTo?: TicketState;
  descriptionChanged: boolean;
  /** The ticket's labels, state and priority after the change. */
  labels: string[];
  state: TicketState;
  priority: TicketPriority;
}

/** What a webhook parser returns: an event, or why the delivery is not one (ignored kinds included). */
export type ParsedTicketEvent = { ok: true; value: TicketEvent } | { ok: false; reason: string };
