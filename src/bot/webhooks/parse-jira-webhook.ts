import { z } from 'zod';
import { jiraPriority } from '../../domain/ticket-priority.ts';
import { jiraStateCategory } from '../../domain/ticket-state.ts';
import type { ParsedTicketEvent } from '../../domain/ticket-event.ts';
import { ticketPrefix } from '../../domain/route-ticket.ts';

/*
 * Jira's issue webhook: `{ webhookEvent: 'jira:issue_created' | 'jira:issue_updated', issue: { key,
 * fields }, changelog: { items: [{ field, fieldId, fromString, toString }] } }`. `issue.fields` is the
 * issue after the change. Labels cannot contain spaces in Jira, so a labels item's from/toString is
 * the space-separated list before and after.
 */
const payload = z.object({
  webhookEvent: z.string(),
  issue: z
    .object({
      key: z.string().min(1),
      fields: z.object({
        project: z.object({ key: z.string() }).nullish(),
        labels: z.array(z.string()).nullish(),
        status: z.object({ name: z.string(), statusCategory: z.object({ key: z.string() }).nullish() }),
        priority: z.object({ name: z.string() }).nullish(),
      }),
    })
    .optional(),
  changelog: z
    .object({
      items: z.array(z.object({ field: z.string(), fieldId: z.string().nullish(), fromString: z.string().nullish(), toString: z.string().nullish() })),
    })
    .nullish(),
});

// A Map, as webhookEvent is the sender's string: on a plain object `constructor` would be found.
const KINDS = new Map<string, 'created' | 'updated' | 'deleted'>([
  ['jira:issue_created', 'created'],
  ['jira:issue_updated', 'updated'],
  ['jira:issue_deleted', 'deleted'],
]);

const words = (value: string | null | undefined): string[] => (value ?? '').split(/\s+/).filter(Boolean);

// A deletion needs only the key; the fields, when sent, are the issue's last state.
const deletedPayload = z.object({ issue: z.object({ key: z.string().min(1), fields: z.looseObject({}).nullish() }) });

function deleted(body: unknown): ParsedTicketEvent {
  const parsed = deletedPayload.safeParse(body);
  if (!parsed.success) return { ok: false, reason: 'not a usable Jira jira:issue_deleted webhook (no issue.key)' };
  const { key, fields } = parsed.data.issue;
  const full = payload.shape.issue.unwrap().shape.fields.safeParse(fields);
  const f = full.success ? full.data : undefined;
  return {
    ok: true,
    value: {
      kind: 'deleted',
      source: 'jira',
      ticketKey: key,
      team: f?.project?.key ?? ticketPrefix(key),
      labelsAdded: [],
      descriptionChanged: false,
      labels: f?.labels ?? [],
      state: f ? { name: f.status.name, category: jiraStateCategory(f.status.statusCategory?.key, f.status.name) } : { name: 'Deleted', category: 'cancelled' },
      priority: jiraPriority(f?.priority?.name),
    },
  };
}

export function parseJiraWebhook(body: unknown): ParsedTicketEvent {
  const event = (body as { webhookEvent?: unknown } | null)?.webhookEvent;
  if (typeof event !== 'string') return { ok: false, reason: 'not a Jira webhook payload (no webhookEvent)' };
  // Comment, worklog and other events carry an abridged issue; they are told apart before validating it.
  const kind = KINDS.get(event);
  if (!kind) return { ok: false, reason: `ignored: Jira ${event} events are not ticket changes` };
  if (kind === 'deleted') return deleted(body);
  const parsed = payload.safeParse(body);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return { ok: false, reason: `not a usable Jira issue webhook (${first?.path.join('.') || '(root)'}: ${first?.message ?? 'invalid'})` };
  }
  const { webhookEvent, issue, changelog } = parsed.data;
  if (!issue) return { ok: false, reason: `Jira ${webhookEvent} payload has no issue` };

  const f = issue.fields;
  const items = kind === 'updated' ? (changelog?.items ?? []) : [];
  const item = (field: string) => items.find((i) => (i.fieldId ?? i.field).toLowerCase() === field);
  const labels = f.labels ?? [];
  const state = { name: f.status.name, category: jiraStateCategory(f.status.statusCategory?.key, f.status.name) };
  const labelItem = item('labels');
  const statusItem = item('status');
  return {
    ok: true,
    value: {
      kind,
      source: 'jira',
      ticketKey: issue.key,
      team: f.project?.key ?? ticketPrefix(issue.key),
      labelsAdded: kind === 'created' ? labels : labelItem ? words(labelItem.toString).filter((l) => !words(labelItem.fromString).includes(l)) : [],
      ...(statusItem ? { stateChangedTo: state } : {}),
      descriptionChanged: item('description') !== undefined,
      labels,
      state,
      priority: jiraPriority(f.priority?.name),
    },
  };
}
