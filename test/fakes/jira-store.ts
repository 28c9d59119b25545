import { JqlError, type JqlQuery } from './parse-jql.ts';

export type StatusCategoryKey = 'new' | 'indeterminate' | 'done';

/** An Atlassian Document Format document: the only body v3 accepts for descriptions and comments. */
export interface Adf {
  type: 'doc';
  version: 1;
  content: unknown[];
}

export interface JiraStatus { id: string; name: string; category: StatusCategoryKey }
/** A workflow transition; without `from` it is global (available from every status), as in simplified workflows. */
export interface JiraTransition { id: string; name: string; to: string; from?: string[] }
export interface JiraProject { id: string; key: string; name: string; statuses: JiraStatus[]; transitions: JiraTransition[] }
export interface JiraUser { accountId: string; displayName: string; emailAddress?: string }
export interface JiraComment { id: string; authorId: string; body: Adf; created: string; updated: string }
export interface JiraIssue {
  id: string;
  key: string;
  projectKey: string;
  issueType: string;
  summary: string;
  description: Adf | null;
  status: string;
  priority: string;
  labels: string[];
  reporterId?: string;
  assigneeId?: string;
  comments: JiraComment[];
  /** Overrides the project workflow for this issue. */
  transitions?: JiraTransition[];
  created: string;
  updated: string;
}

export interface ProjectSeed {
  key: string;
  name?: string;
  /** Default: To Do (new), In Progress (indeterminate), Done (done). */
  statuses?: { name: string; category: StatusCategoryKey; id?: string }[];
  /** Default: one global transition into each status, ids 11, 21, 31, ... named after the status. */
  transitions?: JiraTransition[];
}

export interface IssueSeed {
  project: string;
  summary: string;
  /** Issue number within the project: OPS-7 is `number: 7`. Default: next free. */
  number?: number;
  description?: string | Adf;
  status?: string;
  priority?: string;
  labels?: string[];
  issueType?: string;
  reporter?: string;
  assignee?: string;
  transitions?: JiraTransition[];
  created?: string | Date;
  updated?: string | Date;
  comments?: { body: string | Adf; author?: string; created?: string | Date }[];
}

export const PRIORITIES = ['Highest', 'High', 'Medium', 'Low', 'Lowest'];
// Jira accepts a category by its name or its key in JQL.
const STATUS_CATEGORY_NAMES: Record<string, StatusCategoryKey> = {
  'to do': 'new',
  new: 'new',
  'in progress': 'indeterminate',
  indeterminate: 'indeterminate',
  done: 'done',
};

const DEFAULT_STATUSES: { name: string; category: StatusCategoryKey; id?: string }[] = [
  { name: 'To Do', category: 'new' },
  { name: 'In Progress', category: 'indeterminate' },
  { name: 'Done', category: 'done' },
];

/** Jira's timestamp format: millisecond precision and a `+0000` offset, not `Z`. */
export function jiraTime(value: string | Date = new Date()): string {
  return new Date(value).toISOString().replace('Z', '+0000');
}

export function toAdf(body: string | Adf): Adf {
  if (typeof body !== 'string') return body;
  return { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: body }] }] };
}

/** The plain text of an ADF document, paragraphs separated by newlines; for assertions, not rendering. */
export function adfText(node: unknown): string {
  const n = node as { type?: string; text?: string; content?: unknown[] };
  if (n.type === 'text') return n.text ?? '';
  const parts = (n.content ?? []).map(adfText);
  return n.type === 'doc' ? parts.join('\n') : parts.join('');
}

export function isAdf(value: unknown): value is Adf {
  const doc = value as Partial<Adf> | null;
  return (
    typeof doc === 'object' && doc !== null && doc.type === 'doc' && doc.version === 1 && Array.isArray(doc.content) &&
    doc.content.every((node) => typeof node === 'object' && node !== null && typeof (node as { type?: unknown }).type === 'string')
  );
}

/** In-memory Jira site behind FakeJira. Users are referenced by accountId or displayName. */
export class JiraStore {
  readonly projects: JiraProject[] = [];
  readonly users: JiraUser[] = [];
  readonly issues: JiraIssue[] = [];
  /** The account the API token belongs to; comments added through the API are by them. */
  readonly me: JiraUser;
  private nextId = 10000;

  constructor(email: string) {
    this.me = this.addUser({ displayName: 'Baton Bot', emailAddress: email });
  }

  private id(): string {
    return String(this.nextId++);
  }

  addProject(seed: ProjectSeed): JiraProject {
    const statuses = (seed.statuses ?? DEFAULT_STATUSES).map((s) => ({ ...s, id: s.id ?? this.id() }));
    const transitions = seed.transitions ?? statuses.map((s, i) => ({ id: String(11 + 10 * i), name: s.name, to: s.name }));
    const project = { id: this.id(), key: seed.key, name: seed.name ?? seed.key, statuses, transitions };
    for (const t of transitions) this.status(project, t.to);
    this.projects.push(project);
    return project;
  }

  addUser(seed: { displayName: string; accountId?: string; emailAddress?: string }): JiraUser {
    const user = { accountId: seed.accountId ?? `5b10ac8d82e05b22cc7d${this.id()}`, ...seed };
    this.users.push(user);
    return user;
  }

