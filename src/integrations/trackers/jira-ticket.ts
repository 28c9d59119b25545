import { MAX_TICKET_COMMENTS, type Ticket } from '../../domain/ticket.ts';
import { jiraPriority } from '../../domain/ticket-priority.ts';
import { jiraStateCategory } from '../../domain/ticket-state.ts';
import { adfToMarkdown } from './adf-to-markdown.ts';
import { ticketPrefix } from '../../domain/route-ticket.ts';

/** The issue fields Baton reads; asking for only these keeps Jira's answer small. */
export const TICKET_FIELDS = ['summary', 'description', 'labels', 'priority', 'project', 'status', 'reporter', 'comment'];

interface JiraUserJson { accountId?: string; displayName?: string }

/** The part of a REST v3 issue (GET /issue, /search/jql) that TICKET_FIELDS selects. */
export interface JiraIssueJson {
  key: string;
  fields: {
    summary?: string;
    description?: unknown;
    labels?: string[];
    priority?: { name?: string } | null;
    project?: { key?: string };
    status?: { name?: string; statusCategory?: { key?: string } };
    reporter?: JiraUserJson | null;
    comment?: { comments?: { author?: JiraUserJson; body?: unknown; created?: string }[] };
  };
}

/** Jira timestamps are `2024-05-01T09:00:00.000+0000`; Ticket carries ISO 8601 in UTC. */
function iso(value: string | undefined): string {
  const at = value ? Date.parse(value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2')) : NaN;
  return Number.isNaN(at) ? new Date(0).toISOString() : new Date(at).toISOString();
}

export function ticketFromJira(issue: JiraIssueJson, host: string): Ticket {
  const f = issue.fields;
  const statusName = f.status?.name ?? 'Unknown';
  const reporter = f.reporter?.accountId ? { name: f.reporter.displayName ?? f.reporter.accountId, id: f.reporter.accountId } : null;
  // The embedded comment list is oldest first; the most recent ones are at its end.
  const comments = (f.comment?.comments ?? []).slice(-MAX_TICKET_COMMENTS).map((c) => ({
    author: c.author?.displayName ?? 'Jira',
    body: adfToMarkdown(c.body),
    createdAt: iso(c.created),
  }));
  return {
    key: issue.key,
    title: f.summary ?? '',
    description: adfToMarkdown(f.description),
    url: `${host.replace(/\/+$/, '')}/browse/${issue.key}`,
    labels: f.labels ?? [],
    priority: jiraPriority(f.priority?.name),
    team: f.project?.key ?? ticketPrefix(issue.key),
    state: { name: statusName, category: jiraStateCategory(f.status?.statusCategory?.key, statusName) },
    reporter,
    comments,
  };
}
