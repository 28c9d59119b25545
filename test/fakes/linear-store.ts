import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';

export type LinearStateType = 'triage' | 'backlog' | 'unstarted' | 'started' | 'completed' | 'canceled';

interface Stamped {
  id: string;
  createdAt: string;
  updatedAt: string;
}
export interface LinearTeam extends Stamped { key: string; name: string }
export interface LinearWorkflowState extends Stamped {
  teamId: string;
  name: string;
  type: LinearStateType;
  color: string;
  position: number;
}
export interface LinearLabel extends Stamped { name: string; color: string; teamId?: string }
export interface LinearUser extends Stamped { name: string; displayName: string; email: string }
export interface LinearComment extends Stamped { issueId: string; body: string; userId?: string }
export interface LinearIssue extends Stamped {
  teamId: string;
  number: number;
  title: string;
  description?: string;
  priority: number;
  stateId: string;
  labelIds: string[];
  creatorId?: string;
  assigneeId?: string;
  startedAt?: string;
  completedAt?: string;
  canceledAt?: string;
  /** Deleted in Linear's UI: the issue goes to the trash (archived), still readable by id. */
  trashed?: boolean;
  archivedAt?: string;
}

export interface TeamSeed {
  key: string;
  name?: string;
  id?: string;
  /** Defaults to Linear's stock workflow: Backlog, Todo, In Progress, Done, Canceled. */
  states?: { name: string; type: LinearStateType; id?: string }[];
}
export interface IssueSeed {
  team: string;
  title: string;
  number?: number;
  id?: string;
  description?: string;
  priority?: number;
  /** State name within the team; defaults to the team's first unstarted state. */
  state?: string;
  labels?: string[];
  creator?: string;
  assignee?: string;
  createdAt?: string | Date;
  updatedAt?: string | Date;
  comments?: { body: string; user?: string; createdAt?: string | Date }[];
}

/** The IssueUpdateInput fields FakeLinear applies. */
export interface IssueUpdate {
  stateId?: string;
  assigneeId?: string;
  labelIds?: string[];
  title?: string;
  description?: string;
  priority?: number;
}

const DEFAULT_STATES: { name: string; type: LinearStateType }[] = [
  { name: 'Backlog', type: 'backlog' },
  { name: 'Todo', type: 'unstarted' },
  { name: 'In Progress', type: 'started' },
  { name: 'Done', type: 'completed' },
  { name: 'Canceled', type: 'canceled' },
];
const STATE_COLORS: Record<LinearStateType, string> = {
  triage: '#FC7840', backlog: '#bec2c8', unstarted: '#e2e2e2', started: '#f2c94c', completed: '#5e6ad2', canceled: '#95a2b3',
};
export const PRIORITY_LABELS = ['No priority', 'Urgent', 'High', 'Medium', 'Low'] as const;

const iso = (value: string | Date | undefined, fallback: string): string =>
  value === undefined ? fallback : new Date(value).toISOString();

/** Linear's error for an id that resolves to nothing; the SDK turns type "invalid input" into InvalidInputLinearError. */
export function entityNotFound(entity: string): GraphQLError {
  return invalidInput(`Entity not found: ${entity}`, `Could not find referenced ${entity}.`);
}

export function invalidInput(message: string, userPresentableMessage = message): GraphQLError {
  return new GraphQLError(message, {
    extensions: { type: 'invalid input', code: 'INPUT_ERROR', statusCode: 400, userError: true, userPresentableMessage },
  });
}

/** In-memory workspace behind FakeLinear. Refs accept an id, or the human key (team key, state/label name, user name/email). */
export class LinearStore {
  readonly teams: LinearTeam[] = [];
  readonly states: LinearWorkflowState[] = [];
  readonly labels: LinearLabel[] = [];
  readonly users: LinearUser[] = [];
  readonly issues: LinearIssue[] = [];
  readonly comments: LinearComment[] = [];
  syncId = 1000;
  /** The user the API key belongs to: author of comments created through the API. */
  readonly viewer: LinearUser;

  constructor(readonly organization = 'baton-test') {
    this.viewer = this.addUser({ name: 'Baton Bot', displayName: 'baton' });
  }

  private stamp(at?: string | Date): Stamped {
    const now = iso(at, new Date().toISOString());
    return { id: randomUUID(), createdAt: now, updatedAt: now };
  }

  addTeam(seed: TeamSeed): LinearTeam {
    const team: LinearTeam = { ...this.stamp(), key: seed.key, name: seed.name ?? seed.key };
    if (seed.id) team.id = seed.id;
    this.teams.push(team);
    (seed.states ?? DEFAULT_STATES).forEach((s, position) => this.addState(team.key, { ...s, position }));
    return team;
  }

  addState(team: string, seed: { name: string; type: LinearStateType; id?: string; position?: number }): LinearWorkflowState {
    const teamId = this.team(team).id;
    const position = seed.position ?? this.states.filter((s) => s.teamId === teamId).length;
    const state = { ...this.stamp(), teamId, name: seed.name, type: seed.type, color: STATE_COLORS[seed.type], position };
    if (seed.id) state.id = seed.id;
    this.states.push(state);
    return state;
  }

  addLabel(seed: { name: string; color?: string; team?: string; id?: string }): LinearLabel {
    const label: LinearLabel = { ...this.stamp(), name: seed.name, color: seed.color ?? '#bec2c8' };
    if (seed.team) label.teamId = this.team(seed.team).id;
    if (seed.id) label.id = seed.id;
    this.labels.push(label);
    return label;
  }

