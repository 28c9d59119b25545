import { MAX_TICKET_COMMENTS, type Ticket } from '../../domain/ticket.ts';
import { linearPriority } from '../../domain/ticket-priority.ts';
import { linearStateCategory } from '../../domain/ticket-state.ts';

/*
 * Hand-written documents sent through the SDK's GraphQL client. The SDK's model getters
 * (issue.state, issue.team, issue.labels(), comment.user, …) each cost one more request; one
 * document with the relations selected gets a whole ticket in a single round trip.
 * Field names are those of Linear's public schema (and of test/fakes/linear-schema.ts). Page sizes
 * keep a 50-ticket poll well under Linear's per-query complexity limit (connections multiply).
 */

const TICKET_FIELDS = /* GraphQL */ `
  identifier
  trashed
  title
  description
  url
  priority
  team { key }
  state { name type }
  creator { id name }
  labels(first: 25) { nodes { name } }
  comments(first: ${MAX_TICKET_COMMENTS}, orderBy: createdAt) { nodes { body createdAt user { name } } }
`;

export const TICKET_QUERY = /* GraphQL */ `
  query BatonTicket($id: String!) {
    issue(id: $id) { ${TICKET_FIELDS} }
  }
`;

export const READY_QUERY = /* GraphQL */ `
  query BatonReadyTickets($filter: IssueFilter!, $first: Int!, $after: String) {
    issues(filter: $filter, first: $first, after: $after, sort: [{ createdAt: { order: Ascending } }]) {
      nodes { ${TICKET_FIELDS} }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

export const STATES_QUERY = /* GraphQL */ `
  query BatonIssueStates($id: String!) {
    issue(id: $id) {
      id
      state { name }
      team { key states(first: 100) { nodes { id name position } } }
    }
  }
`;

export const CREATE_COMMENT = /* GraphQL */ `
  mutation BatonComment($input: CommentCreateInput!) {
    commentCreate(input: $input) { success }
  }
`;

export const UPDATE_STATE = /* GraphQL */ `
  mutation BatonMoveIssue($id: String!, $stateId: String!) {
    issueUpdate(id: $id, input: { stateId: $stateId }) { success }
  }
`;

export interface LinearIssueNode {
  identifier: string;
  /** Deleting an issue in Linear moves it to the trash, where `issue(id)` still finds it. */
  trashed?: boolean | null;
  title: string;
  description?: string | null;
  url: string;
  priority?: number | null;
  team: { key: string };
  state: { name: string; type: string };
  creator?: { id: string; name: string } | null;
  labels: { nodes: { name: string }[] };
  comments: { nodes: { body: string; createdAt: string; user?: { name: string } | null }[] };
}

export interface StatesResult {
  issue: { id: string; state: { name: string }; team: { key: string; states: { nodes: { id: string; name: string; position: number }[] } } };
}

/** The document's answer → Ticket. Comments come newest first (Linear's default order); Ticket wants oldest first. */
export function ticketFromLinear(issue: LinearIssueNode): Ticket {
  return {
    key: issue.identifier,
    title: issue.title,
    description: issue.description ?? '',
    url: issue.url,
    labels: issue.labels.nodes.map((l) => l.name),
    priority: linearPriority(issue.priority),
    team: issue.team.key,
    state: { name: issue.state.name, category: linearStateCategory(issue.state.type) },
    reporter: issue.creator ? { name: issue.creator.name, id: issue.creator.id } : null,
    comments: issue.comments.nodes
      .map((c) => ({ author: c.user?.name ?? 'Linear', body: c.body, createdAt: new Date(c.createdAt).toISOString() }))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .slice(-MAX_TICKET_COMMENTS),
  };
}
