import { z } from 'zod';
import type { ParsedTicketEvent } from '../../domain/ticket-event.ts';
import { linearPriority } from '../../domain/ticket-priority.ts';
import { linearStateCategory } from '../../domain/ticket-state.ts';
import { ticketPrefix } from '../../domain/route-ticket.ts';

/*
 * Linear's data-change webhook: `{ action: create|update|remove, type: 'Issue', data: <issue>,
 * updatedFrom: <previous values of the fields this change touched>, webhookTimestamp, webhookId }`.
 * `data` carries labels and state as objects (labels with ids), so labelsAdded is the labels whose
 * id is not in updatedFrom.labelIds. Only the fields read here are required.
 */
const envelope = z.object({
  action: z.string(),
  type: z.string(),
  data: z.unknown(),
  updatedFrom: z.record(z.string(), z.unknown()).nullish(),
});

const issue = z.object({
  identifier: z.string().min(1),
  team: z.object({ key: z.string() }).nullish(),
  labels: z.array(z.object({ id: z.string(), name: z.string() })).default([]),
  state: z.object({ name: z.string(), type: z.string() }),
  priority: z.number().nullish(),
});

function problem(error: z.ZodError, prefix: string): string {
  const first = error.issues[0];
  return `${prefix}${first?.path.join('.') || '(root)'}: ${first?.message ?? 'invalid'}`;
}

// A removal names the issue; the rest of `data` is its last state, read when present.
const removedIssue = issue.partial().required({ identifier: true });

/** Linear sends `remove` when an issue is deleted (moved to the trash): its run must end. */
function removed(data: unknown): ParsedTicketEvent {
  const parsed = removedIssue.safeParse(data);
  if (!parsed.success) return { ok: false, reason: `Linear Issue remove payload is not usable (${problem(parsed.error, 'data.')})` };
  const { identifier, team, labels = [], state, priority } = parsed.data;
  return {
    ok: true,
    value: {
      kind: 'deleted',
      source: 'linear',
      ticketKey: identifier,
      team: team?.key ?? ticketPrefix(identifier),
      labelsAdded: [],
      descriptionChanged: false,
      labels: labels.map((l) => l.name),
      state: state ? { name: state.name, category: linearStateCategory(state.type) } : { name: 'Deleted', category: 'cancelled' },
      priority: linearPriority(priority),
    },
  };
}

export function parseLinearWebhook(body: unknown): ParsedTicketEvent {
  const outer = envelope.safeParse(body);
  if (!outer.success) return { ok: false, reason: `not a Linear webhook payload (${problem(outer.error, '')})` };
  const { action, type, updatedFrom } = outer.data;
  if (type !== 'Issue') return { ok: false, reason: `ignored: Linear ${type} ${action} events are not ticket changes` };
  if (action === 'remove') return removed(outer.data.data);
  if (action !== 'create' && action !== 'update') return { ok: false, reason: `ignored: Linear Issue ${action} events need no action` };
  const parsed = issue.safeParse(outer.data.data);
  if (!parsed.success) return { ok: false, reason: `Linear Issue payload is not usable (${problem(parsed.error, 'data.')})` };

  const data = parsed.data;
  const previous = updatedFrom ?? {};
  const changed = (field: string): boolean => action === 'update' && Object.hasOwn(previous, field);
  const previousLabelIds = Array.isArray(previous.labelIds) ? previous.labelIds : undefined;
  const state = { name: data.state.name, category: linearStateCategory(data.state.type) };
  const labelsAdded =
    action === 'create' ? data.labels : previousLabelIds ? data.labels.filter((l) => !previousLabelIds.includes(l.id)) : [];
  return {
    ok: true,
    value: {
      kind: action === 'create' ? 'created' : 'updated',
      source: 'linear',
      ticketKey: data.identifier,
      // The team is in every Issue payload Linear documents; the key prefix is the same value if not.
      team: data.team?.key ?? ticketPrefix(data.identifier),
      labelsAdded: labelsAdded.map((l) => l.name),
      ...(changed('stateId') ? { stateChangedTo: state } : {}),
      descriptionChanged: changed('description'),
      labels: data.labels.map((l) => l.name),
      state,
      priority: linearPriority(data.priority),
    },
  };
}
