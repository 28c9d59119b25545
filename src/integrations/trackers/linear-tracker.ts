import { LinearClient } from '@linear/sdk';
import type { ReadyRule, Ticket } from '../../domain/ticket.ts';
import {
  CREATE_COMMENT,
  READY_QUERY,
  STATES_QUERY,
  TICKET_QUERY,
  UPDATE_STATE,
  ticketFromLinear,
  type LinearIssueNode,
  type StatesResult,
} from './linear-queries.ts';
import { linearTrackerError } from './linear-tracker-error.ts';
import { TrackerError, type TicketTracker } from './ticket-tracker.ts';

export interface LinearTrackerOptions {
  /** Linear's GraphQL endpoint, https://api.linear.app/graphql unless proxied or faked. */
  apiUrl: string;
  /** A personal API key (lin_api_…); Linear expects it bare in Authorization, which the SDK does. */
  apiKey: string;
}

const PAGE_SIZE = 50;
// Polling is a backstop for missed webhooks; more than this many ready tickets means a rule too broad to act on.
const MAX_READY = 200;

/**
 * Requests per call: getTicket 1 · comment 1 · moveTo 2 (1 when already in that state) ·
 * findReady 1 per 50 tickets.
 */
export function createLinearTracker(options: LinearTrackerOptions): TicketTracker {
  const linear = new LinearClient({ apiKey: options.apiKey, apiUrl: options.apiUrl });

  async function request<T>(subject: string, document: string, variables: Record<string, unknown>): Promise<T> {
    try {
      const { data } = await linear.client.rawRequest<T, Record<string, unknown>>(document, variables);
      if (!data) throw new TrackerError('unavailable', `Linear answered without data for ${subject}`);
      return data;
    } catch (error) {
      throw linearTrackerError(error, subject);
    }
  }

  return {
    async getTicket(key) {
      const data = await request<{ issue: LinearIssueNode }>(key, TICKET_QUERY, { id: key });
      // A deleted issue is in the trash, still readable: for Baton it no longer exists.
      if (data.issue.trashed) throw new TrackerError('not_found', `${key} not found in Linear (it was deleted)`);
      return ticketFromLinear(data.issue);
    },

    async comment(key, markdown) {
      const data = await request<{ commentCreate: { success: boolean } }>(key, CREATE_COMMENT, { input: { issueId: key, body: markdown } });
      if (!data.commentCreate.success) throw new TrackerError('invalid', `Linear did not accept the comment on ${key}`);
    },

    async moveTo(key, stateName) {
      const { issue } = await request<StatesResult>(key, STATES_QUERY, { id: key });
      const wanted = stateName.trim().toLowerCase();
      if (issue.state.name.toLowerCase() === wanted) return;
      const states = issue.team.states.nodes;
      const target = states.find((s) => s.name.toLowerCase() === wanted);
      if (!target) {
        // Connection order is not the board's order (it follows updatedAt); position is what people see.
        const available = [...states].sort((a, b) => a.position - b.position).map((s) => s.name).join(', ');
        throw new TrackerError('invalid', `${key}: Linear team ${issue.team.key} has no workflow state "${stateName}" (states: ${available})`);
      }
      const data = await request<{ issueUpdate: { success: boolean } }>(key, UPDATE_STATE, { id: issue.id, stateId: target.id });
      if (!data.issueUpdate.success) throw new TrackerError('invalid', `Linear did not move ${key} to ${target.name}`);
    },

    async findReady(rule) {
      const subject = describeRule(rule);
      const filter = readyFilter(rule);
      const tickets: Ticket[] = [];
      let after: string | null = null;
      do {
        type Page = { issues: { nodes: LinearIssueNode[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
        const page: Page = await request<Page>(subject, READY_QUERY, { filter, first: PAGE_SIZE, after });
        tickets.push(...page.issues.nodes.map(ticketFromLinear));
        after = page.issues.pageInfo.hasNextPage ? page.issues.pageInfo.endCursor : null;
      } while (after && tickets.length < MAX_READY);
      return tickets.slice(0, MAX_READY);
    },
  };
}

function describeRule(rule: ReadyRule): string {
  return [`team ${rule.team}`, rule.label && `label "${rule.label}"`, rule.state && `state "${rule.state}"`].filter(Boolean).join(', ');
}

/**
 * Names compare case-insensitively, as people type them. Without a state in the rule, finished
 * tickets are left out: a label that stays on a Done ticket does not make it ready again.
 */
function readyFilter(rule: ReadyRule): Record<string, unknown> {
  return {
    team: { key: { eqIgnoreCase: rule.team } },
    ...(rule.label ? { labels: { some: { name: { eqIgnoreCase: rule.label } } } } : {}),
    state: rule.state ? { name: { eqIgnoreCase: rule.state } } : { type: { nin: ['completed', 'canceled'] } },
  };
}
