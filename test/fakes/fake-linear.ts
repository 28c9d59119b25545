import { execute, GraphQLError, Kind, parse, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { FakeServer, type FakeRequest, type FakeResponse } from './fake-server.ts';
import { linearResponse } from './linear-response.ts';
import { linearRoot } from './linear-root.ts';
import { linearSchema } from './linear-schema.ts';
import {
  LinearStore,
  type IssueSeed,
  type LinearComment,
  type LinearIssue,
  type LinearLabel,
  type LinearStateType,
  type LinearTeam,
  type LinearUser,
  type LinearWorkflowState,
  type TeamSeed,
} from './linear-store.ts';

export interface FakeLinearOptions {
  /** The personal API key the fake accepts; default `lin_api_test`. */
  apiKey?: string;
  /** Workspace url slug used in issue urls; default `baton-test`. */
  organization?: string;
}

/** One GraphQL request as the fake saw it, including ones answered by an injected fault. */
export interface LinearOperation {
  name: string | undefined;
  type: 'query' | 'mutation' | 'subscription' | undefined;
  rootFields: string[];
  variables: Record<string, unknown>;
  status: number;
}

export interface LinearIssueSnapshot extends LinearIssue {
  identifier: string;
  state: LinearWorkflowState;
  labels: string[];
  comments: LinearComment[];
}

/**
 * Linear's rate-limit answer, for `fake.fail({ status, retryAfterSeconds, body: LINEAR_RATELIMITED_BODY })`.
 * The SDK classifies by `extensions.type`, so this yields RatelimitedLinearError whatever the status.
 */
export const LINEAR_RATELIMITED_BODY = {
  errors: [
    {
      message: 'Rate limit exceeded',
      extensions: {
        type: 'ratelimited',
        code: 'RATELIMITED',
        statusCode: 429,
        userError: true,
        userPresentableMessage: 'You have exceeded the rate limit.',
      },
    },
  ],
};

/*
 * Linear answers a rejected key with this body. Reports disagree on the HTTP status (older captures
 * show 400, newer ones 401); the SDK picks its error class from `extensions.type` either way, so the
 * fake uses 401, which also matches the body's own `http.status`.
 */
const AUTHENTICATION_ERROR = {
  errors: [
    {
      message: 'Authentication required, not authenticated',
      extensions: {
        type: 'authentication error',
        code: 'AUTHENTICATION_ERROR',
        statusCode: 401,
        userError: true,
        userPresentableMessage: 'You need to authenticate to access this operation.',
        meta: {},
        http: { status: 401 },
      },
    },
  ],
};

function firstOperation(document: DocumentNode): OperationDefinitionNode | undefined {
  return document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
}

/** graphql-js silently drops unknown fields; at the root that would hand the SDK empty data, so refuse as Linear would. */
function unknownRootFields(document: DocumentNode): GraphQLError[] {
  const operation = firstOperation(document);
  const root = operation?.operation === 'mutation' ? linearSchema.getMutationType() : linearSchema.getQueryType();
  const fields = root?.getFields() ?? {};
  return (operation?.selectionSet.selections ?? []).flatMap((s) =>
    s.kind === Kind.FIELD && !s.name.value.startsWith('__') && !(s.name.value in fields)
      ? [new GraphQLError(`Cannot query field "${s.name.value}" on type "${root?.name ?? 'Query'}".`, { nodes: s })]
      : [],
  );
}

/**
 * Linear's GraphQL API (`POST /graphql`) for the real `LinearClient`:
 * `new LinearClient({ apiKey: 'lin_api_test', apiUrl: fake.apiUrl })`.
 *
 * Documents are executed with graphql-js against linear-schema.ts, so whatever the SDK sends
 * (issue, issues, team/team_states, workflowState(s), user, comment, issue_labels, issue_comments,
 * createComment, updateIssue) is answered from the seeded store; anything outside the schema
 * gets a GraphQL error rather than a made-up answer. Filters supported: see linear-filters.ts.
 */
export class FakeLinear extends FakeServer {
  readonly store: LinearStore;
  readonly apiKey: string;
  private readonly root: Record<string, unknown>;

  constructor(options: FakeLinearOptions = {}) {
    super('linear');
    this.apiKey = options.apiKey ?? 'lin_api_test';
    this.store = new LinearStore(options.organization);
    this.root = linearRoot(this.store);
    this.route('POST', '/graphql', (req) => this.graphql(req));
  }

  get apiUrl(): string {
    return `${this.url}/graphql`;
  }

  /** The user the API key belongs to; comments created through the API are theirs. */
  get viewer(): LinearUser {
    return this.store.viewer;
  }

  addTeam(seed: TeamSeed): LinearTeam {
    return this.store.addTeam(seed);
  }

  addState(team: string, seed: { name: string; type: LinearStateType; id?: string; position?: number }): LinearWorkflowState {
    return this.store.addState(team, seed);
  }

  addLabel(seed: { name: string; color?: string; team?: string; id?: string }): LinearLabel {
    return this.store.addLabel(seed);
  }

  addUser(seed: { name: string; email?: string; displayName?: string; id?: string }): LinearUser {
    return this.store.addUser(seed);
  }

  addIssue(seed: IssueSeed): LinearIssue {
    return this.store.addIssue(seed);
  }

  addComment(issue: string, seed: { body: string; user?: string; createdAt?: string | Date }): LinearComment {
    return this.store.addComment(issue, seed);
  }

  /** Deletes the issue as Linear's UI does: into the trash, archived, still answering `issue(id)`. */
  trashIssue(ref: string): void {
    const issue = this.store.issue(ref);
    if (!issue) throw new Error(`FakeLinear: no issue ${ref}`);
    issue.trashed = true;
    issue.archivedAt = new Date().toISOString();
  }

  /** Current state of an issue (by id or identifier), for asserting what the code under test changed. */
  getIssue(ref: string): LinearIssueSnapshot {
    const issue = this.store.issue(ref);
    if (!issue) throw new Error(`FakeLinear: no issue ${ref}`);
    return {
      ...issue,
      identifier: this.store.identifier(issue),
      state: this.store.stateById(issue.stateId),
      labels: issue.labelIds.map((id) => this.store.label(id).name),
      comments: this.store.comments.filter((c) => c.issueId === issue.id),
    };
  }

  operations(): LinearOperation[] {
    return this.callsTo('POST', '/graphql').map((call) => {
      const { query, variables } = (call.body ?? {}) as { query?: string; variables?: Record<string, unknown> };
      let operation: OperationDefinitionNode | undefined;
      try {
        operation = query ? firstOperation(parse(query)) : undefined;
      } catch (error) {
        // An unparseable document is still a call worth listing; it shows up nameless.
        if (!(error instanceof GraphQLError)) throw error;
      }
      return {
        name: operation?.name?.value,
        type: operation?.operation as LinearOperation['type'],
        rootFields: operation?.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : [])) ?? [],
        variables: variables ?? {},
        status: call.status,
      };
    });
  }

  private async graphql(req: FakeRequest): Promise<FakeResponse> {
    // Personal API keys travel bare; `Bearer` is only for OAuth tokens, so it does not match here.
    if (req.headers.authorization !== this.apiKey) return { status: 401, body: AUTHENTICATION_ERROR };
    const { query, variables } = (req.body ?? {}) as { query?: unknown; variables?: Record<string, unknown> };
    if (typeof query !== 'string') return linearResponse([new GraphQLError('Must provide query string.')]);
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (error) {
      if (error instanceof GraphQLError) return linearResponse([error]);
      throw error;
    }
    const unknown = unknownRootFields(document);
    if (unknown.length > 0) return linearResponse(unknown);
    const result = await execute({ schema: linearSchema, document, rootValue: this.root, variableValues: variables ?? {} });
    return result.errors?.length ? linearResponse(result.errors) : { body: { data: result.data } };
  }
}
