import type { LinearComment, LinearIssue, LinearLabel, LinearStore, LinearTeam, LinearWorkflowState } from './linear-store.ts';
import { invalidInput } from './linear-store.ts';

/*
 * Evaluates the filter subset declared in linear-schema.ts. graphql-js has already rejected any
 * field outside that subset, so every declared field must be honoured here; an ignored field
 * would make a polling test pass against a filter production would send differently.
 *
 * Supported:
 *   IssueFilter:         id, team, state, labels, createdAt, updatedAt, and, or
 *   TeamFilter:          id, key, name
 *   WorkflowStateFilter: id, name, type, team
 *   IssueLabelFilter:    id, name   (on issue.labels: id/name/some all mean "some label matches")
 *   CommentFilter:       id
 *   StringComparator:    eq, neq, in, nin, eqIgnoreCase, containsIgnoreCase
 *   IDComparator:        eq, neq, in, nin
 *   DateComparator:      eq, gt, gte, lt, lte with ISO-8601 timestamps (not Linear's relative durations)
 */

type Filter = Record<string, unknown>;
type Comparator = Record<string, unknown>;

function compareString(cmp: Comparator | undefined, value: string): boolean {
  if (!cmp) return true;
  const lower = value.toLowerCase();
  return Object.entries(cmp).every(([op, arg]) => {
    switch (op) {
      case 'eq': return value === arg;
      case 'neq': return value !== arg;
      case 'in': return (arg as string[]).includes(value);
      case 'nin': return !(arg as string[]).includes(value);
      case 'eqIgnoreCase': return lower === String(arg).toLowerCase();
      case 'containsIgnoreCase': return lower.includes(String(arg).toLowerCase());
      default: throw invalidInput(`Unsupported comparator ${op}`);
    }
  });
}

function toTime(value: unknown): number {
  const time = Date.parse(String(value));
  if (Number.isNaN(time)) throw invalidInput(`FakeLinear only compares ISO-8601 timestamps, got ${String(value)}`);
  return time;
}

function compareDate(cmp: Comparator | undefined, value: string): boolean {
  if (!cmp) return true;
  const t = Date.parse(value);
  return Object.entries(cmp).every(([op, arg]) => {
    const other = toTime(arg);
    switch (op) {
      case 'eq': return t === other;
      case 'gt': return t > other;
      case 'gte': return t >= other;
      case 'lt': return t < other;
      case 'lte': return t <= other;
      default: throw invalidInput(`Unsupported comparator ${op}`);
    }
  });
}

const sub = (filter: Filter, key: string): Filter | undefined => filter[key] as Filter | undefined;

function team(t: LinearTeam, f: Filter | undefined): boolean {
  if (!f) return true;
  return compareString(sub(f, 'id'), t.id) && compareString(sub(f, 'key'), t.key) && compareString(sub(f, 'name'), t.name);
}

function state(store: LinearStore, s: LinearWorkflowState, f: Filter | undefined): boolean {
  if (!f) return true;
  return (
    compareString(sub(f, 'id'), s.id) &&
    compareString(sub(f, 'name'), s.name) &&
    compareString(sub(f, 'type'), s.type) &&
    team(store.teamById(s.teamId), sub(f, 'team'))
  );
}

function label(l: LinearLabel, f: Filter | undefined): boolean {
  if (!f) return true;
  return compareString(sub(f, 'id'), l.id) && compareString(sub(f, 'name'), l.name);
}

function issue(store: LinearStore, i: LinearIssue, f: Filter | undefined): boolean {
  if (!f) return true;
  const labels = i.labelIds.map((id) => store.labels.find((l) => l.id === id)!);
  const labelFilter = sub(f, 'labels');
  const labelsMatch =
    !labelFilter ||
    Object.entries(labelFilter).every(([key, value]) =>
      labels.some((l) => (key === 'some' ? label(l, value as Filter) : label(l, { [key]: value }))),
    );
  return (
    compareString(sub(f, 'id'), i.id) &&
    team(store.teamById(i.teamId), sub(f, 'team')) &&
    state(store, store.stateById(i.stateId), sub(f, 'state')) &&
    labelsMatch &&
    compareDate(sub(f, 'createdAt'), i.createdAt) &&
    compareDate(sub(f, 'updatedAt'), i.updatedAt) &&
    ((f.and as Filter[] | undefined) ?? []).every((g) => issue(store, i, g)) &&
    (f.or === undefined || (f.or as Filter[]).some((g) => issue(store, i, g)))
  );
}

function comment(c: LinearComment, f: Filter | undefined): boolean {
  return !f || compareString(sub(f, 'id'), c.id);
}

export const linearFilters = { issue, state, label, comment, team };