  addIssue(seed: IssueSeed): JiraIssue {
    const project = this.project(seed.project);
    const taken = this.issues.filter((i) => i.projectKey === project.key).map((i) => Number(i.key.split('-')[1]));
    const number = seed.number ?? Math.max(0, ...taken) + 1;
    if (taken.includes(number)) throw new Error(`FakeJira: ${project.key}-${number} already seeded`);
    const status = seed.status ?? project.statuses[0]!.name;
    for (const name of [status, ...(seed.transitions ?? []).map((t) => t.to)]) this.status(project, name);
    const created = jiraTime(seed.created);
    const issue: JiraIssue = {
      id: this.id(),
      key: `${project.key}-${number}`,
      projectKey: project.key,
      issueType: seed.issueType ?? 'Task',
      summary: seed.summary,
      description: seed.description === undefined ? null : toAdf(seed.description),
      status,
      priority: seed.priority ?? 'Medium',
      labels: seed.labels ?? [],
      reporterId: seed.reporter ? this.user(seed.reporter).accountId : undefined,
      assigneeId: seed.assignee ? this.user(seed.assignee).accountId : undefined,
      comments: [],
      transitions: seed.transitions,
      created,
      updated: seed.updated ? jiraTime(seed.updated) : created,
    };
    this.issues.push(issue);
    for (const c of seed.comments ?? []) this.addComment(issue, toAdf(c.body), c.author ? this.user(c.author) : this.me, c.created);
    return issue;
  }

  addComment(issue: JiraIssue, body: Adf, author: JiraUser = this.me, at?: string | Date): JiraComment {
    const created = jiraTime(at);
    const comment = { id: this.id(), authorId: author.accountId, body, created, updated: created };
    issue.comments.push(comment);
    // Jira bumps the issue's `updated` on comment, which is what "updated since" polling relies on.
    if (created > issue.updated) issue.updated = created;
    return comment;
  }

  /** Transitions offered from the issue's current status. */
  transitionsFor(issue: JiraIssue): JiraTransition[] {
    const all = issue.transitions ?? this.project(issue.projectKey).transitions;
    return all.filter((t) => !t.from || t.from.includes(issue.status));
  }

  /** Returns false when the id is not offered from the current status, which Jira answers with 400. */
  transition(issue: JiraIssue, transitionId: string): boolean {
    const transition = this.transitionsFor(issue).find((t) => t.id === transitionId);
    if (!transition) return false;
    issue.status = transition.to;
    issue.updated = jiraTime();
    return true;
  }

  /** `key` lookups are case-insensitive like Jira's; numeric ids are matched too. */
  issue(idOrKey: string): JiraIssue | undefined {
    return this.issues.find((i) => i.id === idOrKey || i.key === idOrKey.toUpperCase());
  }

  project(key: string): JiraProject {
    const project = this.projects.find((p) => p.key === key || p.id === key);
    if (!project) throw new Error(`FakeJira: no project ${key}`);
    return project;
  }

  status(project: JiraProject, name: string): JiraStatus {
    const status = project.statuses.find((s) => s.name === name);
    if (!status) throw new Error(`FakeJira: no status ${name} in ${project.key}`);
    return status;
  }

  user(ref: string): JiraUser {
    const user = this.users.find((u) => u.accountId === ref || u.displayName === ref);
    if (!user) throw new Error(`FakeJira: no user ${ref}`);
    return user;
  }

  /** Evaluates a parsed JQL query. Unknown project/status values fail the way Jira's validation does. */
  search(query: JqlQuery): JiraIssue[] {
    for (const { field, value } of query.clauses) {
      const known =
        field === 'labels' ||
        (field === 'project' && this.projects.some((p) => p.key.toUpperCase() === value.toUpperCase() || p.name === value)) ||
        (field === 'status' && this.projects.some((p) => p.statuses.some((s) => s.name.toLowerCase() === value.toLowerCase()))) ||
        (field === 'statuscategory' && STATUS_CATEGORY_NAMES[value.toLowerCase()] !== undefined);
      if (!known) throw new JqlError(`The value '${value}' does not exist for the field '${field}'.`);
    }
    const matches = this.issues.filter((issue) =>
      query.clauses.every(({ field, operator, value }) => {
        const equal = ((): boolean => {
          if (field === 'labels') return issue.labels.includes(value);
          if (field === 'status') return issue.status.toLowerCase() === value.toLowerCase();
          if (field === 'statuscategory') return this.project(issue.projectKey).statuses.find((s) => s.name === issue.status)?.category === STATUS_CATEGORY_NAMES[value.toLowerCase()];
          const project = this.project(issue.projectKey);
          return project.key.toUpperCase() === value.toUpperCase() || project.name === value;
        })();
        return operator === '=' ? equal : !equal;
      }),
    );
    // Without ORDER BY the fake returns newest first; Jira's own default ordering is not specified.
    const orderBy = query.orderBy.length ? query.orderBy : [{ field: 'created', direction: 'DESC' } as const];
    const keyOf = (issue: JiraIssue, field: string): string =>
      field === 'key' ? `${issue.projectKey}-${issue.key.split('-')[1]!.padStart(12, '0')}` : issue[field as 'created' | 'updated'];
    return matches.sort((a, b) => {
      for (const { field, direction } of orderBy) {
        const [x, y] = [keyOf(a, field), keyOf(b, field)];
        if (x !== y) return (x < y ? -1 : 1) * (direction === 'ASC' ? 1 : -1);
      }
      return Number(b.id) - Number(a.id);
    });
  }
}