  addUser(seed: { name: string; email?: string; displayName?: string; id?: string }): LinearUser {
    const displayName = seed.displayName ?? seed.name.split(' ')[0]!.toLowerCase();
    const user = { ...this.stamp(), name: seed.name, displayName, email: seed.email ?? `${displayName}@example.com` };
    if (seed.id) user.id = seed.id;
    this.users.push(user);
    return user;
  }

  addIssue(seed: IssueSeed): LinearIssue {
    const team = this.team(seed.team);
    const number = seed.number ?? Math.max(0, ...this.issues.filter((i) => i.teamId === team.id).map((i) => i.number)) + 1;
    if (this.issues.some((i) => i.teamId === team.id && i.number === number)) {
      throw new Error(`FakeLinear: ${team.key}-${number} already seeded`);
    }
    const stamped = this.stamp(seed.createdAt);
    const state = seed.state
      ? this.state(team.id, seed.state)
      : this.states.find((s) => s.teamId === team.id && s.type === 'unstarted') ?? this.states.find((s) => s.teamId === team.id);
    if (!state) throw new Error(`FakeLinear: team ${team.key} has no workflow states`);
    const issue: LinearIssue = {
      ...stamped,
      updatedAt: iso(seed.updatedAt, stamped.updatedAt),
      teamId: team.id,
      number,
      title: seed.title,
      description: seed.description,
      priority: seed.priority ?? 0,
      stateId: state.id,
      labelIds: (seed.labels ?? []).map((name) => this.label(name).id),
      creatorId: seed.creator ? this.user(seed.creator).id : undefined,
      assigneeId: seed.assignee ? this.user(seed.assignee).id : undefined,
    };
    if (seed.id) issue.id = seed.id;
    this.issues.push(issue);
    for (const c of seed.comments ?? []) this.addComment(issue.id, { body: c.body, user: c.user, createdAt: c.createdAt });
    return issue;
  }

  addComment(issueRef: string, seed: { body: string; user?: string; createdAt?: string | Date }): LinearComment {
    const issue = this.issue(issueRef);
    if (!issue) throw entityNotFound('Issue');
    const comment = { ...this.stamp(seed.createdAt), issueId: issue.id, body: seed.body, userId: seed.user ? this.user(seed.user).id : undefined };
    this.comments.push(comment);
    return comment;
  }

  /** Applies the IssueUpdateInput subset; validates references the way Linear does (unknown id → entity not found). */
  updateIssue(issueRef: string, input: IssueUpdate): LinearIssue {
    const issue = this.issue(issueRef);
    if (!issue) throw entityNotFound('Issue');
    if (input.stateId !== undefined) {
      const state = this.states.find((s) => s.id === input.stateId);
      if (!state) throw entityNotFound('WorkflowState');
      if (state.teamId !== issue.teamId) throw invalidInput('Workflow state does not belong to the issue team');
      const now = new Date().toISOString();
      if (state.type === 'started' && !issue.startedAt) issue.startedAt = now;
      if (state.type === 'completed') issue.completedAt = now;
      if (state.type === 'canceled') issue.canceledAt = now;
      issue.stateId = state.id;
    }
    if (input.assigneeId !== undefined) issue.assigneeId = this.userById(input.assigneeId).id;
    if (input.labelIds !== undefined) {
      issue.labelIds = input.labelIds.map((id) => (this.labels.find((l) => l.id === id) ?? raise(entityNotFound('IssueLabel'))).id);
    }
    if (input.priority !== undefined) {
      if (!Number.isInteger(input.priority) || input.priority < 0 || input.priority > 4) throw invalidInput('priority must be between 0 and 4');
      issue.priority = input.priority;
    }
    if (input.title !== undefined) issue.title = input.title;
    if (input.description !== undefined) issue.description = input.description;
    issue.updatedAt = new Date().toISOString();
    return issue;
  }

  identifier(issue: LinearIssue): string {
    return `${this.teamById(issue.teamId).key}-${issue.number}`;
  }

  url(issue: LinearIssue): string {
    return `https://linear.app/${this.organization}/issue/${this.identifier(issue)}`;
  }

  /** Linear's `issue(id:)` accepts either the UUID or the identifier (ENG-123). */
  issue(ref: string): LinearIssue | undefined {
    return this.issues.find((i) => i.id === ref) ?? this.issues.find((i) => this.identifier(i) === ref.toUpperCase());
  }

  team(ref: string): LinearTeam {
    return this.teams.find((t) => t.id === ref || t.key === ref) ?? raise(new Error(`FakeLinear: no team ${ref}`));
  }

  teamById(id: string): LinearTeam {
    return this.teams.find((t) => t.id === id) ?? raise(entityNotFound('Team'));
  }

  state(teamId: string, ref: string): LinearWorkflowState {
    const found = this.states.find((s) => s.teamId === teamId && (s.id === ref || s.name === ref));
    return found ?? raise(new Error(`FakeLinear: no state ${ref} in team ${this.teamById(teamId).key}`));
  }

  stateById(id: string): LinearWorkflowState {
    return this.states.find((s) => s.id === id) ?? raise(entityNotFound('WorkflowState'));
  }

  label(ref: string): LinearLabel {
    return this.labels.find((l) => l.id === ref || l.name === ref) ?? raise(new Error(`FakeLinear: no label ${ref}`));
  }

  user(ref: string): LinearUser {
    const found = this.users.find((u) => u.id === ref || u.name === ref || u.email === ref || u.displayName === ref);
    return found ?? raise(new Error(`FakeLinear: no user ${ref}`));
  }

  userById(id: string): LinearUser {
    return this.users.find((u) => u.id === id) ?? raise(entityNotFound('User'));
  }
}

function raise(error: Error): never {
  throw error;
}
