import { Version3Client } from 'jira.js';
import type { ReadyRule, Ticket } from '../../domain/ticket.ts';
import { markdownToAdf } from '../../domain/markdown-to-adf.ts';
import { ticketFromJira, TICKET_FIELDS, type JiraIssueJson } from './jira-ticket.ts';
import { jiraTrackerError } from './jira-tracker-error.ts';
import { TrackerError, type TicketTracker } from './ticket-tracker.ts';

export interface JiraTrackerOptions {
  /** The site, e.g. https://acme.atlassian.net. */
  host: string;
  email: string;
  apiToken: string;
  /** Per-request timeout; axios has none by default, and a hung request would hold a worker. */
  timeoutMs?: number;
}

const PAGE_SIZE = 50;
// Polling is a backstop for missed webhooks; more than this many ready tickets means a rule too broad to act on.
const MAX_READY = 200;

/** A JQL string literal: double-quoted, with `"` and `\` escaped, so names with spaces or quotes stay one value. */
const jqlString = (value: string): string => `"${value.replace(/[\\"]/g, '\\$&')}"`;

/** Requests per call: getTicket 1 · comment 1 · moveTo 2 (3 when already there) · findReady 1 per 50 tickets. */
export function createJiraTracker(options: JiraTrackerOptions): TicketTracker {
  const jira = new Version3Client({
    host: options.host,
    authentication: { basic: { email: options.email, apiToken: options.apiToken } },
    baseRequestConfig: { timeout: options.timeoutMs ?? 30_000 },
  });

  async function call<T>(subject: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw jiraTrackerError(error, subject);
    }
  }

  const toTicket = (issue: unknown): Ticket => ticketFromJira(issue as JiraIssueJson, options.host);

  return {
    async getTicket(key) {
      return toTicket(await call(key, () => jira.issues.getIssue({ issueIdOrKey: key, fields: TICKET_FIELDS })));
    },

    async comment(key, markdown) {
      await call(key, () => jira.issueComments.addComment({ issueIdOrKey: key, comment: markdownToAdf(markdown) }));
    },

    async moveTo(key, stateName) {
      const wanted = stateName.trim().toLowerCase();
      const { transitions = [] } = await call(key, () => jira.issues.getTransitions({ issueIdOrKey: key }));
      // A transition's own name first ("Start progress"), then the status it leads to ("In Progress").
      const target =
        transitions.find((t) => t.name?.toLowerCase() === wanted) ?? transitions.find((t) => t.to?.name?.toLowerCase() === wanted);
      if (target?.id) {
        await call(key, () => jira.issues.doTransition({ issueIdOrKey: key, transition: { id: target.id! } }));
        return;
      }
      // Workflows rarely offer a transition into the current status, so a retried move lands here.
      const current = await call(key, () => jira.issues.getIssue({ issueIdOrKey: key, fields: ['status'] }));
      if (current.fields.status?.name?.toLowerCase() === wanted) return;
      const available = transitions.map((t) => (t.to?.name && t.to.name !== t.name ? `${t.name} (→ ${t.to.name})` : t.name)).join(', ');
      throw new TrackerError(
        'invalid',
        `${key} cannot move to "${stateName}" from ${current.fields.status?.name ?? 'its status'} (transitions: ${available || 'none'})`,
      );
    },

    async findReady(rule) {
      const jql = readyJql(rule);
      const tickets: Ticket[] = [];
      let nextPageToken: string | undefined;
      do {
        const token = nextPageToken;
        const page = await call(`project ${rule.team}`, () =>
          jira.issueSearch.searchForIssuesUsingJqlEnhancedSearchPost({ jql, fields: TICKET_FIELDS, maxResults: PAGE_SIZE, nextPageToken: token }),
        );
        tickets.push(...(page.issues ?? []).map(toTicket));
        nextPageToken = page.nextPageToken ?? undefined;
      } while (nextPageToken && tickets.length < MAX_READY);
      return tickets.slice(0, MAX_READY);
    },
  };
}

/**
 * Status names compare case-insensitively in JQL; labels do not, so pass them as Jira spells them.
 * Without a state in the rule, finished tickets are left out on the server: a label that stays on
 * Done tickets would otherwise fill every page with them as they pile up.
 */
function readyJql(rule: ReadyRule): string {
  const clauses = [`project = ${jqlString(rule.team)}`];
  if (rule.label) clauses.push(`labels = ${jqlString(rule.label)}`);
  clauses.push(rule.state ? `status = ${jqlString(rule.state)}` : 'statusCategory != Done');
  return `${clauses.join(' AND ')} ORDER BY created ASC`;
}
