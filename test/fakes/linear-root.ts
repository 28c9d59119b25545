import { linearFilters } from './linear-filters.ts';
import {
  entityNotFound,
  invalidInput,
  PRIORITY_LABELS,
  type IssueUpdate,
  type LinearComment,
  type LinearIssue,
  type LinearLabel,
  type LinearStore,
  type LinearTeam,
  type LinearUser,
  type LinearWorkflowState,
} from './linear-store.ts';

interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
  orderBy?: 'createdAt' | 'updatedAt' | null;
  filter?: Record<string, unknown> | null;
  sort?: Record<string, { order?: 'Ascending' | 'Descending' }>[] | null;
  includeArchived?: boolean | null;
}
type Node = { id: string; createdAt: string; updatedAt: string };

/**
 * Relay-style page over `items`. Ordering is newest-first on `orderBy` (default createdAt), or
 * `sort` when given; that default is the fake's choice, so tests should not lean on it beyond
 * "stable and documented". Cursors are node ids. Only forward pagination is modelled, so `last`/`before`
 * are refused rather than answered with a page the real API would not return.
 */
function connection<T extends Node>(items: T[], args: ConnectionArgs, view: (item: T) => unknown) {
  if (args.last != null || args.before != null) throw invalidInput('FakeLinear only paginates forward (first/after)');
  const [sortKey, sortSpec] = Object.entries(args.sort?.[0] ?? {})[0] ?? [args.orderBy ?? 'createdAt', { order: 'Descending' }];
  const key = sortKey as 'createdAt' | 'updatedAt';
  const direction = sortSpec?.order === 'Ascending' ? 1 : -1;
  const sorted = [...items].sort((a, b) => direction * a[key].localeCompare(b[key]));
  let start = 0;
  if (args.after) {
    start = sorted.findIndex((item) => item.id === args.after) + 1;
    if (start === 0) throw invalidInput(`Invalid cursor ${args.after}`);
  }
  const first = args.first ?? 50;
  const page = sorted.slice(start, start + first);
  return {
    nodes: page.map(view),
    pageInfo: {
      startCursor: page[0]?.id ?? null,
      endCursor: page.at(-1)?.id ?? null,
      hasPreviousPage: start > 0,
      hasNextPage: start + first < sorted.length,
    },
  };
}

/**
 * The graphql-js root value. Relations are functions so they resolve only when a document
 * selects them, and resolve against current state, the way the SDK's lazy getters expect.
 */
export function linearRoot(store: LinearStore): Record<string, unknown> {
  const user = (u: LinearUser) => ({
    ...u,
    active: true,
    admin: false,
    guest: false,
    app: false,
    isMe: u.id === store.viewer.id,
    url: `https://linear.app/${store.organization}/profiles/${u.displayName}`,
  });

  const team = (t: LinearTeam) => ({
    ...t,
    displayName: t.name,
    private: false,
    issueCount: store.issues.filter((i) => i.teamId === t.id).length,
    states: (args: ConnectionArgs) =>
      connection(store.states.filter((s) => s.teamId === t.id && linearFilters.state(store, s, args.filter ?? undefined)), args, state),
  });

  const state = (s: LinearWorkflowState) => ({ ...s, description: null, team: () => team(store.teamById(s.teamId)) });

  const label = (l: LinearLabel) => ({
    ...l,
    description: null,
    isGroup: false,
    team: () => (l.teamId ? team(store.teamById(l.teamId)) : null),
  });

  const comment = (c: LinearComment) => {
    const parent = store.issue(c.issueId)!;
    return {
      ...c,
      url: `${store.url(parent)}#comment-${c.id.slice(0, 8)}`,
      reactions: [],
      editedAt: null,
      issue: () => issue(parent),
      user: () => (c.userId ? user(store.userById(c.userId)) : null),
    };
  };

  const issue = (i: LinearIssue) => ({
    ...i,
    identifier: store.identifier(i),
    url: store.url(i),
    branchName: `${store.viewer.displayName}/${store.identifier(i).toLowerCase()}`,
    priorityLabel: PRIORITY_LABELS[i.priority] ?? 'No priority',
    previousIdentifiers: [],
    reactions: [],
    sharedAccess: { isShared: false, sharedWithCount: 0, sharedWithUsers: [], viewerHasOnlySharedAccess: false, disallowedIssueFields: [] },
    inheritsSharedAccess: false,
    customerTicketCount: 0,
    sortOrder: i.number,
    prioritySortOrder: i.priority,
    boardOrder: 0,
    team: () => team(store.teamById(i.teamId)),
    state: () => state(store.stateById(i.stateId)),
    creator: () => (i.creatorId ? user(store.userById(i.creatorId)) : null),
    assignee: () => (i.assigneeId ? user(store.userById(i.assigneeId)) : null),
    labels: (args: ConnectionArgs) =>
      connection(
        store.labels.filter((l) => i.labelIds.includes(l.id) && linearFilters.label(l, args.filter ?? undefined)),
        args,
        label,
      ),
    comments: (args: ConnectionArgs) =>
      connection(
        store.comments.filter((c) => c.issueId === i.id && linearFilters.comment(c, args.filter ?? undefined)),
        args,
        comment,
      ),
  });

  const found = <T>(value: T | undefined, entity: string): T => {
    if (value === undefined) throw entityNotFound(entity);
    return value;
  };

  return {
    comment: ({ id }: { id?: string | null }) => comment(found(store.comments.find((c) => c.id === id), 'Comment')),
    issue: ({ id }: { id: string }) => issue(found(store.issue(id), 'Issue')),
    issues: (args: ConnectionArgs) =>
      // Like Linear, archived (and trashed) issues are left out of lists unless asked for.
      connection(store.issues.filter((i) => (!i.archivedAt || args.includeArchived) && linearFilters.issue(store, i, args.filter ?? undefined)), args, issue),
    team: ({ id }: { id: string }) => team(found(store.teams.find((t) => t.id === id || t.key === id), 'Team')),
    user: ({ id }: { id: string }) => user(store.userById(id)),
    workflowState: ({ id }: { id: string }) => state(store.stateById(id)),
    workflowStates: (args: ConnectionArgs) =>
      connection(store.states.filter((s) => linearFilters.state(store, s, args.filter ?? undefined)), args, state),

    commentCreate: ({ input }: { input: { issueId?: string | null; body?: string | null } }) => {
      if (!input.issueId) throw invalidInput('issueId is required');
      if (!input.body) throw invalidInput('body is required');
      const created = store.addComment(input.issueId, { body: input.body, user: store.viewer.id });
      return { lastSyncId: ++store.syncId, success: true, comment: comment(created) };
    },
    issueUpdate: ({ id, input }: { id: string; input: { [K in keyof IssueUpdate]: IssueUpdate[K] | null } }) => {
      // graphql-js hands over null for explicitly-null inputs; the store treats absent and null alike.
      const defined: IssueUpdate = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null));
      return { lastSyncId: ++store.syncId, success: true, issue: issue(store.updateIssue(id, defined)) };
    },
  };
}
